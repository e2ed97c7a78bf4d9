"""A client books a session on the studio's site, signs the contract and reaches Stripe Checkout for the
deposit — in Chromium, against the real client API, with Stripe through the SDK against localstripe
(tests/billing/stripe_server.py fakes Checkout beside it). The visitor is in New York, the studio in
London: every slot shows both."""

from datetime import time, timedelta

import pytest

from billing.models import Payment, StudioSubscription
from bookings.models import Booking
from contracts.models import Contract
from tests.billing.conftest import connect, stripe_api, stripe_server  # noqa: F401 - fixtures
from tests.bookings.factories import weekly_hours
from tests.browser.conftest import PHONE, no_horizontal_overflow
from tests.factories import SessionTypeFactory

pytestmark = pytest.mark.browser

CHECKOUT = "https://checkout.stripe.com/"


@pytest.fixture
def bookable(demo_site, wedding_template):
    """Northlight (London), open 09:00–17:00, a £250 portrait with a 25 % deposit and a contract,
    connected to Stripe on the Professional plan."""
    from billing.models import Plan

    weekly_hours(demo_site, time(9), time(17))
    StudioSubscription.objects.create(studio=demo_site, plan=Plan.objects.get(code="professional"), status="active")
    connect(demo_site, "acct_northlight01")
    SessionTypeFactory(
        studio=demo_site, name="Headshots", duration=timedelta(minutes=30), price=12_000, deposit_percent=0
    )
    return SessionTypeFactory(
        studio=demo_site,
        name="Family portrait",
        description="An hour in the studio; 20 edited photos.",
        duration=timedelta(hours=1),
        slot_interval=timedelta(hours=1),
        price=25_000,
        deposit_percent=25,
        auto_confirm=True,
        location="Northlight studio, Leeds",
        contract_template=wedding_template,
    )


@pytest.mark.usefixtures("stripe_api")
def test_client_books_a_slot_signs_the_contract_and_reaches_checkout_for_the_deposit(
    studio, bookable, open_page, site_url
):
    page = open_page(timezone_id="America/New_York", locale="en-GB")
    # Stripe's hosted page is on the internet; answer its address locally so the test sees the navigation.
    page.route(f"{CHECKOUT}**", lambda route: route.fulfill(content_type="text/html", body="<h1>Stripe Checkout</h1>"))

    page.goto(site_url(studio, "/"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Book a session").click()
    page.wait_for_url("**/book/")
    page.screenshot("packages")

    # 1. the package, then its free times: New York first, London beside it
    page.get_by_role("radio", name="Family portrait").check()
    first_slot = page.locator("[data-slot]").first
    first_slot.wait_for()
    assert "your time zone (New York)" in page.locator("[data-tz-note]").inner_text()
    assert "London" in first_slot.inner_text()
    start_utc = first_slot.get_attribute("data-slot")
    spoken = first_slot.get_attribute("aria-label")
    assert "your time" in spoken and "London time" in spoken
    # 10:00 in London is 05:00 in New York (both on winter or both on summer time)
    page.screenshot("slots")
    first_slot.click()

    # 2. details; a missing e-mail is refused in place, then the booking goes through
    page.get_by_label("Your name").fill("Mia Hart")
    page.get_by_role("button", name="Book this time").click()
    page.locator("[data-error-for=email]").wait_for()
    page.get_by_label("E-mail").fill("mia@example.test")
    page.get_by_role("button", name="Book this time").click()
    page.get_by_role("heading", name="You’re booked!").wait_for()
    page.screenshot("booked")
    booking = Booking.objects.get(client__email="mia@example.test")
    assert booking.start.isoformat().replace("+00:00", "Z") == start_utc and booking.status == "confirmed"
    assert "£62.50 deposit" in page.locator("[data-next-steps]").inner_text()

    # 3. the contract: read, type the name, draw, agree, sign
    page.get_by_role("link", name="Sign the contract").click()
    page.get_by_role("heading", name="Photography agreement — Mia Hart").wait_for()
    page.screenshot("contract")
    page.get_by_role("button", name="Sign contract").click()  # nothing drawn yet
    assert "Please sign in the box" in page.locator("[data-form-message]").inner_text()
    page.get_by_label("Type your full name").fill("Mia Hart")
    pad = page.locator("[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 30, box["y"] + box["height"] * (0.3 if step % 2 else 0.7))
    page.mouse.up()
    page.get_by_label("I have read this contract").check()
    page.get_by_role("button", name="Sign contract").click()
    page.get_by_role("heading", name="Thank you — you’ve signed.").wait_for()
    page.screenshot("signed")
    contract = Contract.objects.get(booking=booking)
    signature = contract.signatures.get()
    assert contract.status == "signed" and signature.typed_name == "Mia Hart"
    assert signature.user_agent and "Chrome" in signature.user_agent

    # 4. the invoice: lines and schedule, then Pay → Stripe Checkout for the deposit on the studio's account
    page.get_by_role("link", name="Pay £62.50").click()
    page.get_by_role("heading", name="Pay £62.50 now").wait_for()
    assert "Deposit" in page.locator(".schedule").inner_text() and "Balance" in page.locator(".schedule").inner_text()
    page.screenshot("invoice")
    page.get_by_role("button", name="Pay £62.50 by card").click()
    page.wait_for_url(f"{CHECKOUT}c/pay/cs_test_*")
    page.screenshot("checkout")
    payment = Payment.objects.get()
    assert (payment.amount, payment.stripe_account_id, payment.status) == (6_250, "acct_northlight01", "pending")
    assert page.url.endswith(payment.stripe_checkout_session_id)
    # the only console error is the browser's note of the refused booking without an e-mail
    assert [error for error in page.console_errors if "status of 400" not in error] == []


def test_the_booking_page_works_on_a_phone_in_the_studios_own_zone(studio, bookable, open_page, site_url):
    page = open_page(viewport=PHONE, timezone_id="Europe/London", locale="en-GB")
    page.goto(site_url(studio, "/book/"))
    page.get_by_role("radio", name="Family portrait").check()
    page.locator("[data-slot]").first.wait_for()
    # same zone: one time per slot, no second clock
    assert page.locator(".slot-studio-time").count() == 0
    assert page.locator("[data-tz-note]").inner_text() == "Times are in London time."
    # keyboard: the next week, and back
    page.get_by_role("button", name="Later dates").click()
    page.get_by_role("button", name="Earlier dates").click()
    assert no_horizontal_overflow(page)
    page.screenshot("phone")
    assert not page.console_errors


def test_the_packages_are_drawn_from_the_public_api_with_their_cover(
    studio, bookable, open_page, site_url, live_server
):
    """The page has no server-only data: what it shows is what GET /api/client/packages/ answers."""
    import io

    from django.core.files.images import ImageFile

    from galleries.models import StudioImage
    from studios.demo_images import landscape_jpeg

    bookable.cover_image = StudioImage.objects.create(
        title="Family in the studio",
        studio=studio,
        collection=studio.collection,
        file=ImageFile(io.BytesIO(landscape_jpeg(3, 600, 400)), name="family.jpg"),
    )
    bookable.save()
    page = open_page(timezone_id="Europe/London", locale="en-GB")
    page.goto(site_url(studio, "/book/"))
    card = page.locator(".package-card", has_text="Family portrait")
    card.wait_for()
    text = card.inner_text()
    assert "1 hour · £250.00" in text and "£62.50 deposit holds your time" in text
    assert "Northlight studio, Leeds" in text and "20 edited photos" in text
    assert "30 minutes · £120.00" in page.locator(".package-card", has_text="Headshots").inner_text()
    cover = card.locator("img.package-cover")
    cover.wait_for()
    assert cover.evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot("packages-from-api")
    assert not page.console_errors


def test_with_no_packages_the_page_says_how_to_get_in_touch(demo_site, open_page, site_url):
    from bookings.models import SessionType

    SessionType.objects.for_studio(demo_site).delete()
    page = open_page(timezone_id="Europe/London", locale="en-GB")
    page.goto(site_url(demo_site, "/book/"))
    page.get_by_text("No sessions are open for booking online just now.").wait_for()
    assert page.get_by_role("link", name="Write to us").get_attribute("href") == "mailto:hello@northlight.test"
    assert not page.console_errors
