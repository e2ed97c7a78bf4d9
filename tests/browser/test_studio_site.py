"""A visitor on a studio's own site, in Chromium: branding, portfolio, inquiry form (the real crm client API,
/api/client/inquiries/), phone layout."""

import datetime

import pytest

from crm.models import Client, Inquiry
from tests.browser.conftest import PHONE, broken_images, no_horizontal_overflow

pytestmark = pytest.mark.browser


def test_visitor_sees_the_studio_brand_and_its_portfolio(demo_site, open_page, site_url):
    page = open_page()

    page.goto(site_url(demo_site))
    assert page.title().startswith("Northlight Photography")
    assert page.locator(".brand").inner_text() == "Northlight Photography"
    assert page.locator(".hero h1").inner_text() == "Northlight Photography"
    assert page.locator(".hero-text p").inner_text() == "Weddings and portraits in the north"
    brand = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()")
    assert brand == "#23313f"
    assert page.locator(".testimonial blockquote").inner_text().startswith("They caught every moment")
    assert page.locator(".site-footer").get_by_text("Powered by FocusFlow").is_visible()
    grid_images = page.locator(".masonry img")
    assert grid_images.count() == 3
    assert grid_images.first.get_attribute("loading") == "lazy"
    assert "400w" in grid_images.first.get_attribute("srcset")
    assert broken_images(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot("home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Portfolio").click()
    page.wait_for_url("**/portfolio/")
    assert page.locator("h1").inner_text() == "Portfolio"
    assert broken_images(page) == []
    page.screenshot("portfolio-index")

    page.get_by_role("link", name="Weddings").click()
    page.wait_for_url("**/portfolio/weddings/")
    assert page.locator("h1").inner_text() == "Weddings"
    assert page.locator(".masonry img").count() == 6
    assert broken_images(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot("portfolio-page")
    assert page.console_errors == []


def test_keyboard_user_can_skip_to_the_content(demo_site, open_page, site_url):
    page = open_page()
    page.goto(site_url(demo_site))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["x"] >= 0  # shown on screen when focused
    page.screenshot("skip-link", full_page=False)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_inquiry_form_shows_field_errors_then_thanks(demo_site, other_studio, open_page, site_url, mailoutbox):
    page = open_page()
    page.goto(site_url(demo_site) + "#inquire")
    form = page.locator("[data-inquiry-form]")
    honeypot = form.locator("[name=website]")
    assert honeypot.bounding_box()["x"] < 0 and honeypot.get_attribute("tabindex") == "-1"  # for bots only

    # given a visitor who forgets their name and mistypes their e-mail
    form.get_by_label("E-mail").fill("emma-at-example")
    form.get_by_label("Tell us about it").fill("We marry on 12 June in Whitby.")
    form.get_by_role("button", name="Send inquiry").click()

    # then the API's field errors appear under each field, and nothing was recorded
    name_error = page.locator("[data-error-for=name]")
    name_error.wait_for()
    assert name_error.inner_text() == "This field is required."
    assert page.locator("[data-error-for=email]").inner_text() == "Enter a valid email address."
    assert form.get_by_label("Your name").get_attribute("aria-invalid") == "true"
    assert page.locator("[data-form-message]").inner_text() == "Some fields need attention."
    assert form.get_by_label("Tell us about it").input_value() == "We marry on 12 June in Whitby."  # nothing lost
    assert not Inquiry.objects.exists() and not Client.objects.exists()
    page.screenshot("inquiry-errors", locator=page.locator("#inquire"))

    # when they correct both (and give the date)
    form.get_by_label("Your name").fill("Emma Hart")
    form.get_by_label("E-mail").fill("emma@example.test")
    form.get_by_label("Event date").fill("2027-06-12")
    form.get_by_role("button", name="Send inquiry").click()

    # then a thank-you replaces the form, and the studio has a new lead with the inquiry
    thanks = page.get_by_text("Thank you — your message is on its way.")
    thanks.wait_for()
    assert not form.is_visible()
    inquiry = Inquiry.objects.select_related("client").get()
    assert inquiry.studio == demo_site and inquiry.client.studio == demo_site
    assert (inquiry.client.name, inquiry.client.email) == ("Emma Hart", "emma@example.test")
    assert inquiry.message == "We marry on 12 June in Whitby."
    assert inquiry.event_date == datetime.date(2027, 6, 12)
    assert not Client.objects.for_studio(other_studio).exists()
    page.screenshot("inquiry-thanks", locator=page.locator("#inquire"))
    # the 400 is the only console message (Chromium logs failed fetches)
    assert all("400" in message for message in page.console_errors)


def test_nothing_overflows_on_a_phone(demo_site, open_page, site_url):
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    for step, path in [
        ("home", "/"),
        ("portfolio", "/portfolio/"),
        ("weddings", "/portfolio/weddings/"),
        ("galleries", "/galleries/"),
    ]:
        page.goto(site_url(demo_site, path))
        assert no_horizontal_overflow(page), f"{path} scrolls sideways at 375px"
        assert broken_images(page) == []
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(f"phone-{step}")
    assert page.console_errors == []
