"""Issue 16 in Chromium: a client signs in to the studio's portal with the link they were e-mailed, moves their
session to another free time, pays the deposit and opens their gallery without its code; other clients cancel
within the studio's policy (the refund and the withdrawn contract shown) and outside it (refused, with why);
a proposal is accepted, signed and paid on one page.

Payments go as in tests/browser/test_client_booking.py: Stripe through the SDK against localstripe (with
tests/billing/stripe_server.py's fake Checkout), Stripe's hosted page answered locally (it is on the internet),
then the Checkout Session completed in the fake and Stripe's signed `checkout.session.completed` webhook posted
to the server, as Stripe would after the client typed their card."""

import re
from datetime import time, timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from billing.models import Invoice, Payment, Refund, StudioSubscription
from bookings.models import Booking
from bookings.scheduling import book
from contracts.models import Contract
from proposals.models import Proposal
from proposals.sending import send_proposal
from tests.billing.conftest import connect, make_event, post_event, public, stripe_api, stripe_server  # noqa: F401
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory
from tests.galleries.factories import jpeg, make_gallery, upload

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning:blurhash")]

CHECKOUT = "https://checkout.stripe.com/"
ACCOUNT = "acct_northlight01"


def fake_checkout(page):
    """Stripe's hosted page is on the internet; answer its address locally so the test sees the navigation."""
    page.route(f"{CHECKOUT}**", lambda route: route.fulfill(content_type="text/html", body="<h1>Stripe Checkout</h1>"))


def stripe_completes(client, session_id: str) -> None:
    """The client paid on Stripe's page: the session completes and Stripe's signed webhook arrives."""
    base = settings.STRIPE_API_BASE  # localstripe's, set by the `stripe_api` fixture
    done = requests.post(f"{base}/_config/fake/checkout/sessions/{session_id}/complete", timeout=5)
    event = make_event("checkout.session.completed", public(done.json()), account=ACCOUNT)
    assert post_event(client, event).status_code == 200


def link_in(body: str, prefix: str) -> str:
    """The first link to a path under `prefix` in an e-mail's text."""
    return re.search(rf"https?://[^/\s]+{re.escape(prefix)}\S+/", body).group(0)


def at(studio, days: int, hour: int):
    """`hour`:00 studio time, `days` from now, on a weekday."""
    day = (timezone.now() + timedelta(days=days)).astimezone(studio.tz).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(timezone.datetime.combine(day, time(hour)), studio.tz)


@pytest.fixture
def paying_studio(demo_site, request, settings, live_server):
    """Northlight (London), open 09:00–17:00 on weekdays, on the Professional plan and connected to Stripe,
    with a £250 family portrait (25 % deposit; changes online until 48 h before, one move). The links in its
    e-mails and pages point at the live server, as they point at the studio's site in production."""
    from billing.models import Plan

    request.getfixturevalue("stripe_api")
    settings.STUDIO_LINK_SCHEME = "http"
    settings.STUDIO_LINK_PORT = live_server.url.rsplit(":", 1)[1]
    weekly_hours(demo_site, time(9), time(17), days=range(5))
    StudioSubscription.objects.create(studio=demo_site, plan=Plan.objects.get(code="professional"), status="active")
    connect(demo_site, ACCOUNT)
    package = SessionTypeFactory(
        studio=demo_site,
        name="Family portrait",
        duration=timedelta(hours=1),
        slot_interval=timedelta(hours=1),
        price=25_000,
        deposit_percent=25,
        auto_confirm=True,
        location="Northlight studio, Leeds",
    )
    return demo_site, package


def test_a_client_signs_in_by_link_moves_the_session_pays_and_opens_the_gallery(
    paying_studio, open_page, site_url, mailoutbox, client
):
    studio, package = paying_studio
    booking = book(studio, package, at(studio, 8, 10), name="Mia Hart", email="mia@example.test")
    mia = booking.client
    invoice = Invoice.objects.get(booking=booking)
    assert invoice.is_open
    gallery = make_gallery(studio, title="Mia’s family portraits", client=mia, access_code="HART2026")
    for n in range(3):
        upload(gallery, jpeg(n, 480, 320), f"mia-{n}.jpg")

    page = open_page(timezone_id="Europe/London", locale="en-GB")
    fake_checkout(page)

    # 1. sign in: the e-mail address, then the one-time link from the e-mail, then Continue
    page.goto(site_url(studio, "/portal/"))
    page.get_by_label("Your e-mail address").fill("mia@example.test")
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    sent = page.locator("[data-portal-sent]")
    sent.wait_for()
    assert "a sign-in link is on its way" in sent.inner_text()
    page.screenshot("link-sent")
    [mail] = [m for m in mailoutbox if m.to == ["mia@example.test"] and "/portal/open/" in m.body]
    page.goto(link_in(mail.body, "/portal/open/"))
    page.get_by_role("heading", name="Welcome back, Mia Hart").wait_for()
    page.get_by_role("button", name="Continue to my portal").click()
    page.wait_for_url("**/portal/home/")
    page.get_by_role("heading", name="Hello, Mia Hart").wait_for()
    upcoming = page.locator("[data-portal-upcoming]")
    assert "Family portrait" in upcoming.inner_text() and "10:00" in upcoming.inner_text()
    page.screenshot("portal-home")

    # 2. move the session: Manage → a free time later the same day → Move my session
    upcoming.get_by_role("link", name="Manage").click()
    page.get_by_role("heading", name="Family portrait").wait_for()
    local = booking.start.astimezone(studio.tz)
    day = page.get_by_role("group", name=f"{local:%A} {local.day} {local:%B}")
    day.get_by_label("14:00").check()
    page.screenshot("manage-reschedule")
    page.get_by_role("button", name="Move my session").click()
    page.locator("[data-notice]").wait_for()
    assert "Your session has moved" in page.locator("[data-notice]").inner_text()
    assert "14:00" in page.locator("[data-booking-time]").inner_text()
    booking.refresh_from_db()
    assert booking.start == local.replace(hour=14) and booking.client_reschedules == 1
    page.screenshot("manage-moved")

    # 3. pay: the portal's invoice → the invoice page → Stripe Checkout for the deposit; Stripe confirms
    page.goto(site_url(studio, "/portal/home/"))
    assert "14:00" in page.locator("[data-portal-upcoming]").inner_text()
    page.locator("[data-portal-invoices]").get_by_role("link", name="Pay £250.00").click()
    page.get_by_role("heading", name="Pay £62.50 now").wait_for()
    page.get_by_role("button", name="Pay £62.50 by card").click()
    page.wait_for_url(f"{CHECKOUT}c/pay/cs_test_*")
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.amount, payment.status) == (6_250, "pending")
    stripe_completes(client, payment.stripe_checkout_session_id)
    page.goto(site_url(studio, "/portal/home/"))
    invoices = page.locator("[data-portal-invoices]").inner_text()
    assert "Partially paid" in invoices
    assert "Paid £62.50 on" in invoices and "Pay £187.50" in invoices
    page.screenshot("portal-paid")

    # 4. the gallery opens from the portal, no code asked
    page.locator("[data-portal-galleries]").get_by_role("button", name="Open gallery").click()
    page.get_by_role("heading", name="Mia’s family portraits").wait_for()
    page.locator("[data-grid] .tile").nth(2).wait_for()
    assert not page.locator("[data-unlock]").is_visible()
    assert "HART2026" not in page.url
    page.screenshot("gallery-from-portal", full_page=False)
    assert page.console_errors == []


@pytest.fixture
def refunded_deposit(paying_studio):
    """The family portrait's policy gives the deposit back on a cancellation made online."""
    studio, package = paying_studio
    package.cancellation_deposit = "refunded"
    package.save()
    return studio, package


def pays_deposit(client, invoice) -> None:
    started = client.post(f"/api/client/invoices/{invoice.token}/checkout/", HTTP_HOST=invoice.studio.hostname)
    assert started.status_code == 201, started.content
    stripe_completes(client, started.json()["url"].rsplit("/", 1)[1])


def test_a_client_cancels_within_the_policy_and_sees_the_deposit_refunded(
    refunded_deposit, open_page, site_url, client
):
    studio, package = refunded_deposit
    booking = book(studio, package, at(studio, 8, 11), name="Noah Fell", email="noah@example.test")
    invoice = Invoice.objects.get(booking=booking)
    pays_deposit(client, invoice)

    page = open_page(timezone_id="Europe/London", locale="en-GB")
    page.goto(site_url(studio, f"/bookings/manage/{booking.manage_token}/"))
    policy = page.locator("[data-policy]").inner_text()
    assert "If you cancel, your deposit is refunded." in policy
    cancel = page.locator("[data-cancel]")
    assert "your deposit (if you paid one) is refunded" in cancel.inner_text()
    cancel.get_by_label("Reason").fill("We are moving abroad")
    cancel.get_by_role("button", name="Cancel my session").click()  # the box not ticked: the browser asks
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    cancel.get_by_label("Yes, cancel this session").check()
    page.screenshot("cancel-form")
    cancel.get_by_role("button", name="Cancel my session").click()
    page.locator("[data-notice]").wait_for()
    assert "Your session is cancelled" in page.locator("[data-notice]").inner_text()
    assert page.locator("[data-booking-status]").inner_text().strip() == "Cancelled"
    settlement = page.locator("[data-settlement]").inner_text()
    assert f"£62.50 of invoice {invoice.number} is refunded to your card" in settlement
    assert "keeps" not in settlement
    assert page.locator("[data-cancel]").count() == 0 and page.locator("[data-reschedule]").count() == 0
    page.screenshot("cancelled-refunded")

    booking.refresh_from_db()
    invoice.refresh_from_db()
    assert (booking.status, invoice.status, invoice.amount_refunded) == ("cancelled", "refunded", 6_250)
    assert booking.events.filter(kind="cancelled").get().note == "We are moving abroad"
    assert list(Refund.objects.filter(payment__invoice=invoice).values_list("amount", flat=True)) == [6_250]
    assert page.console_errors == []


def test_an_unpaid_booking_cancelled_within_the_policy_shows_its_invoice_void_and_contract_withdrawn(
    paying_studio, wedding_template, open_page, site_url
):
    studio, package = paying_studio
    package.contract_template = wedding_template
    package.save()
    booking = book(studio, package, at(studio, 8, 15), name="Ivy Lund", email="ivy@example.test")
    invoice = Invoice.objects.get(booking=booking)
    contract = Contract.objects.get(booking=booking)

    page = open_page(timezone_id="Europe/London", locale="en-GB")
    page.goto(site_url(studio, f"/bookings/manage/{booking.manage_token}/"))
    cancel = page.locator("[data-cancel]")
    cancel.get_by_label("Yes, cancel this session").check()
    cancel.get_by_role("button", name="Cancel my session").click()
    page.locator("[data-settlement]").wait_for()
    settlement = page.locator("[data-settlement]").inner_text()
    assert f"Invoice {invoice.number} is void: there is nothing to pay." in settlement
    assert "Your contract is withdrawn" in settlement
    invoice.refresh_from_db()
    contract.refresh_from_db()
    assert (invoice.status, contract.status) == ("void", "void")
    page.screenshot("cancelled-void")
    assert page.console_errors == []


def test_cancelling_outside_the_policy_is_refused_with_the_reason(paying_studio, open_page, site_url):
    studio, package = paying_studio
    booking = book(studio, package, at(studio, 8, 12), name="Leo Park", email="leo@example.test")

    page = open_page(timezone_id="Europe/London", locale="en-GB")
    page.goto(site_url(studio, f"/bookings/manage/{booking.manage_token}/"))
    cancel = page.locator("[data-cancel]")
    cancel.get_by_label("Yes, cancel this session").check()
    # while the page was open the studio made changes online close 10 days before: the click comes too late
    package.client_change_hours = 24 * 10
    package.save()
    cancel.get_by_role("button", name="Cancel my session").click()
    error = page.locator("[data-error]")
    error.wait_for()
    assert "Changes online were possible until" in error.inner_text()
    assert "please contact Northlight Photography" in error.inner_text()
    page.screenshot("cancel-refused")
    booking.refresh_from_db()
    assert booking.status == "confirmed"

    # opened again, the page says so at once and offers no cancel button
    page.goto(site_url(studio, f"/bookings/manage/{booking.manage_token}/"))
    assert "Online changes closed on" in page.locator("[data-policy]").inner_text()
    assert page.locator("[data-cancel]").count() == 0
    assert page.locator("[data-policy]").get_by_role("link", name="hello@northlight.test").count() == 1
    page.screenshot("cancel-closed")
    # the only console error is the browser's note of the refused cancellation (409)
    assert [e for e in page.console_errors if "status of 409" not in e] == []
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def draw_signature(page):
    pad = page.locator("[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 30, box["y"] + box["height"] * (0.3 if step % 2 else 0.7))
    page.mouse.up()


def test_a_proposal_is_accepted_signed_and_paid_on_one_page(
    paying_studio, wedding_template, open_page, site_url, mailoutbox, client
):
    from tests.factories import ClientFactory

    studio, package = paying_studio
    ava = ClientFactory(studio=studio, name="Ava Stone", email="ava@example.test")
    proposal = Proposal.objects.create(
        studio=studio,
        client=ava,
        session_type=package,
        start=at(studio, 10, 10),
        contract_template=wedding_template,
        message="Lovely to meet you!",
    )
    send_proposal(proposal)
    [mail] = [m for m in mailoutbox if m.to == ["ava@example.test"] and "/proposals/" in m.body]

    page = open_page(timezone_id="Europe/London", locale="en-GB")
    fake_checkout(page)
    page.goto(link_in(mail.body, "/proposals/"))
    page.get_by_role("heading", name="Accept this proposal").wait_for()
    assert "Lovely to meet you!" in page.locator(".proposal-message").inner_text()
    assert page.locator('[aria-current="step"]').inner_text() == "Accept"
    page.screenshot("proposal-accept")

    # accept → the contract to sign on the same page
    page.get_by_role("button", name="Accept and continue").click()
    page.get_by_role("heading", name="Next: sign your contract").wait_for()
    assert page.locator('[aria-current="step"]').inner_text() == "Sign"
    page.screenshot("proposal-sign")
    page.get_by_label("Type your full name").fill("Ava Stone")
    draw_signature(page)
    page.get_by_label("I have read this contract").check()
    page.get_by_role("button", name="Sign contract").click()

    # signed → pay the deposit, through Stripe Checkout
    page.get_by_role("heading", name="Next: pay £62.50").wait_for()
    assert page.locator('[aria-current="step"]').inner_text() == "Pay"
    page.screenshot("proposal-pay")
    proposal.refresh_from_db()
    assert proposal.contract.status == "signed" and proposal.booking.status == "confirmed"
    page.get_by_role("button", name="Pay £62.50 by card").click()
    page.wait_for_url(f"{CHECKOUT}c/pay/cs_test_*")
    payment = Payment.objects.get(invoice=proposal.invoice)
    stripe_completes(client, payment.stripe_checkout_session_id)

    # back on the proposal's link: done
    page.goto(site_url(studio, f"/proposals/{proposal.token}/"))
    page.get_by_role("heading", name="You’re booked — thank you!").wait_for()
    page.screenshot("proposal-done")
    invoice = Invoice.objects.get(pk=proposal.invoice.pk)
    assert (invoice.status, invoice.amount_paid) == ("partially_paid", 6_250)
    assert page.console_errors == []
