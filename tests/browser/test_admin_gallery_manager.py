"""A photographer manages a gallery's photos in Chromium (galleries/admin_photos.py, static/admin/gallery-manager.js):
drops 30 files onto the grid and watches their thumbnails appear, drags one to the front, hides two and deletes
one; the client API and the client's gallery on the studio's site follow."""

import base64

import pytest
from django.test import Client

from galleries.models import Gallery, GalleryPhoto
from tests.browser.conftest import DESKTOP
from tests.factories import photographer_for
from tests.galleries.factories import jpeg, make_gallery

# PostgreSQL: the page uploads several files at once, and the live server's threads share SQLite's one in-memory
# test connection, so two requests' transactions would interleave on it (not a fault of the page).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.filterwarnings("ignore::DeprecationWarning:blurhash"),
]

DROP_FILES = """([files]) => {
    const data = new DataTransfer();
    for (const [name, b64] of files) {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        data.items.add(new File([bytes], name, { type: "image/jpeg" }));
    }
    return data;
}"""


def client_api_names(studio, gallery) -> list[str]:
    api = Client(HTTP_HOST=studio.hostname)
    token = api.post("/api/client/galleries/unlock/", {"code": "WEDDING24"}, content_type="application/json")
    response = api.get(
        f"/api/client/galleries/{gallery.pk}/photos/",
        {"limit": 100},
        HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}",
    )
    return [p["filename"] for p in response.json()["results"]]


def test_drop_thirty_photos_then_reorder_hide_and_delete(studio, open_page, live_server, site_url):
    photographer_for(studio, email="demo@northlight.test")
    gallery = make_gallery(studio, sets=["Ceremony", "Reception"], access_code="WEDDING24")
    admin = live_server.url.replace("127.0.0.1", "localhost")
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(f"{admin}/admin/login/")
    page.locator("#id_username").fill("demo@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")

    # From the gallery's edit page to its Photos page.
    page.goto(f"{admin}/admin/pages/{gallery.pk}/edit/")
    page.get_by_role("link", name="Manage photos").click()
    page.wait_for_url(f"**/admin/galleries/{gallery.pk}/photos/")
    page.get_by_text("No photos yet: drag some here.").wait_for()
    assert page.locator("[data-counts]").inner_text() == "0 photos: 0 ready"
    page.screenshot("empty")

    # 30 files dropped onto the grid, as from the desktop: a tile each, then its thumbnail.
    files = [
        [f"IMG_{n:04d}.jpg", base64.b64encode(jpeg(n, 480 if n % 4 else 320, 320 if n % 4 else 480)).decode()]
        for n in range(30)
    ]
    transfer = page.evaluate_handle(DROP_FILES, [files])
    page.dispatch_event("[data-grid]", "drop", {"dataTransfer": transfer})
    tiles = page.locator("[data-grid] .photo-tile")
    page.wait_for_function("document.querySelectorAll('[data-grid] .photo-tile').length === 30")
    page.wait_for_function("document.querySelectorAll('[data-grid] .photo-tile.status-ready img').length >= 3", 60_000)
    page.screenshot("uploading", full_page=False)
    page.wait_for_function(
        "document.querySelectorAll('[data-grid] .photo-tile.status-ready img').length === 30", 120_000
    )
    page.wait_for_function("[...document.querySelectorAll('[data-grid] img')].every((img) => img.naturalWidth > 0)")
    assert page.locator("[data-upload-summary]").inner_text() == "Uploaded 30 of 30. 30 ready, 0 processing."
    # The page's own count follows without a reload (it stayed at "0 photos" before).
    page.wait_for_function("document.querySelector('[data-counts]').textContent === '30 photos: 30 ready'")
    page.screenshot("uploaded")
    assert GalleryPhoto.objects.filter(gallery=gallery, image__status="ready").count() == 30
    assert not page.console_errors

    # After a reload the grid is the server's: capture order; then drag the last photo to the front.
    page.reload()
    assert tiles.count() == 30
    # Tall enough for the whole grid: Playwright's drag scrolls between the two tiles otherwise, and Chromium
    # then starts the drag from whatever tile the scroll put under the pointer.
    page.set_viewport_size({"width": 1280, "height": 3200})
    last, first = tiles.nth(29), tiles.nth(0)
    moved_id = last.get_attribute("data-photo")
    box = first.bounding_box()
    last.drag_to(first, target_position={"x": 5, "y": box["height"] / 2})  # the first tile's left half: before it
    page.get_by_text("New order saved").wait_for()
    page.set_viewport_size(DESKTOP)
    page.screenshot("reordered", full_page=False)
    assert tiles.nth(0).get_attribute("data-photo") == moved_id
    assert page.locator("[data-sort]").inner_text() == "Manual order"
    gallery.refresh_from_db()
    assert gallery.sort == Gallery.Sort.MANUAL
    order = [p.filename for p in gallery.ordered_photos()]
    assert order[0] == GalleryPhoto.objects.get(pk=moved_id).filename
    assert client_api_names(studio, gallery) == order

    # Hide two (ticked), then delete one (after the confirmation).
    hidden = [tiles.nth(1).get_attribute("data-photo"), tiles.nth(2).get_attribute("data-photo")]
    tiles.nth(1).locator("input[type=checkbox]").check()
    tiles.nth(2).locator("input[type=checkbox]").check()
    assert page.locator("[data-selected-count]").inner_text() == "2 selected"
    page.screenshot("two-selected", full_page=False)
    page.get_by_role("button", name="Hide", exact=True).click()
    page.get_by_text("2 photos hidden from the client.").wait_for()
    assert page.locator(f'[data-photo="{hidden[0]}"]').get_attribute("class").split().count("is-hidden") == 1
    deleted = tiles.nth(3).get_attribute("data-photo")
    deleted_name = GalleryPhoto.objects.get(pk=deleted).filename
    tiles.nth(3).locator("input[type=checkbox]").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_text("1 photo deleted.").wait_for()
    page.screenshot("hidden-and-deleted")
    assert tiles.count() == 29

    expected = [name for name in order if name != deleted_name]
    expected = [n for n in expected if n not in {GalleryPhoto.objects.get(pk=pk).filename for pk in hidden}]
    assert client_api_names(studio, gallery) == expected

    # The client's gallery on the studio's site, in a fresh browser: 27 photos, the moved one first.
    client = open_page()
    client.goto(site_url(studio, "/galleries/"))
    client.get_by_label("Access code").fill("WEDDING24")
    client.get_by_role("button", name="Open gallery").click()
    client.get_by_role("heading", name="Emma & Jonah — Wedding").wait_for()
    assert client.locator("[data-gallery-meta]").inner_text() == "27 photos"
    # A screen of photos first (the unlock's first page is sized to the window), the rest as the client scrolls.
    client.wait_for_function("document.querySelectorAll('[data-grid] .tile').length >= 12")
    assert client.locator("[data-grid] .tile").count() < 27
    client.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    client.wait_for_function("document.querySelectorAll('[data-grid] .tile').length === 27")
    shown = client.locator("[data-grid] .tile").evaluate_all("els => els.map(e => e.dataset.photo)")
    assert shown[0] == moved_id
    assert deleted not in shown and not set(hidden) & set(shown)
    client.screenshot("client-site")

    # Filter the manager to the hidden ones.
    page.goto(f"{admin}/admin/galleries/{gallery.pk}/photos/?status=hidden")
    assert sorted(tiles.evaluate_all("els => els.map(e => e.dataset.photo)")) == sorted(hidden)
    page.screenshot("filter-hidden", full_page=False)

    # Share: the client's link, copied.
    page.get_by_text("Share this gallery").click()
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"https://{studio.hostname}/galleries/?code=WEDDING24"
    page.screenshot("share", full_page=False)
