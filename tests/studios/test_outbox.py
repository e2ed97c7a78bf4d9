"""The e-mail outbox (studios.outbox): written with the business transaction, sent after commit, retried with
back-off by the sweeper, shown as failed on the client's timeline and the dashboard; never sent twice."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from crm.inquiries import receive_inquiry
from crm.models import Activity
from studios import outbox
from studios.models import OutgoingEmail
from studios.tasks import deliver_email, retry_due_emails
from tests.broker_faults import broker_refusing
from tests.factories import ClientFactory
from tests.mail_backends import sent, tries

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky(settings, tmp_path, monkeypatch):
    """The flaky test backend; `flaky(n)` fails the next n tries (-1: all). Returns the log's path."""
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    settings.EMAIL_OUTBOX_MAX_ATTEMPTS = 3
    log = tmp_path / "mail.log"
    monkeypatch.setenv("FLAKY_EMAIL_LOG", str(log))

    def fail(times: int = 0):
        monkeypatch.setenv("FLAKY_EMAIL_FAILURES", str(times))
        return log

    return fail


def inquiry(studio, email="mia@example.test"):
    return receive_inquiry(studio, name="Mia Client", email=email, message="A June wedding?")


def later(minutes: float):
    return timezone.now() + timedelta(minutes=minutes)


def test_an_inquiry_writes_its_email_in_the_same_transaction_and_a_rollback_writes_none(studio, photographer):
    with pytest.raises(RuntimeError), transaction.atomic():
        inquiry(studio)
        assert OutgoingEmail.objects.for_studio(studio).count() == 1
        raise RuntimeError("the request failed after the inquiry")
    assert not OutgoingEmail.objects.exists()

    inquiry(studio)
    email = OutgoingEmail.objects.get()
    assert (email.state, email.template, email.to) == ("pending", "crm_inquiry", ["owner@northlight.test"])
    assert email.subject and "A June wedding?" in email.body


def test_it_is_sent_after_commit_once_even_if_queued_and_delivered_again(
    studio, photographer, flaky, django_capture_on_commit_callbacks
):
    log = flaky(0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        received = inquiry(studio)
        assert not sent(log)  # nothing leaves before the commit
    assert callbacks and len(sent(log)) == 1
    email = OutgoingEmail.objects.get()
    assert (email.state, email.attempts) == ("sent", 1) and email.sent_at

    # The producer runs again (a retried task), the task is redelivered, the sweeper runs: still one e-mail.
    from crm.tasks import notify_photographer_of_inquiry

    notify_photographer_of_inquiry(received.pk)
    assert outbox.deliver(email.pk) == "sent"
    retry_due_emails()
    assert OutgoingEmail.objects.count() == 1 and len(sent(log)) == 1


def test_a_failing_provider_is_retried_with_backoff_then_sent_once(studio, photographer, flaky):
    log = flaky(2)
    inquiry(studio)
    email = OutgoingEmail.objects.get()

    assert outbox.deliver(email.pk) == "pending"
    email.refresh_from_db()
    assert email.attempts == 1 and "provider is unavailable" in email.last_error
    first_wait = email.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_wait <= timedelta(seconds=60)
    assert outbox.due_for_sending() == []  # not before its time
    assert outbox.deliver(email.pk) == "pending"  # a stray delivery before its time changes nothing
    assert len(tries(log)) == 1

    assert outbox.due_for_sending(now=later(1.1)) == [email.pk]
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(email.pk) == "pending"
    email.refresh_from_db()
    second_wait = email.next_attempt_at - timezone.now()
    assert timedelta(seconds=110) < second_wait <= timedelta(seconds=120)  # doubled

    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert retry_due_emails() == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("sent", 3)
    assert len(sent(log)) == 1 and len(tries(log)) == 3
    assert not Activity.objects.filter(kind="email_failed").exists()


def test_after_the_last_attempt_it_is_failed_on_the_timeline_and_the_dashboard(
    studio, photographer, flaky, admin_client_for
):
    log = flaky(-1)
    received = inquiry(studio)
    email = OutgoingEmail.objects.get()
    for _ in range(3):
        OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        retry_due_emails()
    email.refresh_from_db()
    assert (email.state, email.attempts, email.next_attempt_at <= timezone.now()) == ("failed", 3, True)
    assert outbox.due_for_sending(now=later(600)) == []  # given up: the sweeper leaves it
    assert not sent(log) and len(tries(log)) == 3

    [line] = Activity.objects.filter(client=received.client, kind="email_failed")
    assert line.summary.startswith("E-mail to owner@northlight.test failed:")
    assert "provider is unavailable" in line.summary

    dashboard = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost").content.decode()
    assert "E-mails that could not be sent" in dashboard
    assert "E-mail to owner@northlight.test failed: ProviderOutage: the e-mail provider is unavailable" in dashboard


def test_another_studio_does_not_see_the_failure(studio, photographer, other_photographer, flaky, admin_client_for):
    flaky(-1)
    inquiry(studio)
    OutgoingEmail.objects.update(state="failed", last_error="ProviderOutage: down")
    dashboard = admin_client_for(other_photographer).get("/admin/", HTTP_HOST="localhost").content.decode()
    assert "E-mails that could not be sent" not in dashboard


def test_a_malformed_message_fails_at_once_and_says_why(studio, photographer, flaky):
    flaky(0)
    client = ClientFactory(studio=studio, email="mia@example.test")
    outbox.queue_studio_mail(
        studio,
        ["mia@example.test\nBcc: everyone@example.test"],
        "team_invite",
        _invite(studio),
        key="bad",
        about=client,
    )
    email = OutgoingEmail.objects.get()
    assert outbox.deliver(email.pk) == "failed"
    [line] = Activity.objects.filter(client=client, kind="email_failed")
    assert "BadHeaderError" in line.summary


def test_two_workers_never_send_the_same_row(studio, photographer, flaky):
    log = flaky(0)
    inquiry(studio)
    email = OutgoingEmail.objects.get()
    # Worker A holds the lease (it is sending); worker B's delivery of the same row sends nothing.
    OutgoingEmail.objects.filter(pk=email.pk).update(state="sending", leased_until=later(10), attempts=1)
    assert outbox.deliver(email.pk) == "busy"
    assert outbox.due_for_sending(now=later(5)) == []
    assert not tries(log)
    # Worker A died mid-send: once its lease is over the sweeper sends it (at least once).
    assert outbox.due_for_sending(now=later(11)) == [email.pk]
    OutgoingEmail.objects.filter(pk=email.pk).update(leased_until=timezone.now() - timedelta(seconds=1))
    assert outbox.deliver(email.pk) == "sent" and len(sent(log)) == 1


def test_a_lost_publish_leaves_it_pending_and_the_sweeper_sends_it(
    studio, photographer, flaky, django_capture_on_commit_callbacks
):
    log = flaky(0)
    with broker_refusing(deliver_email), django_capture_on_commit_callbacks(execute=True):
        inquiry(studio)  # no exception: the request that caused it is answered as usual
    email = OutgoingEmail.objects.get()
    assert (email.state, email.attempts) == ("pending", 0) and not tries(log)

    assert outbox.due_for_sending() == []  # the after-commit task may still be on its way
    assert outbox.due_for_sending(now=later(1.1)) == [email.pk]
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    retry_due_emails()
    assert len(sent(log)) == 1


def test_the_task_survives_a_database_that_refuses_to_record_the_failure(studio, photographer, flaky, monkeypatch):
    """Recording the failure must not be what stops the retry: the row keeps its lease and is swept after it."""
    from django.db import OperationalError as DatabaseDown

    flaky(-1)
    inquiry(studio)
    email = OutgoingEmail.objects.get()

    def refuse(*args, **kwargs):
        raise DatabaseDown("connection refused")

    monkeypatch.setattr(outbox, "record_failure", refuse)
    assert deliver_email(email.pk) == "error"
    email.refresh_from_db()
    assert email.state == "sending"
    assert outbox.due_for_sending(now=later(11)) == [email.pk]


def _invite(studio):
    return {
        "studio": studio,
        "role": "Assistant",
        "invited_by": "Ada Owner",
        "email": "sam@example.com",
        "setup_link": None,
        "admin_url": "https://app.example.com/admin/",
    }
