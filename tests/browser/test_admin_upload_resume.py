"""A resumable upload survives a network drop, in Chromium (galleries/multipart.py, static/admin/gallery-manager.js),
on local storage (parts PUT to the admin) and on S3 (moto's server: parts PUT to presigned URLs): files dropped onto
the gallery manager go in parts; some part requests are cut (Playwright aborts them before they reach the server,
as a dropped connection would); the uploader says so, retries, sends only the parts that did not arrive, and every
photo ends up in the grid with its thumbnail, byte for byte the file that was dropped."""

import base64
import hashlib
import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from galleries.models import GalleryPhoto, MultipartUpload
from tests.browser.test_admin_gallery_manager import DROP_FILES
from tests.factories import photographer_for
from tests.galleries.conftest import s3, s3_server  # noqa: F401 (fixtures)
from tests.galleries.factories import jpeg, make_gallery

# PostgreSQL: the page uploads several files at once, and the live server's threads share SQLite's one in-memory
# test connection, so two requests' transactions would interleave on it (not a fault of the page).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.filterwarnings("ignore::DeprecationWarning:blurhash"),
]

PART = 8 * 1024
LOCAL_PART = re.compile(r".*/upload/multipart/(\d+)/part/(\d+)/$")  # the admin's part view
S3_PART = re.compile(r".*[?&]partNumber=\d+.*")  # a presigned upload_part URL


@pytest.fixture(params=["local", "s3"])
def storage(request, monkeypatch):
    """Small parts, several a file (the live server and moto's server run in this process)."""
    if request.param == "s3":
        import moto.s3.models

        request.getfixturevalue("s3")  # first: its settings override is put back last
        monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 1024)
    with override_settings(GALLERY_UPLOAD_PART_BYTES=PART):
        yield request.param


def part_of(url: str) -> tuple[str, int]:
    """(the upload as the URL names it, the part number)."""
    if found := LOCAL_PART.match(url):
        return found.group(1), int(found.group(2))
    query = parse_qs(urlsplit(url).query)
    return query["uploadId"][0], int(query["partNumber"][0])


def named(upload: MultipartUpload, storage: str) -> str:
    return str(upload.pk) if storage == "local" else upload.s3_upload_id


def test_an_upload_cut_off_half_way_resumes_and_finishes(storage, studio, open_page, live_server):
    photographer_for(studio, email="demo@northlight.test")
    gallery = make_gallery(studio, access_code="WEDDING24")
    admin = live_server.url.replace("127.0.0.1", "localhost")
    page = open_page()
    page.goto(f"{admin}/admin/login/")
    page.locator("#id_username").fill("demo@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    page.goto(f"{admin}/admin/galleries/{gallery.pk}/photos/")

    # The network: part 2 of every file is cut the first time, and the first file's part 3 three times running.
    sent, cut = Counter(), Counter()

    def network(route):
        key = upload_id, number = part_of(route.request.url)
        if (number == 2 and not cut[key]) or (number == 3 and upload_id == first_upload() and cut[key] < 3):
            cut[key] += 1
            return route.abort("connectionreset")
        sent[key] += 1
        return route.continue_()

    def first_upload():
        first = MultipartUpload.objects.filter(gallery=gallery, filename="IMG_0000.jpg").first()
        return named(first, storage) if first else None

    page.route(LOCAL_PART if storage == "local" else S3_PART, network)

    files = {f"IMG_{n:04d}.jpg": jpeg(n, 1200, 800) for n in range(6)}
    dropped = [[name, base64.b64encode(data).decode()] for name, data in files.items()]
    transfer = page.evaluate_handle(DROP_FILES, [dropped])
    page.dispatch_event("[data-grid]", "drop", {"dataTransfer": transfer})
    page.wait_for_function("document.querySelectorAll('[data-grid] .photo-tile').length === 6")
    page.get_by_text("Connection lost, retrying…").first.wait_for()
    page.screenshot("retrying", full_page=False)

    page.wait_for_function("document.querySelectorAll('[data-grid] .photo-tile.status-ready img').length === 6", 90_000)
    page.wait_for_function("[...document.querySelectorAll('[data-grid] img')].every((img) => img.naturalWidth > 0)")
    assert page.locator("[data-upload-summary]").inner_text() == "Uploaded 6 of 6. 6 ready, 0 processing."
    assert page.locator(".photo-tile-reason").count() == 0  # the retry notes are gone
    page.screenshot("resumed")

    # Every cut part was sent again, and no part went twice: the uploads went on from the missing parts.
    assert len(cut) == 7 and sum(cut.values()) == 9, cut
    assert set(cut) <= set(sent) and set(sent.values()) == {1}, sent
    uploads = MultipartUpload.objects.filter(gallery=gallery)
    assert uploads.count() == 6 and all(u.photo_id for u in uploads)
    assert len(sent) == sum(u.part_count for u in uploads) and min(u.part_count for u in uploads) >= 3
    for photo in GalleryPhoto.objects.filter(gallery=gallery).select_related("image"):
        assert photo.image.status == "ready"
        with default_storage.open(photo.image.file.name, "rb") as stored:
            assert hashlib.sha256(stored.read()).digest() == hashlib.sha256(files[photo.filename]).digest()
    assert not [e for e in page.console_errors if "ERR_CONNECTION_RESET" not in e and "net::" not in e]
