"""The Stripe ledger is durable: committed before 200 even with the broker down, applied by the sweeper with
back-off, dead-lettered (and visible to platform staff) after the last attempt, and a failing failure handler
cannot stop the retry."""

import time
from datetime import timedelta

import pytest
from django.db import OperationalError as DatabaseDown
from django.utils import timezone

from billing import webhooks
from billing.models import StripeEvent, StudioSubscription
from billing.tasks import process_stripe_event, retry_due_stripe_events
from tests.broker_faults import broker_refusing
from tests.factories import UserFactory

from .conftest import connect, make_event, post_event

pytestmark = pytest.mark.django_db


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def account_event(account_id, **state):
    obj = {"id": account_id, "object": "account", "charges_enabled": False, "payouts_enabled": False, **state}
    return make_event("account.updated", obj, account=account_id)


@pytest.fixture
def failing_handler(monkeypatch):
    """invoice.payment_failed's handler raises (a database hiccup) until the test calls `.heal()`."""

    class Switch:
        broken = True

        def heal(self):
            self.broken = False

    switch = Switch()
    original = webhooks.HANDLERS["invoice.payment_failed"]

    def handler(obj, row):
        if switch.broken:
            raise RuntimeError("database hiccup")
        original(obj, row)

    monkeypatch.setitem(webhooks.HANDLERS, "invoice.payment_failed", handler)
    return switch


def test_with_the_broker_down_the_event_is_committed_answered_at_once_and_swept_later(
    client, webhook_secret, studio, django_capture_on_commit_callbacks
):
    account = connect(studio, "acct_down01", charges_enabled=False)
    with broker_refusing(process_stripe_event), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = post_event(client, account_event("acct_down01", charges_enabled=True))
        elapsed = time.monotonic() - started
    assert response.status_code == 200 and elapsed < 2
    row = StripeEvent.objects.get()
    assert (row.status, row.attempts) == ("received", 0)

    assert webhooks.claim_due_events() == []  # the queued task may still come
    StripeEvent.objects.update(received_at=later(-61))
    assert retry_due_stripe_events() == 1  # eager: queued and applied
    row.refresh_from_db()
    account.refresh_from_db()
    assert (row.status, row.attempts, account.charges_enabled) == ("processed", 1, True)
    assert retry_due_stripe_events() == 0


def test_a_failure_is_retried_with_backoff_then_dead_lettered(deliver, studio, plans, settings, failing_handler):
    settings.STRIPE_EVENT_MAX_ATTEMPTS = 3
    StudioSubscription.objects.create(studio=studio, plan=plans["starter"], stripe_customer_id="cus_retry")
    deliver(make_event("invoice.payment_failed", {"id": "in_1", "customer": "cus_retry"}))

    row = StripeEvent.objects.get()
    assert (row.status, row.attempts) == ("failed", 1)
    assert timedelta(seconds=25) < row.next_attempt_at - timezone.now() <= timedelta(seconds=30)
    assert webhooks.claim_due_events() == []
    assert webhooks.claim_due_events(now=later(31)) == [row.pk]
    assert webhooks.claim_due_events(now=later(32)) == []  # claimed: not queued twice while it waits

    StripeEvent.objects.update(next_attempt_at=timezone.now())
    retry_due_stripe_events()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)
    assert timedelta(seconds=55) < row.next_attempt_at - timezone.now() <= timedelta(seconds=60)  # doubled

    StripeEvent.objects.update(next_attempt_at=timezone.now())
    retry_due_stripe_events()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("dead", 3, None)
    assert "database hiccup" in row.error
    assert webhooks.claim_due_events(now=later(10_000)) == []
    assert StudioSubscription.objects.get().status == "incomplete"


def test_platform_staff_see_dead_events_and_retry_them(client, studio, plans, failing_handler, deliver, settings):
    settings.STRIPE_EVENT_MAX_ATTEMPTS = 1
    StudioSubscription.objects.create(studio=studio, plan=plans["starter"], stripe_customer_id="cus_dead")
    deliver(make_event("invoice.payment_failed", {"id": "in_2", "customer": "cus_dead"}))
    row = StripeEvent.objects.get()
    assert row.status == "dead"

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    listing = client.get("/django-admin/billing/stripeevent/?status__exact=dead", HTTP_HOST="localhost")
    assert listing.status_code == 200 and row.event_id in listing.content.decode()

    failing_handler.heal()
    response = client.post(
        "/django-admin/billing/stripeevent/",
        {"action": "retry_events", "_selected_action": [row.pk]},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "processed"
    assert StudioSubscription.objects.get().status == "past_due"


def test_a_database_refusing_the_failure_record_cannot_stop_the_retry(deliver, studio, plans, monkeypatch):
    """Before: the task's failure handler wrote to the database that had just failed, raised, and the event was
    never retried. Now the task returns, the row keeps its schedule, and the sweeper applies it."""
    StudioSubscription.objects.create(studio=studio, plan=plans["starter"], stripe_customer_id="cus_pg")
    event = make_event("invoice.payment_failed", {"id": "in_3", "customer": "cus_pg"})
    with broker_refusing(process_stripe_event):
        deliver(event)
    row = StripeEvent.objects.get()

    def refused(*args, **kwargs):
        raise DatabaseDown("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr(webhooks, "process_event", refused)
    monkeypatch.setattr(webhooks, "record_failure", refused)
    assert process_stripe_event(row.pk) == "failed"  # no exception out of the failure path

    monkeypatch.undo()
    StripeEvent.objects.update(received_at=later(-61))
    assert retry_due_stripe_events() == 1
    row.refresh_from_db()
    assert row.status == "processed" and StudioSubscription.objects.get().status == "past_due"
