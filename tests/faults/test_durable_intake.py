"""Fault injection, durable intake: Stripe events, e-mails and outgoing webhooks survive a Redis outage and a
failing e-mail provider; each is applied or sent exactly once, and what gives up is shown.

Runs on PostgreSQL with its own redis-server and its own Celery worker + beat (tests/faults/_redis_durable.py);
skipped on SQLite."""

import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections, connection
from django.test import Client as HttpClient

from billing import webhooks
from billing.models import Payment, StripeEvent
from bookings import scheduling
from crm.inquiries import receive_inquiry
from crm.models import Activity
from frontend_api.models import WebhookDelivery, WebhookEndpoint
from studios.models import OutgoingEmail
from studios.outbox import queue_studio_mail
from tests.billing.conftest import WEBHOOK_SECRET, make_event, post_event
from tests.billing.factories import invoice_for
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory
from tests.frontend_api.test_outgoing_webhooks import Receiver
from tests.mail_backends import sent, tries

from . import _redis_durable
from ._redis_durable import wait_until

# The private Redis, the worker and the e-mail log (the lead may move them into tests/faults/conftest.py).
private_redis = _redis_durable.private_redis
durable_worker = _redis_durable.durable_worker
durable_settings = _redis_durable.durable_settings
mail_log = _redis_durable.mail_log

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SETTLE = 90  # seconds for the worker and the sweepers to finish after Redis is back (a busy 2-core CI box)


@pytest.fixture
def stripe_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def paid_session(studio, photographer):
    """A sent invoice with a pending payment, and the signed `checkout.session.completed` that pays it."""
    invoice = invoice_for(studio)
    payment = Payment.objects.create(
        studio=studio, invoice=invoice, amount=invoice.total, currency=invoice.currency, stripe_account_id="acct_f1"
    )
    session = {
        "id": "cs_fault",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "payment_intent": "pi_fault",
        "amount_total": invoice.total,
        "currency": invoice.currency,
        "metadata": {"payment_id": str(payment.pk), "invoice_id": str(invoice.pk), "studio_id": str(studio.pk)},
    }
    return payment, make_event("checkout.session.completed", session, account="acct_f1", event_id="evt_fault")


def applied_once(payment) -> None:
    """The payment's effects, each exactly once: succeeded, one timeline line, one receipt in the outbox."""
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert Activity.objects.filter(client=payment.invoice.client, kind="invoice_paid").count() == 1
    assert OutgoingEmail.objects.filter(template="billing_receipt").count() == 1


def no_duplicate_sends(log) -> None:
    ids = [entry["message_id"] for entry in sent(log)]
    assert len(ids) == len(set(ids)), "an e-mail was sent twice"


def next_weekday_at(studio, hour=10):
    day = datetime.now(ZoneInfo(studio.time_zone)).date() + timedelta(days=10)
    return datetime.combine(day, clock(hour), tzinfo=ZoneInfo(studio.time_zone))


def test_a_stripe_event_received_while_redis_is_down_is_answered_at_once_and_applied_once_after(
    client, stripe_secret, private_redis, durable_worker, paid_session, mail_log
):
    payment, event = paid_session
    private_redis.stop()

    started = time.monotonic()
    response = post_event(client, event)
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and elapsed < 3, f"answered {response.status_code} in {elapsed:.1f} s"
    row = StripeEvent.objects.get()  # committed before the answer
    assert (row.status, row.attempts) == ("received", 0)
    time.sleep(3)  # past the sweep delay while Redis is still down: nothing can be lost meanwhile
    payment.refresh_from_db()
    assert payment.status == "pending"

    private_redis.start()
    wait_until(lambda: StripeEvent.objects.get().status == "processed", timeout=SETTLE, what="the event applied")
    applied_once(payment)
    assert StripeEvent.objects.get().attempts == 1
    # The receipt and the invoice e-mail leave too, each once (every message fails twice first: retried).
    wait_until(lambda: not OutgoingEmail.objects.exclude(state="sent").exists(), timeout=SETTLE, what="the e-mails")
    no_duplicate_sends(mail_log)


def test_the_same_event_ten_times_in_parallel_is_applied_once(
    stripe_secret, private_redis, durable_worker, paid_session, mail_log
):
    payment, event = paid_session
    barrier = threading.Barrier(20)
    answers, errors = [], []

    def post():
        try:
            barrier.wait()
            answers.append(post_event(HttpClient(), event).status_code)
        except Exception as exc:  # a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    def apply_directly():
        try:
            barrier.wait()
            webhooks.process_event(StripeEvent.objects.get(event_id="evt_fault").pk)
        except StripeEvent.DoesNotExist:
            pass  # no POST has committed it yet: the POSTs queue it themselves
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    # The row must exist for the direct appliers, so one delivery first, then 10 POSTs and 10 appliers at once.
    assert post_event(HttpClient(), event).status_code == 200
    threads = [threading.Thread(target=post) for _ in range(10)] + [
        threading.Thread(target=apply_directly) for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    assert not errors and answers == [200] * 10
    wait_until(lambda: StripeEvent.objects.get().status == "processed", timeout=SETTLE, what="the event applied")
    time.sleep(3)  # what the POSTs queued runs meanwhile on the worker: it must change nothing
    assert StripeEvent.objects.count() == 1 and StripeEvent.objects.get().attempts == 1
    applied_once(payment)


def test_a_failing_email_is_retried_then_shown_as_failed_and_nothing_is_sent_twice(
    private_redis, durable_worker, studio, photographer, mail_log, admin_client_for
):
    # The worker's e-mail provider fails every message twice, then sends it; an unreachable address always fails.
    receive_inquiry(studio, name="Mia", email="mia@example.test", message="Family shoot?")
    lost = receive_inquiry(studio, name="Lee", email="unreachable-lee@example.test", message="Headshots?")
    queue_studio_mail(
        studio, [lost.client.email], "team_invite", _invite(studio), key="fault:unreachable", about=lost.client
    )
    wait_until(
        lambda: (
            OutgoingEmail.objects.filter(state="sent").count() == 2
            and OutgoingEmail.objects.filter(state="failed").count() == 1
        ),
        timeout=SETTLE,
        what="two inquiry notices sent and the unreachable e-mail given up",
    )
    failed = OutgoingEmail.objects.get(state="failed")
    assert failed.attempts == 3 and "provider is unavailable" in failed.last_error
    line = Activity.objects.get(client=lost.client, kind="email_failed")
    assert line.summary.startswith("E-mail to unreachable-lee@example.test failed:")
    dashboard = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost").content.decode()
    assert "E-mail to unreachable-lee@example.test failed" in dashboard

    for email in OutgoingEmail.objects.filter(state="sent"):
        assert email.attempts == 3  # two failures, then sent
    assert len([t for t in tries(mail_log) if t["to"] == ["unreachable-lee@example.test"]]) == 3
    time.sleep(3)  # more sweeps: nothing is sent again
    assert len(sent(mail_log)) == 2
    no_duplicate_sends(mail_log)


def test_events_and_emails_queued_while_redis_is_down_are_delivered_once_after_it_returns(
    private_redis, durable_worker, studio, photographer, mail_log
):
    receiver = Receiver()
    try:
        WebhookEndpoint.objects.create(studio=studio, url=receiver.url)
        weekly_hours(studio)
        session_type = SessionTypeFactory(studio=studio, auto_confirm=True)
        private_redis.stop()

        started = time.monotonic()
        booking = scheduling.book(studio, session_type, next_weekday_at(studio), name="Ava", email="ava@example.test")
        receive_inquiry(studio, name="Noah", email="noah@example.test", message="Newborn session?")
        assert time.monotonic() - started < 8  # every publish refused quickly, none waited for
        emails = OutgoingEmail.objects.count()
        deliveries = WebhookDelivery.objects.count()
        # E-mails: the client's confirmation, the photographer's notices; webhooks: created, confirmed, inquiry.
        assert emails >= 3 and deliveries >= 3
        assert not tries(mail_log) and not receiver.requests

        private_redis.start()
        wait_until(
            lambda: (
                OutgoingEmail.objects.filter(state="sent").count() == emails
                and WebhookDelivery.objects.filter(status="succeeded").count() == deliveries
            ),
            timeout=SETTLE,
            what="every e-mail and webhook delivered",
        )
        time.sleep(3)  # a few more sweeps: nothing goes twice
        assert len(sent(mail_log)) == emails
        no_duplicate_sends(mail_log)
        delivered = [r["headers"]["focusflow-delivery"] for r in receiver.requests]
        assert sorted(delivered) == sorted(str(pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True))
        booking.refresh_from_db()
        assert booking.status == "confirmed"
    finally:
        receiver.server.shutdown()


def _invite(studio):
    return {
        "studio": studio,
        "role": "Assistant",
        "invited_by": "Ada Owner",
        "email": "lee@example.test",
        "setup_link": None,
        "admin_url": "https://app.example.com/admin/",
    }
