"""The admin's bulk uploader in a real browser: files go one by one, each row shows its processing result."""

import pytest

from galleries.models import GalleryPhoto
from tests.galleries.factories import jpeg, make_gallery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bulk_upload_with_per_file_status(browser, live_server, client, photographer, studio, tmp_path):
    """A photographer uploads six files at once; each row shows its own result as it is processed."""
    from playwright.sync_api import expect

    gallery = make_gallery(studio, sets=["Ceremony"])
    files = []
    for i in range(5):
        path = tmp_path / f"IMG_{i:04d}.jpg"
        path.write_bytes(jpeg(100 + i, 900, 600))
        files.append(str(path))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"")
    files.append(str(broken))
    client.force_login(photographer)
    session = client.cookies["sessionid"].value
    base = live_server.url.replace("127.0.0.1", "localhost")

    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/admin/galleries/{gallery.pk}/upload/")
    page.select_option("#upload-set", label="Ceremony")
    page.set_input_files("#upload-files", files)
    page.click("#gallery-upload button[type=submit]")
    rows = page.locator("#upload-progress tbody tr")
    expect(rows).to_have_count(6)
    for i in range(5):
        expect(rows.nth(i).locator("td").nth(2)).to_have_text("Ready", timeout=20000)
    expect(rows.nth(5).locator("td").nth(2)).to_contain_text("The file is empty (0 bytes)", timeout=20000)
    context.close()

    assert GalleryPhoto.objects.filter(gallery=gallery, set__name="Ceremony").count() == 6
    assert GalleryPhoto.objects.filter(gallery=gallery, image__status="ready").count() == 5
