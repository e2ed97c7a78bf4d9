"""A client cancels their booking from its manage link after paying (issue 16): the session type's policy
decides whether Stripe gives back the deposit; whatever was paid beyond the deposit always goes back. The
refunds are real localstripe refunds of the PaymentIntent the client paid, recorded as Refund rows."""

from datetime import time, timedelta

import pytest
import requests
from django.utils import timezone

from billing.models import Invoice, Refund, StudioSubscription
from billing.stripe_gateway import client as stripe_client
from bookings.scheduling import book
from bookings.selfservice import client_cancel
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory

from .conftest import connect, make_event, public

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(studio, plans, stripe_api):
    """A 300.00 GBP package with a 25 % deposit, booked for a week from now (policy: change until 48 h)."""
    StudioSubscription.objects.create(studio=studio, plan=plans["professional"], status="active")
    connect(studio, "acct_northlight01")
    weekly_hours(studio, time(9), time(17))
    package = SessionTypeFactory(
        studio=studio, name="Family portrait", price=30_000, deposit_percent=25, minimum_notice=timedelta(hours=24)
    )
    day = (timezone.now() + timedelta(days=7)).astimezone(studio.tz).date()
    start = timezone.make_aware(timezone.datetime.combine(day, time(10)), studio.tz)
    booking = book(studio, package, start, name="Mia Hart", email="mia@example.test")
    return booking, Invoice.objects.get(booking=booking)


def pay_next(client, invoice, stripe_api, deliver) -> str:
    """The client pays what is due now through Checkout; Stripe's webhook records it. Returns the intent id."""
    started = client.post(f"/api/client/invoices/{invoice.token}/checkout/", HTTP_HOST=invoice.studio.hostname)
    assert started.status_code == 201, started.json()
    session_id = started.json()["url"].rsplit("/", 1)[1]
    done = requests.post(f"{stripe_api}/_config/fake/checkout/sessions/{session_id}/complete", timeout=5).json()
    response = deliver(make_event("checkout.session.completed", public(done), account="acct_northlight01"))
    assert response.status_code == 200
    return done["payment_intent"]


def stripe_refunds(intent: str) -> list[int]:
    return [r["amount"] for r in stripe_client().v1.refunds.list({"payment_intent": intent})["data"]]


def test_deposit_kept_by_policy_nothing_goes_back_and_the_rest_is_not_owed(client, booked, stripe_api, deliver):
    booking, invoice = booked
    intent = pay_next(client, invoice, stripe_api, deliver)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("partially_paid", 7_500)

    client_cancel(booking, "Moving abroad")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_refunded) == ("partially_paid", 0)
    shown = client.get(f"/bookings/manage/{booking.manage_token}/", HTTP_HOST=booking.studio.hostname)
    assert "Northlight Photography keeps your £75.00 deposit" in shown.content.decode()
    assert not Refund.objects.exists() and stripe_refunds(intent) == []
    refused = client.post(f"/api/client/invoices/{invoice.token}/checkout/", HTTP_HOST=invoice.studio.hostname)
    assert refused.status_code == 409 and "cancelled" in refused.json()["error"]["message"]


def test_deposit_refunded_by_policy_goes_back_through_stripe(client, booked, stripe_api, deliver):
    booking, invoice = booked
    booking.session_type.cancellation_deposit = "refunded"
    booking.session_type.save()
    intent = pay_next(client, invoice, stripe_api, deliver)

    client_cancel(booking, "Illness")
    shown = client.get(f"/bookings/manage/{booking.manage_token}/", HTTP_HOST=booking.studio.hostname)
    assert f"£75.00 of invoice {invoice.number} is refunded to your card" in shown.content.decode()
    [refund] = Refund.objects.all()
    assert (refund.amount, refund.payment.invoice_id) == (7_500, invoice.pk)
    assert "deposit refunded per policy" in refund.reason
    assert stripe_refunds(intent) == [7_500]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_refunded) == ("refunded", 7_500)


def test_cancelling_early_enough_refunds_a_kept_deposit_and_the_balance_always_goes_back(
    client, booked, stripe_api, deliver
):
    booking, invoice = booked
    package = booking.session_type
    package.full_refund_hours = 24 * 3  # three days before: the booking is a week away
    package.save()
    pay_next(client, invoice, stripe_api, deliver)  # the deposit
    pay_next(client, invoice, stripe_api, deliver)  # the balance, early
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", 30_000)

    client_cancel(booking)
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [7_500, 22_500]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_refunded) == ("refunded", 30_000)


def test_too_late_for_the_full_refund_only_the_balance_goes_back(client, booked, stripe_api, deliver):
    booking, invoice = booked
    package = booking.session_type
    package.full_refund_hours = 24 * 10  # ten days before: already past
    package.save()
    pay_next(client, invoice, stripe_api, deliver)
    balance_intent = pay_next(client, invoice, stripe_api, deliver)

    client_cancel(booking)
    assert list(Refund.objects.values_list("amount", flat=True)) == [22_500]
    assert stripe_refunds(balance_intent) == [22_500]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid - invoice.amount_refunded) == ("paid", 7_500)


def test_stripe_down_the_cancellation_is_not_made(client, booked, stripe_api, deliver, settings):
    from studios.errors import DomainError

    booking, invoice = booked
    booking.session_type.cancellation_deposit = "refunded"
    booking.session_type.save()
    pay_next(client, invoice, stripe_api, deliver)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with pytest.raises(DomainError) as excinfo:
        client_cancel(booking)
    assert excinfo.value.code == "payment_provider_unavailable"
    booking.refresh_from_db()
    assert booking.status == "booked" and not Refund.objects.exists()
