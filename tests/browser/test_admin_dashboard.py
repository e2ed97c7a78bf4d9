"""A photographer signs into the Wagtail admin in Chromium and sees their studio at a glance."""

import pytest

from frontend_api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from galleries import proofing
from galleries.access import unlock_gallery
from tests.factories import photographer_for
from tests.galleries.factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.browser


def test_photographer_logs_in_and_sees_their_studio_dashboard(demo_site, other_studio, open_page, live_server):
    photographer_for(demo_site, email="demo@northlight.test")
    # a client chose two photos of their wedding gallery and sent the selection (before any webhook
    # endpoint exists: these events must not be delivered anywhere)
    gallery = make_gallery(demo_site, title="Emma & Jonah — Wedding", access_code="WEDDING24", selection_limit=20)
    photos = [upload(gallery, jpeg(n, 240, 160), f"IMG_{n:04d}.jpg") for n in range(1, 4)]
    unlock_gallery(demo_site, "WEDDING24", "emma@example.test")
    for photo in photos[:2]:
        proofing.select_photo(gallery, "emma@example.test", photo)
    proofing.submit_selection(gallery, "emma@example.test")
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
    site_url = site_link.get_attribute("href")
    assert site_url == f"http://northlight.localhost:{port}/"
    page.get_by_text("1 webhook delivery failing").wait_for()  # the last panel: the whole dashboard is there
    assert page.get_by_role("link", name="Weddings").is_visible()  # recently edited pages
    assert "Harbour" not in page.content()
    selection = page.locator("[data-submitted-selection]")
    assert selection.count() == 1
    assert "emma@example.test" in selection.inner_text() and "2 photos of 20" in selection.inner_text()
    page.screenshot("dashboard")
    page.screenshot("gallery-activity", locator=page.locator("#studio-gallery-activity-section"))

    # from the panel to the gallery's activity page
    selection.get_by_role("link", name="Emma & Jonah — Wedding").click()
    page.wait_for_url(f"**/admin/galleries/{gallery.pk}/activity/")
    assert page.get_by_text("emma@example.test").first.is_visible()
    page.screenshot("selection-activity")

    page.goto(site_url)
    assert page.locator(".brand").inner_text() == "Northlight Photography"
    page.screenshot("their-site", full_page=False)
