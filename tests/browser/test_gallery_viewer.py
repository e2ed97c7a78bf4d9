"""A client opens their gallery on the studio's site, in Chromium (static/site/gallery.js), against the REAL
galleries client API (galleries/api): photos uploaded and processed by the (eager) pipeline, and every
favourite, selection and download checked in the database."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from galleries.downloads import downloads_left, web_spec
from galleries.models import Comment, DownloadEvent, Favorite, Gallery, GalleryAccess, Selection, StudioRendition
from tests.browser.conftest import PHONE, broken_images, no_horizontal_overflow
from tests.galleries.factories import jpeg, make_gallery, upload


def zips_logged(download, gallery) -> int:
    """ZIP downloads logged for the gallery once the browser has the whole file: the server logs a ZIP when it
    has sent all of it (galleries.downloads.DeliveredZip), just after the last byte."""
    download.path()  # waits for the last byte
    deadline = time.monotonic() + 10
    while not DownloadEvent.objects.filter(gallery=gallery, kind="zip").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return DownloadEvent.objects.filter(gallery=gallery, kind="zip").count()


pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning:blurhash")]

PAGE = 8  # the viewer asks for 60 photos a page; the tests ask for 8 so 14 photos make two pages


@pytest.fixture
def wedding(studio):
    gallery = make_gallery(
        studio,
        sets=["Ceremony", "Reception"],
        access_code="WEDDING24",
        selection_limit=10,
        sort=Gallery.Sort.MANUAL,
        expires_at=timezone.now() + timedelta(days=5, hours=1),
    )
    ceremony, reception = gallery.sets.all()
    for n in range(14):
        # Every third photo is a portrait, so the justified rows have mixed shapes.
        width, height = (320, 480) if n % 3 == 2 else (480, 320)
        upload(gallery, jpeg(n, width, height), f"emma-jonah-{n:03d}.jpg", ceremony if n < 9 else reception)
    assert gallery.photos.ready().count() == 14
    make_gallery(studio, title="Old shoot", access_code="OLDSHOOT", expires_at=timezone.now() - timedelta(days=1))
    return gallery


def small_pages(page) -> list[str]:
    """Rewrite the viewer's photo requests to 8 a page, the unlock's first page too; returns the list of
    (rewritten) photo URLs asked for."""
    asked: list[str] = []

    def rewrite(route):
        url = route.request.url.replace("limit=60", f"limit={PAGE}")
        asked.append(url)
        route.continue_(url=url)

    def first_page(route):  # the unlock answers the first page too (its `first`)
        body = route.request.post_data_json or {}
        if "first_page" in body:  # a screen of photos, sized to the window
            body["first_page"] = PAGE
        route.continue_(post_data=json.dumps(body))

    page.route("**/photos/?*", rewrite)
    page.route("**/galleries/unlock/", first_page)
    return asked


def test_client_unlocks_favourites_three_and_submits_the_selection(studio, wedding, open_page, site_url):
    page = open_page()
    asked = small_pages(page)
    page.goto(site_url(studio, "/galleries/"))
    page.screenshot("access-code")
    # no studio's code page shows a live code as an example (it was "It looks like WEDDING24" on every one)
    assert "WEDDING24" not in page.content()
    help_text = page.locator("#gallery-code-help").inner_text()
    assert help_text == "It’s in the e-mail with your gallery link. Capitals don’t matter."

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
    assert not GalleryAccess.objects.exists()

    # the right code (any case) opens the gallery
    page.get_by_label("Access code").fill("wedding24")
    page.get_by_label("Your e-mail").fill("emma@example.test")
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
    # the first page came with the unlock's answer: only the second is asked for
    assert len(asked) == 1 and "cursor=" in asked[0]
    # placeholders: each tile its blurhash's average colour at once, the lazy ones (past the first 8) the
    # blurred picture too, drawn when the page is idle unless their photo came first
    assert tiles.first.evaluate("el => el.style.backgroundColor").startswith("rgb(")
    assert tiles.first.locator("canvas").count() == 0
    page.wait_for_function(
        "[...document.querySelectorAll('[data-grid] .tile')].slice(8)"
        ".every(t => t.querySelector('canvas.tile-placeholder') || t.classList.contains('loaded'))"
    )
    first = tiles.first.locator("img")
    # the first screen loads at once, the rest lazily; the srcset has the 800 px tile between 400 and 1,600
    assert first.get_attribute("loading") == "eager" and tiles.nth(8).locator("img").get_attribute("loading") == "lazy"
    srcset = first.get_attribute("srcset")
    assert " 400w" in srcset and ".max-800x800." in srcset and ".max-1600x1600." in srcset
    assert broken_images(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot("grid")

    # sets are tabs (arrow keys move between them)
    ceremony, reception = wedding.sets.all()
    tabs.nth(2).click()
    page.wait_for_function("document.querySelectorAll('[data-grid] .tile').length === 5")
    assert tabs.nth(2).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "document.querySelector('[data-grid] .tile') && document.querySelectorAll('[data-grid] .tile').length >= 8"
    )
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert any(f"set={ceremony.pk}" in url for url in asked)
    tabs.nth(0).click()  # possibly while Ceremony's second page is still loading
    page.wait_for_function("document.querySelectorAll('[data-grid] .tile').length >= 8")
    shown = [int(pk) for pk in page.locator("[data-grid] .tile").evaluate_all("els => els.map(e => e.dataset.photo)")]
    everything = list(wedding.ordered_photos().values_list("pk", flat=True))
    assert shown == everything[: len(shown)]  # in order, nothing left over from the Ceremony tab

    # the lightbox: open the first photo, arrow through, favourite and select three
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
        with page.expect_response(lambda r: r.url.endswith("/selection/") and r.request.method == "POST"):
            lightbox.get_by_role("button", name="Select", exact=True).click()
        page.wait_for_function(
            "document.querySelector('[data-selection-count]').textContent"
            f" === '{expected + 1} of 10 selected · ♥ {expected + 1}'"
        )
        page.keyboard.press("ArrowRight")
    assert caption.inner_text().startswith("4 of 14")
    page.keyboard.press("ArrowLeft")
    assert caption.inner_text().startswith("3 of 14")
    assert page.locator("[data-lightbox-favorite]").get_attribute("aria-pressed") == "true"
    assert page.locator("[data-lightbox-select]").get_attribute("aria-pressed") == "true"
    page.screenshot("lightbox-favourited", full_page=False)

    # download the photo on screen (web size, as the gallery allows)
    with page.expect_download() as download_info:
        lightbox.get_by_role("button", name="Download").click()
    assert download_info.value.suggested_filename == "emma-jonah-002.jpg"

    page.keyboard.press("Escape")
    assert not lightbox.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('tile-open')")  # focus back on the photo
    ids = [int(tiles.nth(i).get_attribute("data-photo")) for i in range(3)]
    favourites = Favorite.objects.filter(gallery=wedding, email="emma@example.test")
    assert sorted(favourites.values_list("photo_id", flat=True)) == sorted(ids)
    assert [tiles.nth(i).locator(".tile-favorite").get_attribute("aria-pressed") for i in range(4)] == [
        "true",
        "true",
        "true",
        "false",
    ]
    assert tiles.nth(0).locator(".tile-select").get_attribute("aria-pressed") == "true"

    # submit the selection: a confirmation first; "Keep choosing" sends nothing
    page.get_by_role("button", name="Submit selection").click()
    confirm = page.get_by_role("dialog", name="Send your selection?")
    confirm.wait_for()
    assert confirm.get_by_text("You’ve chosen 3 of 10 photos.").is_visible()
    page.screenshot("confirm-selection", full_page=False)
    confirm.get_by_role("button", name="Keep choosing").click()
    confirm.wait_for(state="hidden")
    assert not Selection.objects.get(gallery=wedding, email="emma@example.test").locked
    page.get_by_role("button", name="Submit selection").click()
    confirm.get_by_role("button", name="Send selection").click()
    page.get_by_text("Thank you! Your selection of 3 photos was sent to Northlight Photography.").wait_for()
    selection = Selection.objects.get(gallery=wedding, email="emma@example.test")
    assert selection.locked and selection.submitted_at is not None
    assert sorted(selection.items.values_list("photo_id", flat=True)) == sorted(ids)
    assert page.locator("[data-submit-selection]").is_disabled()
    assert tiles.nth(5).locator(".tile-select").is_disabled()  # locked after submitting
    assert page.locator("[data-selection-count]").inner_text().startswith("Selection sent: 3 photos.")
    page.screenshot("submitted", full_page=False)
    downloads = DownloadEvent.objects.filter(gallery=wedding)
    assert list(downloads.values_list("kind", "photo_id", "email")) == [("web", ids[2], "emma@example.test")]
    # the only console messages are Chromium's notes on the wrong and expired codes' 404 and 410
    assert len(page.console_errors) == 2
    assert all("404" in e or "410" in e for e in page.console_errors), page.console_errors


def test_selection_limit_and_reload_keep_the_client_informed(studio, wedding, open_page, site_url):
    Gallery.objects.filter(pk=wedding.pk).update(selection_limit=2)
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    small_pages(page)
    page.goto(site_url(studio, "/galleries/"))
    page.get_by_label("Access code").fill("WEDDING24")
    page.get_by_role("button", name="Open gallery").click()
    tiles = page.locator("[data-grid] .tile")
    tiles.nth(7).wait_for()
    assert no_horizontal_overflow(page)

    for i in range(2):
        with page.expect_response(lambda r: r.url.endswith("/selection/")):
            tiles.nth(i).locator(".tile-select").click()
    tiles.nth(2).locator(".tile-select").click()  # one too many
    page.get_by_text("You’ve chosen 2 of 2. Remove a photo from your selection to choose another.").wait_for()
    assert page.locator("[data-selection-count]").inner_text() == "2 of 2 selected"
    selection = Selection.objects.get(gallery=wedding)
    assert selection.items.count() == 2 and not selection.locked
    # favourites are the client's own lists: not limited
    with page.expect_response(lambda r: "/favorites/" in r.url):
        tiles.nth(2).locator(".tile-favorite").click()
    assert Favorite.objects.filter(gallery=wedding).count() == 1
    page.screenshot("phone-limit", full_page=False)

    # a reload keeps the gallery open (token in sessionStorage), the selection and the favourites
    page.reload()
    page.get_by_role("heading", name="Emma & Jonah — Wedding").wait_for()
    tiles.nth(7).wait_for()
    assert page.locator("[data-selection-count]").inner_text() == "2 of 2 selected · ♥ 1"
    assert tiles.nth(2).locator(".tile-favorite").get_attribute("aria-pressed") == "true"

    # the whole set as a ZIP: a plain link carrying the token, streamed by the browser
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download all").click()
    assert download_info.value.suggested_filename.endswith(".zip")
    assert zips_logged(download_info.value, wedding) == 1

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


@pytest.fixture
def pinned(studio):
    """A gallery that opens with its code (to view) and downloads only with its PIN."""
    gallery = make_gallery(studio, title="Ada — Portraits", access_code="PORTRAIT7", download_pin="4321")
    for n in range(2):
        upload(gallery, jpeg(n), f"ada-{n:03d}.jpg")
    return gallery


def open_with_code(page, studio, site_url, code="PORTRAIT7"):
    page.goto(site_url(studio, "/galleries/"))
    assert page.get_by_label("Download PIN (optional)").is_visible()  # for the clients who have it at hand
    page.get_by_label("Access code").fill(code)
    page.get_by_label("Your e-mail").fill("ada@example.test")
    page.get_by_role("button", name="Open gallery").click()
    page.get_by_role("heading", name="Ada — Portraits").wait_for()


def test_download_asks_for_the_pin_after_a_code_only_unlock(studio, pinned, open_page, site_url):
    page = open_page()
    open_with_code(page, studio, site_url)
    page.locator("[data-grid] .tile .tile-open").first.click()
    lightbox = page.get_by_role("dialog", name="Photo viewer")

    # Download: the PIN dialog, focused on its field; Esc closes it and nothing is downloaded
    lightbox.get_by_role("button", name="Download").click()
    dialog = page.get_by_role("dialog", name="Download PIN")
    dialog.wait_for()
    assert page.evaluate("document.activeElement.id") == "pin-dialog-pin"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert lightbox.is_visible()

    # a wrong PIN: told so, still in the dialog
    lightbox.get_by_role("button", name="Download").click()
    dialog.get_by_label("Download PIN").fill("1111")
    dialog.get_by_role("button", name="Download").click()
    dialog.get_by_text("That PIN isn’t right").wait_for()
    assert dialog.get_by_label("Download PIN").get_attribute("aria-invalid") == "true"
    page.screenshot("pin-wrong", full_page=False)
    assert not DownloadEvent.objects.exists()

    # the right PIN: the photo asked for downloads, with a token that may download
    dialog.get_by_label("Download PIN").fill("4321")
    with page.expect_download() as download_info:
        dialog.get_by_role("button", name="Download").click()
    assert download_info.value.suggested_filename == "ada-000.jpg"
    dialog.wait_for(state="hidden")
    first = pinned.ordered_photos().first()
    assert list(DownloadEvent.objects.values_list("kind", "photo_id", "email")) == [
        ("web", first.pk, "ada@example.test")
    ]
    assert GalleryAccess.objects.filter(gallery=pinned, pin_ok=True, email="ada@example.test").count() == 1

    # the next downloads, even after a reload, don't ask again
    page.keyboard.press("Escape")
    page.reload()
    page.get_by_role("heading", name="Ada — Portraits").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download all").click()
    assert download_info.value.suggested_filename.endswith(".zip")
    assert not dialog.is_visible()
    assert zips_logged(download_info.value, pinned) == 1
    # the only console message is Chromium's note on the wrong PIN's 404
    assert len(page.console_errors) == 1 and "404" in page.console_errors[0], page.console_errors


def test_download_all_asks_for_the_pin_and_shows_the_attempt_limit(studio, pinned, open_page, site_url, settings):
    settings.GALLERY_PIN_ATTEMPT_LIMITS = ["1/15m"]
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    open_with_code(page, studio, site_url)
    page.get_by_role("button", name="Download all").click()
    dialog = page.get_by_role("dialog", name="Download PIN")
    dialog.get_by_label("Download PIN").fill("0000")
    dialog.get_by_role("button", name="Download").click()
    dialog.get_by_text("That PIN isn’t right").wait_for()
    # past the gallery's limit even the right PIN waits; the server's message says how long
    dialog.get_by_label("Download PIN").fill("4321")
    dialog.get_by_role("button", name="Download").click()
    dialog.get_by_text("Too many attempts on this gallery, try again in").wait_for()
    assert no_horizontal_overflow(page)
    page.screenshot("pin-too-many", full_page=False)
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.hasAttribute('data-download-all')")  # focus back on the button
    assert not DownloadEvent.objects.exists()


LAYOUT_SHIFT = """() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
    setTimeout(() => resolve(total), 300);
})"""


def test_the_emailed_link_opens_the_gallery_at_once(studio, wedding, open_page, site_url):
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    events: list[str] = []  # "ask galleries/5/photos/?limit=60", "got galleries/5/favorites/", …

    def log(what):
        return lambda r: "/api/client/" in r.url and events.append(f"{what} {r.url.split('/api/client/')[1]}")

    page.on("request", log("ask"))
    page.on("requestfinished", log("got"))
    unlocks: list[dict] = []
    page.on("request", lambda r: r.url.endswith("/galleries/unlock/") and unlocks.append(r.post_data_json))
    page.goto(site_url(studio, "/galleries/?code=wedding24"))
    page.get_by_role("heading", name="Emma & Jonah — Wedding").wait_for()
    page.locator("[data-grid] .tile").nth(13).wait_for()
    # the code is taken out of the address (history, screenshots, a forwarded link)
    assert page.evaluate("location.search") == ""
    assert page.url.endswith("/galleries/")
    assert not page.locator("[data-unlock]").is_visible()
    assert GalleryAccess.objects.filter(gallery=wedding).count() == 1
    # the unlock answers the favourites, the selection and the first photos too: one request opens the gallery
    assert [e for e in events if e.startswith("ask ")] == ["ask galleries/unlock/"], events
    # a phone's screenful of photos (the first paint waits for all of the answer), not a whole page of 60
    assert 12 <= unlocks[0]["first_page"] < 30, unlocks
    # the page opened straight into the viewer: nothing jumped (the footer stays below the fold)
    assert page.evaluate(LAYOUT_SHIFT) < 0.05
    assert no_horizontal_overflow(page)
    page.screenshot("opened-by-link", full_page=False)

    # a reload keeps it open, from this tab's session: detail, favourites, selection and photos at once
    events.clear()
    page.reload()
    page.locator("[data-grid] .tile").first.wait_for()
    first_answer = next(i for i, e in enumerate(events) if e.startswith("got "))
    assert len([e for e in events[:first_answer] if e.startswith("ask ")]) == 4, events
    assert page.evaluate(LAYOUT_SHIFT) < 0.05
    assert page.console_errors == []


def test_the_emailed_link_loads_the_first_photos_without_waiting_for_the_viewer_script(
    studio, wedding, open_page, site_url
):
    """The first screen's photos are asked for as soon as the unlock answers (the template's inline script),
    not after gallery.js has loaded and built the grid: here gallery.js is held back until they have been
    asked for. The tiles then show those same files, each fetched once."""
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    photos: list[str] = []  # image requests for gallery photos, in order
    page.on("request", lambda r: "/media/" in r.url and photos.append(r.url))
    held = []
    page.route("**/site/gallery*.js", lambda route: held.append(route))
    page.goto(site_url(studio, "/galleries/?code=WEDDING24"), wait_until="commit")
    deadline = time.monotonic() + 10
    while (len(photos) < 8 or not held) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "gallery.js was never asked for"
    assert len(photos) == 8, photos  # the first screen (8 tiles: gallery.js EAGER_TILES), the rest wait
    for route in held:
        route.continue_()
    tiles = page.locator("[data-grid] .tile")
    tiles.nth(13).wait_for()
    page.wait_for_function(
        "[...document.querySelectorAll('[data-grid] .tile')].slice(0, 8).every(t => t.classList.contains('loaded'))"
    )
    # the preloads name the files the tiles choose (the same srcset, sizes and priority)
    preloads = page.evaluate(
        "[...document.querySelectorAll('link[rel=preload][as=image]')]"
        ".map(l => [l.getAttribute('imagesrcset'), l.getAttribute('imagesizes'), l.fetchPriority])"
    )
    shown = tiles.locator("img").evaluate_all(
        "imgs => imgs.slice(0, 8).map(i => [i.getAttribute('srcset'), i.getAttribute('sizes'), i.fetchPriority])"
    )
    assert preloads == shown
    assert [p[2] for p in shown] == ["high"] * 3 + ["auto"] * 5
    # and no photo was fetched twice
    assert len(photos) == len(set(photos)), photos
    assert page.console_errors == []


def test_a_link_with_a_wrong_code_shows_the_form_with_the_code_and_why(studio, wedding, open_page, site_url):
    page = open_page()
    page.goto(site_url(studio, "/galleries/?code=WEDDING99"))
    message = page.locator("[data-unlock-message]")
    message.wait_for()
    assert "couldn’t find a gallery with that code" in message.inner_text()
    assert page.get_by_label("Access code").input_value() == "WEDDING99"
    assert page.evaluate("location.search") == ""
    assert not page.locator("[data-viewer]").is_visible()
    page.screenshot("link-wrong-code", full_page=False)
    # corrected by hand, it opens
    page.get_by_label("Access code").fill("WEDDING24")
    page.get_by_role("button", name="Open gallery").click()
    page.get_by_role("heading", name="Emma & Jonah — Wedding").wait_for()


def test_the_client_comments_on_a_photo_in_the_lightbox(studio, wedding, open_page, site_url):
    page = open_page()
    small_pages(page)
    page.goto(site_url(studio, "/galleries/?code=WEDDING24"))
    tiles = page.locator("[data-grid] .tile")
    tiles.nth(1).locator(".tile-open").click()
    lightbox = page.get_by_role("dialog", name="Photo viewer")
    lightbox.get_by_role("button", name="Comment").click()
    panel = page.get_by_role("region", name="Comments on this photo")
    panel.get_by_text("No comments yet.").wait_for()
    assert page.evaluate("document.activeElement.id") == "comment-body"

    # an empty comment: told, nothing sent
    panel.get_by_role("button", name="Send comment").click()
    panel.get_by_text("Write your comment first.").wait_for()
    assert not Comment.objects.exists()

    # typing uses the arrow keys for the caret, not to change photo
    box = panel.get_by_label("Your comment to Northlight Photography")
    box.fill("Could this one be a little warmer?")
    page.keyboard.press("ArrowLeft")
    assert page.locator("[data-lightbox-caption]").inner_text().startswith("2 of 14")
    with page.expect_response(lambda r: "/comments/" in r.url and r.request.method == "POST"):
        panel.get_by_role("button", name="Send comment").click()
    panel.locator("li", has_text="Could this one be a little warmer?").wait_for()
    photo = wedding.ordered_photos()[1]
    assert list(Comment.objects.values_list("photo_id", "body")) == [(photo.pk, "Could this one be a little warmer?")]
    assert box.input_value() == ""
    page.screenshot("comment-sent", full_page=False)

    # the next photo has its own (none); back again, the comment is there (after a reload too)
    lightbox.get_by_role("button", name="Next photo (→)").click()
    panel.get_by_text("No comments yet.").wait_for()
    page.reload()
    tiles.nth(1).locator(".tile-open").click()
    lightbox.get_by_role("button", name="Comment").click()
    panel.locator("li", has_text="Could this one be a little warmer?").wait_for()
    assert page.console_errors == []


def test_download_all_waits_while_the_photos_are_being_prepared(studio, open_page, site_url):
    """A web rendition missing (just uploaded, or the watermark just turned on): the viewer asks first (HEAD,
    nothing counted), says the photos are being prepared, and starts the download itself once they are."""
    gallery = make_gallery(studio, title="Mia — Birthday", access_code="BIRTHDAY5", download_limit=1)
    for n in range(2):
        upload(gallery, jpeg(n, 480, 320), f"mia-{n:03d}.jpg")
    missing = StudioRendition.objects.filter(filter_spec=web_spec(gallery, "web")).first()
    missing.file.delete(save=False)
    missing.delete()

    page = open_page()
    page.goto(site_url(studio, "/galleries/"))
    page.get_by_label("Access code").fill("BIRTHDAY5")
    page.get_by_role("button", name="Open gallery").click()
    page.get_by_role("heading", name="Mia — Birthday").wait_for()

    with page.expect_download(timeout=30000) as download_info:
        page.get_by_role("button", name="Download all").click()
        toast = page.locator("[data-toast]")
        toast.get_by_text("Preparing your photos… ready in about").wait_for()
        page.screenshot("download-all-preparing", full_page=False)
        assert DownloadEvent.objects.count() == 0
    assert download_info.value.suggested_filename.endswith(".zip")
    assert zips_logged(download_info.value, gallery) == 1
    # the HEADs before it took nothing: the one download allowed is this ZIP
    assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == 0
