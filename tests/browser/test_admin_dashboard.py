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

    # every gallery of the studio, from the admin menu
    page.get_by_role("link", name="Galleries", exact=True).click()
    page.wait_for_url("**/admin/galleries/")
    row = page.get_by_role("row").filter(has_text="Emma & Jonah — Wedding")
    assert "3 / 3" in row.inner_text() and "Harbour" not in page.content()
    page.screenshot("galleries-listing", full_page=False)

    page.goto(site_url)
    assert page.locator(".brand").inner_text() == "Northlight Photography"
    page.screenshot("their-site", full_page=False)


def test_photographer_rebrands_the_studio_and_adds_a_domain_in_settings(demo_site, open_page, live_server):
    from billing.models import Plan, StudioSubscription

    StudioSubscription.objects.create(studio=demo_site, plan=Plan.objects.get(code="studio"), status="active")
    photographer_for(demo_site, email="demo@northlight.test")
    page = open_page()
    admin = live_server.url.replace("127.0.0.1", "localhost")
    page.goto(f"{admin}/admin/login/")
    page.locator("#id_username").fill("demo@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#studio-site-heading").wait_for()

    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Studio settings").click()
    page.get_by_label("Tagline").fill("Light-filled weddings in the Dales")
    page.get_by_label("Accent colour").fill("#9a6b3f")
    page.get_by_role("button", name="Save studio settings").click()
    page.get_by_text("Studio settings saved").wait_for()
    page.screenshot("studio-settings-saved")
    page.locator("input[name=hostname]").fill("photos.northlight.example")
    page.get_by_role("button", name="Add domain").click()
    page.get_by_text("_focusflow.photos.northlight.example").wait_for()  # the DNS record to add
    assert page.get_by_text("Pending verification").is_visible()
    page.screenshot("studio-settings")
    page.get_by_text("_focusflow.photos.northlight.example").scroll_into_view_if_needed()
    page.screenshot("studio-settings-domains", full_page=False)

    demo_site.refresh_from_db()
    assert (demo_site.tagline, demo_site.accent_color) == ("Light-filled weddings in the Dales", "#9a6b3f")
    assert list(demo_site.domains.values_list("hostname", "is_verified")) == [("photos.northlight.example", False)]
