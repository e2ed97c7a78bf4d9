"""What happens in the business reaches the studio's webhook endpoints, with the whole object."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from billing.models import Payment
from billing.payments import record_succeeded
from bookings import scheduling
from contracts.issuing import issue_contract
from contracts.signing import sign_as_client
from crm.inquiries import receive_inquiry
from crm.models import Activity
from frontend_api.models import WebhookDelivery, WebhookEndpoint
from tests.billing.factories import invoice_for
from tests.bookings.factories import weekly_hours
from tests.contracts.conftest import signature_png
from tests.factories import SessionTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(studio):
    return WebhookEndpoint.objects.create(studio=studio, url="http://127.0.0.1:9/unused")


def sent(event):
    return [d.payload for d in WebhookDelivery.objects.filter(event=event)]


def next_weekday_at(studio, hour=10):
    day = datetime.now(ZoneInfo(studio.time_zone)).date() + timedelta(days=10)
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(studio.time_zone))


def test_an_inquiry_is_sent_with_its_client(studio, endpoint):
    receive_inquiry(studio, name="Emma Stone", email="emma@example.test", message="June wedding?")

    [payload] = sent("inquiry.created")
    assert payload["studio"] == "northlight"
    assert payload["data"]["client"]["email"] == "emma@example.test"
    assert payload["data"]["message"] == "June wedding?"


def test_booking_created_confirmed_and_cancelled(studio, endpoint):
    weekly_hours(studio)
    session_type = SessionTypeFactory(studio=studio, auto_confirm=False)

    booking = scheduling.book(studio, session_type, next_weekday_at(studio), name="Jonah", email="j@example.test")
    scheduling.confirm(booking)
    scheduling.cancel(booking, reason="Moved abroad")

    [created] = sent("booking.created")
    assert created["data"]["client"]["name"] == "Jonah" and created["data"]["status"] == "booked"
    assert created["data"]["session_type"]["name"] == session_type.name
    assert sent("booking.confirmed")[0]["data"]["id"] == booking.pk
    assert sent("booking.cancelled")[0]["data"]["status"] == "cancelled"


def test_a_signed_contract_is_sent(studio, endpoint, wedding_template):
    weekly_hours(studio)
    session_type = SessionTypeFactory(studio=studio)
    booking = scheduling.book(studio, session_type, next_weekday_at(studio), name="Emma", email="e@example.test")
    contract = issue_contract(booking, wedding_template, notify=False)

    sign_as_client(
        contract,
        typed_name="Emma",
        signature_png=signature_png(),
        consent=True,
        signed_sha256=contract.body_sha256,
        ip_address="127.0.0.1",
        user_agent="test",
        notify=False,
    )

    [payload] = sent("contract.signed")
    assert payload["data"]["sha256"] == contract.body_sha256 and payload["data"]["status"] == "signed"


def test_invoice_paid_once_and_on_the_timeline(studio, endpoint):
    invoice = invoice_for(studio)
    payment = Payment.objects.create(
        studio=studio, invoice=invoice, amount=invoice.total, currency=invoice.currency, stripe_account_id="acct_1"
    )

    assert record_succeeded(payment, payment_intent_id="pi_1", amount=invoice.total, currency=invoice.currency)
    assert not record_succeeded(payment, payment_intent_id="pi_1", amount=invoice.total, currency=invoice.currency)

    [payload] = sent("invoice.paid")
    assert payload["data"]["number"] == invoice.number and payload["data"]["amount_paid"] == invoice.total
    kinds = list(Activity.objects.filter(client=invoice.client).values_list("kind", flat=True))
    assert "invoice_sent" in kinds and kinds.count("invoice_paid") == 1


def test_a_partial_payment_is_on_the_timeline_but_not_invoice_paid(studio, endpoint):
    invoice = invoice_for(studio)
    payment = Payment.objects.create(
        studio=studio, invoice=invoice, amount=5_000, currency=invoice.currency, stripe_account_id="acct_1"
    )

    record_succeeded(payment, payment_intent_id="pi_2", amount=5_000, currency=invoice.currency)

    assert sent("invoice.paid") == []
    assert Activity.objects.filter(client=invoice.client, kind="payment_received").count() == 1


def test_no_endpoints_no_deliveries_and_other_studios_hear_nothing(studio, other_studio):
    WebhookEndpoint.objects.create(studio=other_studio, url="http://127.0.0.1:9/unused")
    receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hi")
    assert not WebhookDelivery.objects.exists()
