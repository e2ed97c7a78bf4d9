"""/invoices/<token>/ on the studio's site: lines, totals, schedule, and "Pay" into Stripe Checkout
(tests/billing/stripe_server.py fakes Checkout beside localstripe). The whole flow from a booking:
contract first, then the deposit."""

import pytest
import requests

from billing.models import Invoice, Payment, StudioSubscription
from contracts.models import Contract
from tests.bookings.test_booking_api import book
from tests.contracts.conftest import data_url, signature_png
from tests.factories import SessionTypeFactory

from .conftest import connect
from .factories import invoice_for

pytestmark = pytest.mark.django_db


def page(client, invoice, host=None, query=""):
    return client.get(f"/invoices/{invoice.token}/{query}", HTTP_HOST=host or invoice.studio.hostname)


def pay(client, invoice, host=None):
    return client.post(f"/invoices/{invoice.token}/pay/", HTTP_HOST=host or invoice.studio.hostname)


@pytest.fixture
def professional(studio, plans):
    return StudioSubscription.objects.create(studio=studio, plan=plans["professional"], status="active")


def test_the_client_sees_lines_totals_and_a_pay_button(client, studio):
    invoice = invoice_for(studio, tax_rate_bps=2000)  # 250.00 + 20 % GBP
    response = page(client, invoice)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Invoice {invoice.number}" in html and "Portrait session" in html
    assert "£250.00" in html and "£50.00" in html and "£300.00 due" in html
    assert f'action="/invoices/{invoice.token}/pay/"' in html and "Pay £300.00 by card" in html
    assert "csrfmiddlewaretoken" in html and "noindex" in html


def test_drafts_other_studios_and_unknown_tokens_are_not_found(client, studio, other_studio):
    draft = invoice_for(studio, send=False)
    assert page(client, draft).status_code == 404
    sent = invoice_for(studio)
    refused = page(client, sent, host=other_studio.hostname)
    assert refused.status_code == 404 and sent.client.name not in refused.content.decode()
    assert pay(client, sent, host=other_studio.hostname).status_code == 404
    assert client.get("/invoices/nope/", HTTP_HOST=studio.hostname).status_code == 404
    assert not Payment.objects.exists()


def test_without_stripe_the_client_gets_a_clear_message_and_nothing_is_recorded(client, studio, settings):
    connect(studio)
    settings.STRIPE_SECRET_KEY = ""
    invoice = invoice_for(studio)
    response = pay(client, invoice)
    assert response.status_code == 503
    assert "Card payments are unavailable just now" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_studio_not_connected_to_stripe_says_so(client, studio, stripe_api):
    response = pay(client, invoice_for(studio))
    assert response.status_code == 409
    assert "cannot take card payments yet" in response.content.decode()


def test_returning_from_checkout_thanks_without_marking_paid(client, studio):
    invoice = invoice_for(studio)
    html = page(client, invoice, query="?checkout=success").content.decode()
    assert "Your payment is being confirmed" in html
    invoice.refresh_from_db()
    assert invoice.status == "sent"  # only Stripe's webhook marks it paid
    assert "nothing was charged" in page(client, invoice, query="?checkout=cancelled").content.decode()


def test_book_sign_then_pay_the_deposit_on_the_studios_site(
    client, studio, professional, stripe_api, wedding_template, django_capture_on_commit_callbacks
):
    """The flow of docs/architecture.md: booking → contract → deposit, each page leading to the next."""
    from datetime import time, timedelta

    from django.utils import timezone

    from tests.bookings.factories import weekly_hours

    weekly_hours(studio, time(9), time(17))
    package = SessionTypeFactory(
        studio=studio, name="Family portrait", price=25_000, deposit_percent=25, contract_template=wedding_template
    )
    connect(studio, "acct_northlight01")
    day = (timezone.now() + timedelta(days=7)).astimezone(studio.tz).date()
    start = timezone.make_aware(timezone.datetime.combine(day, time(10)), studio.tz)

    with django_capture_on_commit_callbacks(execute=True):
        booked = book(client, studio, package, start).json()
    invoice = Invoice.objects.get(token=booked["invoice"]["token"])
    contract = Contract.objects.get(token=booked["contract"]["token"])

    # the invoice asks for the contract first, and refuses payment until it is signed
    html = page(client, invoice).content.decode()
    assert "First, sign your contract" in html and f'href="/contracts/{contract.token}/"' in html
    refused = pay(client, invoice)
    assert refused.status_code == 409 and "sign your contract first" in refused.content.decode()
    api_refused = client.post(f"/api/client/invoices/{invoice.token}/checkout/", HTTP_HOST=studio.hostname)
    assert api_refused.status_code == 409 and api_refused.json()["error"]["code"] == "contract_unsigned"
    assert (
        client.get(f"/api/client/invoices/{invoice.token}/", HTTP_HOST=studio.hostname).json()["contract_to_sign"]
        == contract.token
    )
    assert not Payment.objects.exists()

    # sign, as the contract page's script does
    signed = client.post(
        f"/api/client/contracts/{contract.token}/sign/",
        {
            "typed_name": "Mia Hart",
            "signature_image": data_url(signature_png()),
            "consent": True,
            "sha256": contract.body_sha256,
        },
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert signed.status_code == 200 and signed.json()["invoice"]["next_payment"] == 6_250

    # then "Pay £62.50" sends the client to Stripe Checkout for the deposit, on the studio's account
    assert "Pay £62.50 by card" in page(client, invoice).content.decode()
    response = pay(client, invoice)
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    payment = Payment.objects.get()
    assert (payment.amount, payment.stripe_account_id, payment.status) == (6_250, "acct_northlight01", "pending")
    session = requests.get(
        f"{stripe_api}/v1/checkout/sessions/{url.rsplit('/', 1)[1]}",
        headers={"Authorization": "Bearer sk_test_focusflow", "Stripe-Account": "acct_northlight01"},
        timeout=5,
    ).json()
    assert session["amount_total"] == 6_250
    assert session["success_url"] == f"http://{studio.hostname}/invoices/{invoice.token}/?checkout=success"
    # a second click resumes the same session rather than charging twice
    assert pay(client, invoice)["Location"] == url and Payment.objects.count() == 1
