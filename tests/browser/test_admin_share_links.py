"""A photographer shares a gallery with one person in Chromium (galleries/admin_sharing.py, the manager's share
panel): the gallery's QR code shows; a recipient is added with a name, e-mail, expiry and download allowance; their
link is copied and opened in a fresh browser (no cookies, no code typed), which goes straight into the gallery;
the admin sees it opened; after "Revoke" the same browser is refused on reload, and so is the link itself."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from galleries.models import ShareLink
from tests.factories import photographer_for
from tests.galleries.factories import jpeg, make_gallery, upload

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning:blurhash")]

WITHDRAWN = "This link to the gallery has been withdrawn by your photographer. Ask them for a new one."


def sign_in(page, admin):
    page.goto(f"{admin}/admin/login/")
    page.locator("#id_username").fill("demo@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


def test_a_recipients_link_opens_in_a_fresh_browser_until_it_is_revoked(studio, open_page, live_server, site_url):
    photographer_for(studio, email="demo@northlight.test")
    gallery = make_gallery(studio, access_code="WEDDING24")
    for n in range(3):
        upload(gallery, jpeg(n, 480, 320), f"IMG_{n:04d}.jpg")
    admin = live_server.url.replace("127.0.0.1", "localhost")
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    sign_in(page, admin)

    page.goto(f"{admin}/admin/galleries/{gallery.pk}/photos/")
    page.get_by_text("Share this gallery").click()
    # The gallery link's QR code is drawn (an SVG from the admin, a real image).
    qr = page.locator("figure.gallery-manager-qr img")
    page.wait_for_function("document.querySelector('figure.gallery-manager-qr img').naturalWidth > 0")
    assert qr.bounding_box()["width"] >= 100
    page.screenshot("share-panel")

    # A recipient with their own expiry (in 30 days) and allowance (5 downloads).
    expires = (timezone.now().astimezone(studio.tz) + timedelta(days=30)).date()
    form = page.locator("form.gallery-manager-add-recipient")
    form.get_by_label("Name").fill("Grandma Rose")
    form.get_by_label("E-mail").fill("rose@example.test")
    form.get_by_label("Link expires on").fill(expires.isoformat())
    form.get_by_label("Downloads allowed").fill("5")
    form.get_by_role("button", name="Add recipient and e-mail their link").click()
    page.get_by_text("Link made for Grandma Rose and e-mailed to rose@example.test.").wait_for()

    fresh = page.locator("[data-fresh-link]")
    assert fresh.locator("svg").is_visible()  # the new link's own QR code, inline
    fresh.get_by_role("button", name="Copy link").click()
    fresh.get_by_text("Link copied.").wait_for()
    link = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(rf"https://{re.escape(studio.hostname)}/galleries/\?code=[\w-]{{43}}", link), link
    row = page.locator("tr[data-recipient]")
    cells = row.locator("td").all_inner_texts()
    assert cells[0].split("\n") == ["Grandma Rose", "rose@example.test"]
    assert cells[1:5] == ["Active", expires.strftime("%-d %b %Y"), "Not yet", "0 of 5"]
    page.screenshot("recipient-added")

    # A fresh browser (a context of its own: no cookies, no storage) opens the link: straight into the gallery.
    guest = open_page()
    assert guest.context.cookies() == []
    opened_at = site_url(studio, f"/galleries/?{urlsplit(link).query}")
    guest.goto(opened_at)
    guest.get_by_role("heading", name="Emma & Jonah — Wedding").wait_for()
    guest.wait_for_function("document.querySelectorAll('[data-grid] .tile img').length === 3")
    assert guest.locator("[data-unlock]").is_hidden()  # no code asked for
    assert "code=" not in guest.url  # the token is taken out of the address at once
    assert guest.locator("[data-gallery-meta]").inner_text() == "3 photos"
    guest.screenshot("guest-opened", full_page=False)

    # The photographer sees it opened.
    page.reload()
    assert row.locator("td").nth(3).inner_text() != "Not yet"
    assert ShareLink.objects.get().opened_at is not None

    # Revoked: the browser that is in the gallery is refused on reload, with the reason.
    row.get_by_role("button", name="Revoke").click()
    page.get_by_text("Grandma Rose's link no longer opens the gallery.").wait_for()
    assert row.locator("td").nth(1).inner_text() == "Revoked"
    assert row.get_by_role("button", name="Revoke").count() == 0
    page.screenshot("revoked")

    guest.reload()
    guest.get_by_text(WITHDRAWN).wait_for()
    assert guest.locator("[data-viewer]").is_hidden()
    assert guest.locator("[data-grid] .tile").count() == 0
    guest.screenshot("guest-refused", full_page=False)

    # And the link itself opens nothing now, in yet another fresh browser.
    other = open_page()
    other.goto(opened_at)
    other.get_by_text(WITHDRAWN).wait_for()
    assert other.locator("[data-viewer]").is_hidden()
    other.screenshot("link-refused", full_page=False)
    assert not [e for e in guest.console_errors + other.console_errors if "410" not in e]
    assert not page.console_errors
