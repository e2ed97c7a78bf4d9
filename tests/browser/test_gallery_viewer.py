"""A client opens their gallery on the studio's site, in Chromium (static/site/gallery.js).

The galleries client API is built on another branch: these tests run the viewer
against the small §5 FAKE in tests/browser/fake_client_api.py (same paths, same
shapes, Bearer token required). The lead switches them to the real API at merge."""

import io
from datetime import timedelta

import blurhash
import pytest
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image

from cms.demo_images import landscape_jpeg
from galleries.models import StudioImage
from tests.browser import fake_client_api
from tests.browser.conftest import PHONE, broken_images, no_horizontal_overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.urls("tests.browser.fake_client_api"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:blurhash"),
]


def gallery_photo(studio, n: int) -> StudioImage:
    # Every third photo is a portrait, so the justified rows have mixed shapes.
    width, height = (480, 720) if n % 3 == 2 else (720, 480)
    data = landscape_jpeg(n, width=width, height=height)
    small = Image.open(io.BytesIO(data))
    small.thumbnail((64, 64))
    return StudioImage.objects.create(
        title=f"Wedding {n:03d}",
        studio=studio,
        collection=studio.collection,
        original_filename=f"emma-jonah-{n:03d}.jpg",
        blurhash=blurhash.encode(small, 4, 3),
        file=ImageFile(io.BytesIO(data), name=f"emma-jonah-{n:03d}.jpg"),
    )


@pytest.fixture
def wedding(studio):
    state = fake_client_api.reset()
    photos = [gallery_photo(studio, n) for n in range(14)]
    gallery = fake_client_api.FakeGallery(
        id=7,
        title="Emma & Jonah — Wedding",
        code="WEDDING24",
        expires_at=timezone.now() + timedelta(days=5, hours=1),
        sets=[
            {"id": 1, "name": "Ceremony", "images": photos[:9]},
            {"id": 2, "name": "Reception", "images": photos[9:]},
        ],
        selection_limit=10,
    )
    expired = fake_client_api.FakeGallery(
        id=8, title="Old shoot", code="OLDSHOOT", expires_at=timezone.now() - timedelta(days=1), sets=[], expired=True
    )
    state.galleries = {gallery.id: gallery, expired.id: expired}
    return gallery


def test_client_unlocks_favourites_three_and_submits_the_selection(studio, wedding, open_page, site_url):
    page = open_page()
    page.goto(site_url(studio, "/galleries/"))
    page.screenshot("access-code")

    # a wrong code, then an expired gallery: clear messages, still on the form
    page.get_by_label("Access code").fill("WEDDING99")
    page.get_by_role("button", name="Open gallery").click()
    message = page.locator("[data-unlock-message]")
    message.wait_for()
    assert "couldn’t find a gallery with that code" in message.inner_text()
    page.get_by_label("Access code").fill("oldshoot")
    page.get_by_role("button", name="Open gallery").click()
    page.get_by_text("This gallery has expired").wait_for()
    assert "contact Northlight Photography" in message.inner_text()
    page.screenshot("expired-message", full_page=False)

    # the right code (any case) opens the gallery
    page.get_by_label("Access code").fill("wedding24")
    page.get_by_role("button", name="Open gallery").click()
    page.get_by_role("heading", name="Emma & Jonah — Wedding").wait_for()
    assert page.locator("[data-gallery-meta]").inner_text() == "14 photos"
    assert page.locator("[data-expiry]").inner_text().startswith("Only 5 days left: this gallery closes on")
    tabs = page.get_by_role("tab")
    assert tabs.all_inner_texts() == ["All photos 14", "Ceremony 9", "Reception 5"]
    tiles = page.locator("[data-grid] .tile")
    # pages of 8 photos; the next page loads as the end of the grid comes near (infinite scroll)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("document.querySelectorAll('[data-grid] .tile').length === 14")
    assert [r for r in fake_client_api.STATE.requests if r.startswith("photos")] == ["photos::0", "photos::8"]
    assert page.locator("[data-grid] canvas.tile-placeholder").count() == 14  # blurhash placeholders
    first = tiles.first.locator("img")
    assert first.get_attribute("loading") == "lazy"
    assert "max-400x400" in first.get_attribute("srcset") and "max-1600x1600" in first.get_attribute("srcset")
    assert broken_images(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot("grid")

    # sets are tabs (arrow keys move between them)
    tabs.nth(2).click()
    page.wait_for_function("document.querySelectorAll('[data-grid] .tile').length === 5")
    assert tabs.nth(2).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "document.querySelector('[data-grid] .tile') && document.querySelectorAll('[data-grid] .tile').length >= 8"
    )
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert "photos:1:0" in fake_client_api.STATE.requests
    tabs.nth(0).click()  # possibly while Ceremony's second page is still loading
    page.wait_for_function("document.querySelectorAll('[data-grid] .tile').length >= 8")
    shown = [int(pk) for pk in page.locator("[data-grid] .tile").evaluate_all("els => els.map(e => e.dataset.photo)")]
    everything = [im.pk for im in wedding.photos()]
    assert shown == everything[: len(shown)]  # in order, nothing left over from the Ceremony tab

    # the lightbox: open the first photo, arrow through, favourite three
    tiles.first.locator(".tile-open").click()
    lightbox = page.get_by_role("dialog", name="Photo viewer")
    lightbox.wait_for()
    caption = page.locator("[data-lightbox-caption]")
    assert caption.inner_text() == "1 of 14 · emma-jonah-000.jpg"
    page.wait_for_function("document.querySelector('[data-lightbox-image]').naturalWidth > 0")
    page.screenshot("lightbox", full_page=False)
    for expected in range(3):
        assert caption.inner_text().startswith(f"{expected + 1} of 14")
        with page.expect_response(lambda r: "/favorites/" in r.url and r.request.method == "POST"):
            lightbox.get_by_role("button", name="Favourite").click()
        page.wait_for_function(
            f"document.querySelector('[data-selection-count]').textContent === '{expected + 1} of 10 selected'"
        )
        page.keyboard.press("ArrowRight")
    assert caption.inner_text().startswith("4 of 14")
    page.keyboard.press("ArrowLeft")
    assert caption.inner_text().startswith("3 of 14")
    assert page.locator("[data-lightbox-favorite]").get_attribute("aria-pressed") == "true"
    page.screenshot("lightbox-favourited", full_page=False)

    # download the photo on screen
    with page.expect_download() as download_info:
        lightbox.get_by_role("button", name="Download").click()
    assert download_info.value.suggested_filename == "emma-jonah-002.jpg"

    page.keyboard.press("Escape")
    assert not lightbox.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('tile-open')")  # focus back on the photo
    ids = [int(tiles.nth(i).get_attribute("data-photo")) for i in range(3)]
    assert wedding.favorites == ids
    assert [tiles.nth(i).locator(".tile-favorite").get_attribute("aria-pressed") for i in range(4)] == [
        "true",
        "true",
        "true",
        "false",
    ]

    # submit the selection
    page.get_by_role("button", name="Submit selection").click()
    page.get_by_text("Thank you! Your selection of 3 photos was sent to Northlight Photography.").wait_for()
    assert wedding.submitted == ids
    assert page.locator("[data-submit-selection]").is_disabled()
    assert tiles.nth(5).locator(".tile-favorite").is_disabled()  # locked after submitting
    page.screenshot("submitted", full_page=False)
    assert fake_client_api.STATE.downloads == [f"photo:{ids[2]}:web"]
    # the only console messages are Chromium's notes on the wrong and expired codes' 404 and 410
    assert len(page.console_errors) == 2
    assert all("404" in e or "410" in e for e in page.console_errors), page.console_errors


def test_selection_limit_and_reload_keep_the_client_informed(studio, wedding, open_page, site_url):
    wedding.selection_limit = 2
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(site_url(studio, "/galleries/"))
    page.get_by_label("Access code").fill("WEDDING24")
    page.get_by_role("button", name="Open gallery").click()
    tiles = page.locator("[data-grid] .tile")
    tiles.nth(7).wait_for()
    assert no_horizontal_overflow(page)

    for i in range(2):
        with page.expect_response(lambda r: "/favorites/" in r.url):
            tiles.nth(i).locator(".tile-favorite").click()
    tiles.nth(2).locator(".tile-favorite").click()  # one too many
    page.get_by_text("You’ve chosen 2 of 2. Remove a favourite to choose another.").wait_for()
    assert page.locator("[data-selection-count]").inner_text() == "2 of 2 selected"
    assert len(wedding.favorites) == 2
    page.screenshot("phone-limit", full_page=False)

    # a reload keeps the gallery open (token in sessionStorage) and the favourites
    page.reload()
    page.get_by_role("heading", name="Emma & Jonah — Wedding").wait_for()
    tiles.nth(7).wait_for()
    assert page.locator("[data-selection-count]").inner_text() == "2 of 2 selected"

    # swipe in the lightbox
    tiles.first.locator(".tile-open").click()
    caption = page.locator("[data-lightbox-caption]")
    assert caption.inner_text().startswith("1 of 14")
    stage = page.locator("[data-lightbox-stage]")
    box = stage.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] - 30, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, y, steps=5)
    page.mouse.up()
    page.wait_for_function("document.querySelector('[data-lightbox-caption]').textContent.startsWith('2 of 14')")
    assert no_horizontal_overflow(page)
    page.screenshot("phone-lightbox", full_page=False)
