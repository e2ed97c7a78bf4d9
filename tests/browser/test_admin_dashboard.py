"""A photographer signs into the Wagtail admin in Chromium and sees their studio at a glance."""

import pytest

from frontend_api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from tests.factories import photographer_for

pytestmark = pytest.mark.browser


def test_photographer_logs_in_and_sees_their_studio_dashboard(demo_site, other_studio, open_page, live_server):
    photographer_for(demo_site, email="demo@northlight.test")
    ApiKey.issue(studio=demo_site, name="Client site on Vercel")
    endpoint = WebhookEndpoint.objects.create(studio=demo_site, url="https://crm.example.test/focusflow")
    WebhookDelivery.objects.create(
        studio=demo_site,
        endpoint=endpoint,
        event_id="evt_1",
        event="booking.created",
        payload={},
        status=WebhookDelivery.Status.FAILED,
        attempts=8,
        response_code=502,
    )
    page = open_page()

    page.goto(f"{live_server.url.replace('127.0.0.1', 'localhost')}/admin/")
    page.locator("#id_username").fill("demo@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()

    page.locator("#studio-site-heading").wait_for()
    site_link = page.locator("[data-studio-site-link]")
    port = live_server.url.rsplit(":", 1)[1]
    assert site_link.get_attribute("href") == f"http://northlight.localhost:{port}/"
    assert page.get_by_text("1 webhook delivery failing").is_visible()
    assert page.get_by_role("link", name="Weddings").is_visible()  # recently edited pages
    assert "Harbour" not in page.content()
    page.screenshot("dashboard")

    page.goto(site_link.get_attribute("href"))
    assert page.locator(".brand").inner_text() == "Northlight Photography"
    page.screenshot("their-site", full_page=False)
