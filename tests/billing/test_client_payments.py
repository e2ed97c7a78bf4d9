"""A client pays an invoice: secret link → Checkout on the studio's connected account → signed
webhook → paid invoice with the platform fee; replays, out-of-order events and another studio's
metadata change nothing they should not. Refunds go back through Stripe (localstripe refunds the
PaymentIntent the fake Checkout created).

localstripe has no /v1/checkout/sessions: tests/billing/stripe_server.py fakes it, and completing a
session there creates and confirms a real localstripe PaymentIntent."""

import pytest
import requests
from django.urls import reverse

from billing.invoicing import InvoiceError
from billing.models import Invoice, Payment, StripeEvent, StudioSubscription
from billing.payments import refund_invoice
from billing.stripe_gateway import client as stripe_client

from .conftest import connect, make_event, public
from .factories import invoice_for

pytestmark = pytest.mark.django_db


def invoice_url(invoice, action=""):
    name = "client:invoice-checkout" if action else "client:invoice"
    return reverse(name, kwargs={"token": invoice.token})


@pytest.fixture
def account(studio):
    return connect(studio, "acct_northlight01")


@pytest.fixture
def professional(studio, plans):
    return StudioSubscription.objects.create(studio=studio, plan=plans["professional"], status="active")


def checkout(client, invoice, host):
    return client.post(invoice_url(invoice, "checkout"), HTTP_HOST=host)


def pay(stripe_api, url):
    """The client pays on Stripe's page; returns the completed session and what the fake was asked."""
    session_id = url.rsplit("/", 1)[1]
    done = requests.post(f"{stripe_api}/_config/fake/checkout/sessions/{session_id}/complete", timeout=5).json()
    return public(done), done


def test_client_walks_from_link_to_paid_invoice(
    client, studio, account, professional, stripe_api, deliver, mailoutbox, django_assert_max_num_queries
):
    invoice = invoice_for(studio, tax_rate_bps=2000)  # 250.00 + 20 % = 300.00 GBP

    # given the link from the e-mail
    with django_assert_max_num_queries(8):
        seen = client.get(invoice_url(invoice), HTTP_HOST=studio.hostname)
    assert seen.status_code == 200
    body = seen.json()
    assert (body["number"], body["status"], body["total"], body["amount_due"]) == (
        "NORTHL-0001",
        "sent",
        30_000,
        30_000,
    )
    assert body["lines"] == [
        {"kind": "package", "description": "Portrait session", "quantity": 1, "unit_amount": 25_000, "amount": 25_000}
    ]
    assert body["next_payment"] == 30_000

    # when they start checkout
    started = checkout(client, invoice, studio.hostname)
    assert started.status_code == 201
    url = started.json()["url"]
    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    invoice.refresh_from_db()
    assert invoice.status == "sent"  # the redirect proves nothing

    session, asked = pay(stripe_api, url)
    assert asked["_account"] == "acct_northlight01"
    assert asked["_payment_intent_data"]["application_fee_amount"] == "600"  # 2 % of 300.00

    # then Stripe's signed webhook marks it paid
    response = deliver(
        make_event("checkout.session.completed", session, account="acct_northlight01", event_id="evt_walk")
    )
    assert response.status_code == 200
    invoice.refresh_from_db()
    payment = invoice.payments.get()
    assert (invoice.status, invoice.amount_paid, invoice.amount_due) == ("paid", 30_000, 0)
    assert (payment.status, payment.amount, payment.application_fee_amount) == ("succeeded", 30_000, 600)
    assert payment.stripe_payment_intent_id == session["payment_intent"]
    receipts = [m for m in mailoutbox if m.subject.startswith("Receipt")]
    assert len(receipts) == 1 and "300.00 GBP" in receipts[0].body and "paid in full" in receipts[0].body

    # a replay of the same event changes nothing and sends no second receipt
    again = deliver(make_event("checkout.session.completed", session, account="acct_northlight01", event_id="evt_walk"))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    invoice.refresh_from_db()
    assert (invoice.amount_paid, Payment.objects.count(), StripeEvent.objects.count()) == (30_000, 1, 1)
    assert len([m for m in mailoutbox if m.subject.startswith("Receipt")]) == 1

    # and the paid invoice cannot be paid again
    refused = checkout(client, invoice, studio.hostname)
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "invoice_not_payable",
        "message": "This invoice is paid in full. Thank you!",
    }


def test_payment_intent_before_checkout_completed_still_pays_once(
    client, studio, account, professional, stripe_api, deliver
):
    invoice = invoice_for(studio)
    session, _ = pay(stripe_api, checkout(client, invoice, studio.hostname).json()["url"])
    intent = stripe_client().v1.payment_intents.retrieve(session["payment_intent"]).to_dict()
    intent["amount_received"] = intent["amount"]

    deliver(make_event("payment_intent.succeeded", intent, account=account.stripe_account_id))
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    deliver(make_event("checkout.session.completed", session, account=account.stripe_account_id))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", 25_000)
    assert StripeEvent.objects.filter(status="processed").count() == 2


def test_deposit_then_balance_goes_partly_paid_then_paid(client, studio, account, professional, stripe_api, deliver):
    from billing.invoicing import invoice_for_booking, send_invoice
    from tests.factories import BookingFactory, SessionTypeFactory

    package = SessionTypeFactory(studio=studio, price=40_000, deposit_percent=25)
    invoice = invoice_for_booking(BookingFactory(studio=studio, session_type=package))
    send_invoice(invoice, link="x")
    for expected_status, expected_paid in (("partially_paid", 10_000), ("paid", 40_000)):
        session, _ = pay(stripe_api, checkout(client, invoice, studio.hostname).json()["url"])
        deliver(make_event("checkout.session.completed", session, account=account.stripe_account_id))
        invoice.refresh_from_db()
        assert (invoice.status, invoice.amount_paid) == (expected_status, expected_paid)
    schedule = client.get(invoice_url(invoice), HTTP_HOST=studio.hostname).json()["schedule"]
    assert [(s["kind"], s["outstanding"]) for s in schedule] == [("deposit", 0), ("balance", 0)]


def test_payment_for_another_studios_invoice_is_refused_and_logged(
    client, studio, other_studio, account, professional, stripe_api, deliver, caplog
):
    theirs = invoice_for(other_studio)
    connect(other_studio, "acct_harbour0001")
    session, _ = pay(stripe_api, checkout(client, theirs, other_studio.hostname).json()["url"])
    # studio A's connected account reports a payment whose metadata points at studio B's invoice
    response = deliver(make_event("checkout.session.completed", session, account=account.stripe_account_id))
    assert response.status_code == 200  # acknowledged, so Stripe stops retrying
    theirs.refresh_from_db()
    assert (theirs.status, theirs.amount_paid) == ("sent", 0)
    assert theirs.payments.get().status == "pending"
    event = StripeEvent.objects.get()
    assert event.status == "refused" and "acct_harbour0001" in event.error
    assert "Refused Stripe event" in caplog.text


def test_amount_mismatch_is_refused(client, studio, account, professional, stripe_api, deliver):
    invoice = invoice_for(studio)
    session, _ = pay(stripe_api, checkout(client, invoice, studio.hostname).json()["url"])
    session["amount_total"] = 1
    deliver(make_event("checkout.session.completed", session, account=account.stripe_account_id))
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0 and StripeEvent.objects.get().status == "refused"


def test_invoice_links_are_per_studio(client, studio, other_studio, account, stripe_api):
    theirs = invoice_for(other_studio)
    draft = invoice_for(studio, send=False)
    for url in (invoice_url(theirs), invoice_url(theirs, "checkout"), invoice_url(draft), "/api/client/invoices/nope/"):
        response = (
            client.post(url, HTTP_HOST=studio.hostname)
            if "checkout" in url
            else client.get(url, HTTP_HOST=studio.hostname)
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert not Payment.objects.exists()


def test_studio_without_payments_set_up_says_so(client, studio, stripe_api):
    invoice = invoice_for(studio)
    connect(studio, charges_enabled=False)
    response = checkout(client, invoice, studio.hostname)
    assert response.status_code == 409
    assert (
        response.json()["error"]["message"]
        == "Northlight Photography cannot take card payments yet; please contact them."
    )
    assert not Payment.objects.exists()


def test_stripe_down_at_checkout_leaves_nothing_behind(client, studio, account, settings, stripe_api):
    invoice = invoice_for(studio)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    response = checkout(client, invoice, studio.hostname)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payment_provider_unavailable"
    assert not Payment.objects.exists()


def test_full_and_partial_refunds_go_through_stripe(
    client, studio, account, professional, stripe_api, deliver, photographer
):
    invoice = invoice_for(studio)
    session, _ = pay(stripe_api, checkout(client, invoice, studio.hostname).json()["url"])
    deliver(make_event("checkout.session.completed", session, account=account.stripe_account_id))

    [partial] = refund_invoice(invoice, 5_000, user=photographer, reason="Late delivery")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_refunded) == ("paid", 5_000)
    stripe_refund = stripe_client().v1.refunds.retrieve(partial.stripe_refund_id)
    assert (stripe_refund["amount"], stripe_refund["payment_intent"]) == (5_000, session["payment_intent"])

    with pytest.raises(InvoiceError, match="At most 200.00 GBP"):
        refund_invoice(invoice, 20_001)
    refund_invoice(invoice, 20_000)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_refunded) == (Invoice.Status.REFUNDED, 25_000)
    assert len(stripe_client().v1.refunds.list({"payment_intent": session["payment_intent"]})["data"]) == 2


def test_expired_session_marks_the_attempt_expired_and_the_invoice_stays_payable(
    client, studio, account, professional, stripe_api, deliver
):
    invoice = invoice_for(studio)
    url = checkout(client, invoice, studio.hostname).json()["url"]
    session = stripe_client().v1.checkout.sessions.retrieve(url.rsplit("/", 1)[1]).to_dict()
    session.update(status="expired")
    deliver(make_event("checkout.session.expired", session, account=account.stripe_account_id))
    assert invoice.payments.get().status == "expired"
    invoice.refresh_from_db()
    assert invoice.status == "sent"
    assert checkout(client, invoice, studio.hostname).status_code == 201


def test_completed_but_unpaid_session_waits_for_the_async_payment(
    client, studio, account, professional, stripe_api, deliver
):
    invoice = invoice_for(studio)
    session, _ = pay(stripe_api, checkout(client, invoice, studio.hostname).json()["url"])
    deliver(
        make_event(
            "checkout.session.completed", {**session, "payment_status": "unpaid"}, account=account.stripe_account_id
        )
    )
    invoice.refresh_from_db()
    assert invoice.status == "sent" and invoice.payments.get().status == "pending"
    deliver(make_event("checkout.session.async_payment_succeeded", session, account=account.stripe_account_id))
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_refunds_made_in_the_stripe_dashboard_arrive_by_webhook_once(
    client, studio, account, professional, stripe_api, deliver
):
    invoice = invoice_for(studio)
    session, _ = pay(stripe_api, checkout(client, invoice, studio.hostname).json()["url"])
    deliver(make_event("checkout.session.completed", session, account=account.stripe_account_id))
    [ours] = refund_invoice(invoice, 1_000)  # from our admin
    theirs = stripe_client().v1.refunds.create({"payment_intent": session["payment_intent"], "amount": 4_000})

    intent = stripe_client().v1.payment_intents.retrieve(session["payment_intent"])
    latest = intent["latest_charge"]  # localstripe expands it; Stripe sends the id
    charge = stripe_client().v1.charges.retrieve(latest if isinstance(latest, str) else latest["id"]).to_dict()
    charge["refunds"] = {
        "object": "list",
        "data": [
            {"id": ours.stripe_refund_id, "amount": 1_000, "status": "succeeded"},
            {"id": theirs.id, "amount": 4_000, "status": "succeeded"},
        ],
    }
    event = make_event("charge.refunded", charge, account=account.stripe_account_id)
    deliver(event)
    deliver(event)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_refunded) == ("paid", 5_000)
    assert invoice.payments.get().refunds.count() == 2


def test_checkout_is_throttled(client, studio, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    invoice = invoice_for(studio)
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"invoice_checkout": "2/min", "invoice": "60/min"})
    codes = [checkout(client, invoice, studio.hostname) for _ in range(3)]
    assert [r.status_code for r in codes] == [409, 409, 429]  # no connected account: refused, but counted
    assert codes[2].json()["error"]["code"] == "throttled"


def test_a_second_click_reuses_the_open_checkout(client, studio, account, professional, stripe_api):
    invoice = invoice_for(studio)
    first = checkout(client, invoice, studio.hostname).json()["url"]
    second = checkout(client, invoice, studio.hostname).json()["url"]
    assert first == second and Payment.objects.count() == 1
    pay(stripe_api, first)  # once Stripe's session is complete, it is not offered again
    third = checkout(client, invoice, studio.hostname).json()["url"]
    assert third != first and Payment.objects.count() == 2
