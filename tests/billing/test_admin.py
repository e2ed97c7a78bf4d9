"""Billing in the real Wagtail admin: plan and usage, Connect onboarding, invoices, refunds, revenue.
Every URL is also tried as the other studio's photographer (404).

localstripe lacks Connect accounts, account links, Checkout and the billing portal: those are answered
by the fake in tests/billing/stripe_server.py; refunds go to localstripe's PaymentIntents."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from billing.models import ConnectedAccount, Invoice, Payment, StudioSubscription
from billing.payments import record_succeeded
from tests.factories import ClientFactory

from .conftest import connect
from .factories import invoice_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_admin(admin_client_for, photographer):
    client = admin_client_for(photographer)
    client.defaults["HTTP_HOST"] = "localhost"  # the admin lives on the platform host
    return client


@pytest.fixture
def b_admin(client_factory, other_photographer):
    client = client_factory()
    client.force_login(other_photographer)
    client.defaults["HTTP_HOST"] = "localhost"
    return client


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def paid(invoice, amount=None, account="acct_x", pi=None):
    payment = Payment.objects.create(
        studio=invoice.studio,
        invoice=invoice,
        amount=amount or invoice.total,
        currency=invoice.currency,
        stripe_account_id=account,
    )
    record_succeeded(
        payment, payment_intent_id=pi or f"pi_test_{payment.pk}", amount=payment.amount, currency=invoice.currency
    )
    invoice.refresh_from_db()
    return payment


def test_plan_and_usage_shows_meters_plans_and_connect_status(a_admin, studio, plans):
    response = a_admin.get("/admin/billing/plan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your plan: Starter" in html
    assert "Staff seats</td><td>1</td><td>1</td>" in html
    assert "Choose Professional" in html and "49.00 USD" in html
    assert "Connect Stripe" in html


def test_billing_is_in_the_admin_menus(a_admin, studio):
    home = a_admin.get("/admin/").content
    assert (
        b"/admin/billing/plan/" in home and b"/admin/billing/invoices/" in home and b"/admin/billing/revenue/" in home
    )
    assert b"/admin/billing/stripe-events/" not in home  # platform staff only


def test_subscribe_and_portal_redirect_to_stripe(a_admin, studio, plans, stripe_api):
    call_command("sync_stripe_plans", stdout=io.StringIO())
    response = a_admin.post("/admin/billing/plan/subscribe/", {"plan": "studio"})
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    portal = a_admin.post("/admin/billing/plan/portal/")
    assert portal["Location"].startswith("https://billing.stripe.com/p/session/")


def test_subscribe_error_is_shown_not_raised(a_admin, studio, plans, stripe_api):
    response = a_admin.post("/admin/billing/plan/subscribe/", {"plan": "studio"}, follow=True)
    assert "not on sale yet" in response.content.decode()
    assert a_admin.post("/admin/billing/plan/subscribe/", {"plan": "nope"}).status_code == 404


def test_connect_onboarding_then_status_from_stripe(a_admin, studio, plans, stripe_api):
    response = a_admin.post("/admin/billing/connect/")
    assert response.status_code == 302 and response["Location"].startswith("https://connect.stripe.com/setup/e/acct_")
    account = ConnectedAccount.objects.get(studio=studio)
    assert not account.charges_enabled
    requests.post(f"{stripe_api}/_config/fake/accounts/{account.stripe_account_id}/finish_onboarding", timeout=5)

    back = a_admin.get("/admin/billing/connect/return/", follow=True)
    account.refresh_from_db()
    assert account.charges_enabled and account.payouts_enabled
    assert "Ready: accepting payments and paying out" in back.content.decode()
    # A second click does not create a second account.
    a_admin.post("/admin/billing/connect/")
    assert ConnectedAccount.objects.count() == 1


def test_invoice_listing_filters_and_isolation(a_admin, studio, other_studio):
    mine = invoice_for(studio)
    invoice_for(studio, send=False)
    theirs = invoice_for(other_studio, client=ClientFactory(studio=other_studio, name="Harbour Secret Client"))
    listing = a_admin.get("/admin/billing/invoices/").content.decode()
    assert mine.number in listing and "250.00 GBP" in listing
    assert theirs.number not in listing and "Harbour Secret" not in listing
    sent_only = a_admin.get("/admin/billing/invoices/?status=sent").content.decode()
    assert mine.number in sent_only and "NORTHL-0002" not in sent_only


def test_create_invoice_in_the_admin(a_admin, studio, other_studio):
    mine = ClientFactory(studio=studio, name="Emma Client")
    theirs = ClientFactory(studio=other_studio, name="Harbour Secret Client")
    form = a_admin.get("/admin/billing/invoices/new/").content.decode()
    assert "Emma Client" in form and "Harbour Secret" not in form

    data = {
        "client": mine.pk,
        "booking": "",
        "due_date": (timezone.now() + timedelta(days=10)).date().isoformat(),
        "tax_rate_bps": "20",
        "notes": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-kind": "package",
        "lines-0-description": "Wedding",
        "lines-0-quantity": "1",
        "lines-0-unit_amount": "1000",
        "lines-0-ORDER": "1",
        "lines-1-kind": "discount",
        "lines-1-description": "Friends",
        "lines-1-quantity": "1",
        "lines-1-unit_amount": "100.00",
        "lines-1-ORDER": "2",
    }
    response = a_admin.post("/admin/billing/invoices/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice = Invoice.objects.get()
    assert (invoice.studio, invoice.number, invoice.total, invoice.currency) == (studio, "NORTHL-0001", 108_000, "gbp")

    # With a booking, the deposit and balance schedule comes from its session type.
    from tests.factories import BookingFactory, SessionTypeFactory

    booking = BookingFactory(
        studio=studio, client=mine, session_type=SessionTypeFactory(studio=studio, price=100_000, deposit_percent=30)
    )
    response = a_admin.post("/admin/billing/invoices/new/", {**data, "booking": booking.pk})
    assert response.status_code == 302
    with_booking = Invoice.objects.get(booking=booking)
    assert list(with_booking.installments.values_list("kind", "amount")) == [("deposit", 32_400), ("balance", 75_600)]
    Invoice.objects.filter(booking=booking).delete()

    # Another studio's client is not a choice.
    refused = a_admin.post("/admin/billing/invoices/new/", {**data, "client": theirs.pk})
    assert refused.status_code == 200 and Invoice.objects.count() == 1
    # Discounts beyond the total are refused with a message.
    too_much = a_admin.post("/admin/billing/invoices/new/", {**data, "lines-1-unit_amount": "2000"})
    assert "cannot be negative" in too_much.content.decode() and Invoice.objects.count() == 1


def test_send_inspect_void(a_admin, studio, mailoutbox, django_capture_on_commit_callbacks):
    invoice = invoice_for(studio, send=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = a_admin.post(f"/admin/billing/invoices/{invoice.pk}/send/", follow=True)
    assert "sent to" in response.content.decode()
    assert mailoutbox[-1].to == [invoice.client.email]
    assert f"/invoices/{invoice.token}/" in mailoutbox[-1].body
    page = a_admin.get(f"/admin/billing/invoices/inspect/{invoice.pk}/").content.decode()
    assert "Invoice NORTHL-0001 — Sent" in page
    # a sent invoice is not edited; the edit URL shows it instead
    assert a_admin.get(f"/admin/billing/invoices/edit/{invoice.pk}/")["Location"].endswith(f"/inspect/{invoice.pk}/")
    a_admin.post(f"/admin/billing/invoices/{invoice.pk}/void/")
    invoice.refresh_from_db()
    assert invoice.status == "void"


def test_refund_from_the_admin(a_admin, studio, stripe_api, plans):
    """A refund goes to localstripe: the payment is a real localstripe PaymentIntent."""
    from billing.stripe_gateway import client as stripe_client

    invoice = invoice_for(studio)
    api = stripe_client()
    method = api.v1.payment_methods.create(
        {"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    intent = api.v1.payment_intents.create(
        {"amount": invoice.total, "currency": "gbp", "payment_method": method.id, "confirm": True}
    )
    paid(invoice, pi=intent.id)

    bad = a_admin.post(f"/admin/billing/invoices/{invoice.pk}/refund/", {"amount": "12.345"})
    assert bad.status_code == 400 and "at most 2 decimal places" in bad.content.decode()
    too_much = a_admin.post(f"/admin/billing/invoices/{invoice.pk}/refund/", {"amount": "250.01"})
    assert too_much.status_code == 400 and "At most 250.00 GBP" in too_much.content.decode()
    invoice.refresh_from_db()
    assert invoice.amount_refunded == 0

    ok = a_admin.post(f"/admin/billing/invoices/{invoice.pk}/refund/", {"amount": "50.00", "reason": "Late"})
    assert ok.status_code == 302
    invoice.refresh_from_db()
    assert invoice.amount_refunded == 5_000
    assert api.v1.refunds.list({"payment_intent": intent.id})["data"][0]["amount"] == 5_000


def test_revenue_by_month_and_csv(a_admin, studio, settings):
    today = timezone.now().astimezone(studio.tz).date()
    paid_one = invoice_for(studio)
    paid(paid_one)
    partly = invoice_for(studio)
    paid(partly, amount=10_000)
    overdue = invoice_for(studio, due_date=today - timedelta(days=1))
    Invoice.objects.filter(pk=overdue.pk).update(due_date=today - timedelta(days=1))

    page = a_admin.get(f"/admin/billing/revenue/?year={today.year}")
    assert page.status_code == 200
    rows = list(csv.reader(io.StringIO(a_admin.get(f"/admin/billing/revenue.csv?year={today.year}").content.decode())))
    assert rows[0] == ["month", "paid (GBP)", "outstanding (GBP)", "overdue (GBP)"]
    totals = [sum(float(r[i]) for r in rows[1:]) for i in (1, 2, 3)]
    assert totals == [350.0, 150.0, 250.0]
    assert len(rows) == 13


DENIED_GET = [
    "/admin/billing/invoices/edit/{pk}/",
    "/admin/billing/invoices/delete/{pk}/",
    "/admin/billing/invoices/inspect/{pk}/",
    "/admin/billing/invoices/history/{pk}/",
    "/admin/billing/invoices/usage/{pk}/",
    "/admin/billing/invoices/{pk}/refund/",
]
DENIED_POST = [
    "/admin/billing/invoices/edit/{pk}/",
    "/admin/billing/invoices/delete/{pk}/",
    "/admin/billing/invoices/{pk}/send/",
    "/admin/billing/invoices/{pk}/void/",
    "/admin/billing/invoices/{pk}/refund/",
]


@pytest.mark.parametrize("url", DENIED_GET)
def test_other_studio_cannot_open_an_invoice(b_admin, studio, url):
    invoice = invoice_for(studio, send=False, client=ClientFactory(studio=studio, name="Northlight Secret"))
    response = b_admin.get(url.format(pk=invoice.pk))
    assert response.status_code == 404
    assert b"Northlight Secret" not in response.content


@pytest.mark.parametrize("url", DENIED_POST)
def test_other_studio_cannot_change_an_invoice(b_admin, studio, url):
    invoice = invoice_for(studio, send=False)
    before = Invoice.objects.values().get(pk=invoice.pk)
    response = b_admin.post(url.format(pk=invoice.pk), {"amount": "1.00"})
    assert response.status_code == 404
    assert Invoice.objects.values().get(pk=invoice.pk) == before


def test_other_studio_sees_its_own_revenue_and_plan(b_admin, studio, other_studio):
    paid(invoice_for(studio))
    csv_text = b_admin.get("/admin/billing/revenue.csv").content.decode()
    assert "250.00" not in csv_text
    StudioSubscription.objects.create(studio=studio, plan_id=4, status="active")
    assert "Your plan: Starter" in b_admin.get("/admin/billing/plan/").content.decode()
    connect(studio, "acct_northsecret")
    assert b"acct_northsecret" not in b_admin.get("/admin/billing/plan/").content
    assert b_admin.get("/admin/billing/connect/return/").status_code == 404


def test_revenue_months_follow_the_studio_time_zone(studio):
    """A payment at 23:30 UTC on 31 March is 00:30 on 1 April in London (BST): it counts in April."""
    from datetime import UTC, datetime

    from billing import revenue

    invoice = invoice_for(studio)
    payment = paid(invoice)
    Payment.objects.filter(pk=payment.pk).update(paid_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    rows = {row["month"].month: row["paid"] for row in revenue.by_month(studio, 2026)}
    assert rows[3] == 0 and rows[4] == 25_000


def test_invoice_listing_queries_do_not_grow_with_invoices(a_admin, studio):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    invoice_for(studio)
    a_admin.get("/admin/billing/invoices/")  # the host's studio is cached from the first request on
    with CaptureQueriesContext(connection) as few:
        assert a_admin.get("/admin/billing/invoices/").status_code == 200
    for _ in range(10):
        invoice_for(studio)
    with CaptureQueriesContext(connection) as many:
        assert a_admin.get("/admin/billing/invoices/").status_code == 200
    assert len(many) == len(few)


def test_stripe_event_ledger_is_for_platform_staff_only(a_admin, client, studio):
    from datetime import UTC, datetime

    from accounts.models import User
    from billing.models import StripeEvent

    event = StripeEvent.objects.create(
        event_id="evt_ledger1",
        type="account.updated",
        created=datetime.now(UTC),
        payload={},
        status="refused",
        error="Account acct_x is not connected to any studio.",
    )
    assert a_admin.get("/admin/billing/stripe-events/").status_code in (302, 403)
    assert a_admin.get(f"/admin/billing/stripe-events/inspect/{event.pk}/").status_code in (302, 403)

    staff = User.objects.create_superuser("ops@focusflow.test", "ops@focusflow.test", "pw-123456789")
    client.force_login(staff)
    listing = client.get("/admin/billing/stripe-events/?status=refused", HTTP_HOST="localhost")
    assert listing.status_code == 200 and b"evt_ledger1" in listing.content
    assert client.get(f"/admin/billing/stripe-events/inspect/{event.pk}/", HTTP_HOST="localhost").status_code == 200
    assert client.get(f"/admin/billing/stripe-events/edit/{event.pk}/", HTTP_HOST="localhost").status_code in (302, 403)


def test_a_lapsed_studio_keeps_its_invoices_but_cannot_add_or_send(a_admin, studio, plans):
    draft = invoice_for(studio, send=False)
    StudioSubscription.objects.create(studio=studio, plan=plans["professional"], status="cancelled")
    response = a_admin.get("/admin/billing/invoices/new/", follow=True)
    assert "subscription has lapsed" in response.content.decode()
    sent = a_admin.post(f"/admin/billing/invoices/{draft.pk}/send/", follow=True)
    assert "read-only" in sent.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert a_admin.get(f"/admin/billing/invoices/inspect/{draft.pk}/").status_code == 200


@pytest.mark.parametrize(
    "url, heading", [("/admin/billing/plan/", "Plan and usage"), ("/admin/billing/revenue/", "Revenue")]
)
def test_billing_screens_are_headed_by_their_own_name_not_home(a_admin, studio, plans, url, heading):
    html = a_admin.get(url).content.decode()
    # Wagtail's slim header shows the breadcrumbs, the last one being the page's visible heading.
    trail = html[html.find("data-w-breadcrumbs ") : html.find("</ol>", html.find("data-w-breadcrumbs "))]
    crumbs = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r"<li.*?</li>", trail, re.S)]
    assert crumbs == ["Home", heading]


def test_the_renewal_day_is_the_studios(a_admin, studio, plans):
    studio.time_zone = "America/Los_Angeles"
    studio.save()
    renews = datetime(2027, 1, 1, 5, 0, tzinfo=UTC)  # 31 December, 21:00 in Los Angeles
    StudioSubscription.objects.create(
        studio=studio, plan=plans["professional"], status="active", current_period_end=renews
    )
    html = a_admin.get("/admin/billing/plan/").content.decode()
    assert "Renews 31 December 2026" in html
