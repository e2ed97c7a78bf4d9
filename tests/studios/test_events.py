"""The domain-event bus (studios.events): topics, order, in-transaction and after-commit handlers, and the
booking's consequences (timeline, contract, invoice) arriving through subscribers."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from billing.models import Invoice
from billing.subscribers import bill_booking
from bookings import scheduling
from bookings.models import Booking
from contracts.models import Contract
from contracts.subscribers import contract_for_new_booking
from crm.models import Activity, Client
from frontend_api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from studios import events
from tests.bookings.factories import weekly_hours
from tests.factories import ClientFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def restore_subscriptions():
    """Let a test change the subscriptions; the app's own come back afterwards, in their order."""
    saved = list(events._subscriptions)
    yield
    events._subscriptions[:] = saved


@pytest.fixture
def bare_bus(restore_subscriptions):
    """Only the test's own handlers are subscribed."""
    events._subscriptions.clear()


@pytest.fixture
def heard(bare_bus):
    calls = []

    def record(name):
        def handler(studio, topic, obj, **context):
            calls.append((name, topic, obj, context))

        return handler

    return calls, record


def test_after_commit_handlers_run_once_after_commit(studio, heard, django_capture_on_commit_callbacks):
    calls, record = heard
    events.subscribe("inquiry.created", record("mail"), after_commit=True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        events.publish(studio, "inquiry.created", "the inquiry", by="someone")
        assert calls == []  # not yet: the data is not committed

    assert calls == [("mail", "inquiry.created", "the inquiry", {"by": "someone"})]
    assert len(callbacks) == 1


def test_after_commit_handlers_never_run_when_the_transaction_rolls_back(
    studio, heard, django_capture_on_commit_callbacks
):
    calls, record = heard
    events.subscribe("inquiry.created", record("mail"), after_commit=True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        events.publish(studio, "inquiry.created", "the inquiry")
        raise Boom

    assert calls == [] and callbacks == []


def test_in_transaction_handlers_run_at_once_and_roll_back_with_the_publisher(studio, bare_bus):
    client = ClientFactory(studio=studio, name="Emma")

    def note_it(studio, topic, obj, **context):
        Activity.objects.create(studio=studio, client=client, kind="note", summary=f"heard {topic}")

    events.subscribe("inquiry.created", note_it)

    with pytest.raises(Boom), transaction.atomic():
        ClientFactory(studio=studio, name="Written by the publisher")
        events.publish(studio, "inquiry.created", client)
        assert Activity.objects.filter(summary="heard inquiry.created").exists()  # ran inside, at once
        raise Boom

    assert not Activity.objects.filter(summary="heard inquiry.created").exists()
    assert not Client.objects.filter(name="Written by the publisher").exists()


def test_a_failing_in_transaction_handler_undoes_the_publishers_writes(studio, bare_bus):
    def fail(studio, topic, obj, **context):
        raise Boom

    events.subscribe("inquiry.created", fail)

    with pytest.raises(Boom), transaction.atomic():
        ClientFactory(studio=studio, name="Written by the publisher")
        events.publish(studio, "inquiry.created", None)

    assert not Client.objects.filter(name="Written by the publisher").exists()


def test_unknown_topics_fail_loudly(studio, bare_bus):
    def handler(studio, topic, obj, **context):
        pass

    with pytest.raises(events.UnknownTopic, match="booking.craeted"):
        events.subscribe("booking.craeted", handler)
    with pytest.raises(events.UnknownTopic):
        events.publish(studio, "booking.craeted", None)
    with pytest.raises(events.UnknownTopic):
        events.publish(studio, "*", None)  # "*" is for subscribers only
    with pytest.raises(events.UnknownTopic):
        events.publish_together(studio, ["booking.created", "booking.confirmd"], None)


def test_handlers_run_by_order_then_registration(studio, heard):
    calls, record = heard
    events.subscribe("booking.created", record("late"), order=50)
    events.subscribe("booking.created", record("first"), order=10)
    events.subscribe("booking.created", record("late, registered later"), order=50)
    events.subscribe("*", record("everything"), order=20)
    events.subscribe("booking.cancelled", record("other topic"), order=1)
    events.subscribe("booking.created", record("default"))

    events.publish(studio, "booking.created", None)

    assert [name for name, *_ in calls] == ["first", "everything", "late", "late, registered later", "default"]


def test_topics_published_together_are_heard_level_by_level(studio, heard):
    calls, record = heard
    events.subscribe("booking.created", record("timeline"), order=10)
    events.subscribe("*", record("webhook"), order=20)
    events.subscribe("booking.created", record("contract"), order=30)

    events.publish_together(studio, ["booking.created", "booking.confirmed"], None)

    assert [(name, topic) for name, topic, *_ in calls] == [
        ("timeline", "booking.created"),
        ("webhook", "booking.created"),
        ("webhook", "booking.confirmed"),
        ("contract", "booking.created"),
    ]


def test_subscribing_twice_is_once_and_unsubscribe_stops_it(studio, heard):
    calls, record = heard
    handler = record("once")
    events.subscribe("booking.created", handler)
    events.subscribe("booking.created", handler)
    events.publish(studio, "booking.created", None)
    assert len(calls) == 1

    assert events.unsubscribe("booking.created", handler)
    events.publish(studio, "booking.created", None)
    assert len(calls) == 1
    assert not events.unsubscribe("booking.created", handler)


def test_every_webhook_event_is_a_topic():
    assert set(WebhookEvent.values) <= set(events.TOPICS)


# A booking's consequences come from the subscribers in crm, contracts and billing.


def next_weekday_at(studio, hour=10):
    day = datetime.now(ZoneInfo(studio.time_zone)).date() + timedelta(days=10)
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(studio.time_zone))


@pytest.fixture
def package(studio, wedding_template):
    weekly_hours(studio)
    return SessionTypeFactory(studio=studio, contract_template=wedding_template, price=40_000, auto_confirm=True)


def book(studio, package):
    return scheduling.book(studio, package, next_weekday_at(studio), name="Emma", email="emma@example.test")


def test_a_booking_gets_its_timeline_webhooks_contract_and_invoice_in_order(studio, package, mailoutbox):
    WebhookEndpoint.objects.create(studio=studio, url="http://127.0.0.1:9/unused")

    booking = book(studio, package)

    kinds = list(booking.client.activities.order_by("pk").values_list("kind", flat=True))
    assert [k for k in kinds if k != "stage_changed"] == ["booking_made", "contract_sent", "invoice_sent"]
    assert Contract.objects.filter(booking=booking).count() == 1
    assert Invoice.objects.filter(booking=booking, status=Invoice.Status.SENT).count() == 1
    deliveries = list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))
    # Both booking events are queued before the contract and the invoice (each now an event of its own too).
    assert [d for d in deliveries if d.startswith("booking.")] == ["booking.created", "booking.confirmed"]
    assert deliveries.index("booking.confirmed") < deliveries.index("contract.sent") < deliveries.index("invoice.sent")


def test_the_billing_subscriber_is_what_invoices_a_booking(studio, package, restore_subscriptions):
    assert events.unsubscribe("booking.created", bill_booking)

    booking = book(studio, package)

    assert not Invoice.objects.filter(booking=booking).exists()
    assert Contract.objects.filter(booking=booking).exists()


def test_the_contracts_subscriber_is_what_issues_the_contract(studio, package, restore_subscriptions):
    assert events.unsubscribe("booking.created", contract_for_new_booking)

    booking = book(studio, package)

    assert not Contract.objects.filter(booking=booking).exists()
    assert Invoice.objects.filter(booking=booking).exists()
    assert not booking.client.activities.filter(kind="contract_sent").exists()


def test_a_failing_subscriber_leaves_no_booking(studio, package, restore_subscriptions):
    def fail(studio, topic, obj, **context):
        raise Boom

    events.subscribe("booking.created", fail, order=35)  # after the contract, before the invoice

    with pytest.raises(Boom):
        book(studio, package)

    assert not Booking.objects.filter(studio=studio).exists()
    assert not Contract.objects.filter(studio=studio).exists()
