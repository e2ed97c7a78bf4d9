"""The "Recent gallery activity" dashboard panel: views, favourites, downloads and submitted selections of the
photographer's own galleries."""

import pytest

from galleries import proofing
from galleries.access import unlock_gallery
from galleries.dashboard import GalleryActivityPanel
from galleries.models import DownloadEvent

from .conftest import bulk_ready_photos
from .factories import make_gallery

pytestmark = pytest.mark.django_db


def client_activity(gallery, email: str, photos, *, submit=True):
    """What a client does: opens the gallery, favourites and selects photos, downloads one, submits."""
    _, access = unlock_gallery(gallery.studio, gallery.access_code, email)
    for photo in photos:
        proofing.add_favorite(gallery, email, photo)
        proofing.select_photo(gallery, email, photo)
    DownloadEvent.objects.create(gallery=gallery, photo=photos[0], kind=DownloadEvent.Kind.WEB, email=email)
    if submit:
        proofing.submit_selection(gallery, email)
    return access


@pytest.fixture
def harbour_gallery(other_studio):
    gallery = make_gallery(other_studio, title="Harbour Secret Wedding", access_code="HARBOUR1")
    client_activity(gallery, "secret@harbour.test", bulk_ready_photos(gallery, 4))
    return gallery


def test_photographer_sees_their_galleries_activity_and_submitted_selections(
    gallery, harbour_gallery, photographer, admin_client_for
):
    gallery.selection_limit = 25
    gallery.save()
    photos = bulk_ready_photos(gallery, 5)
    client_activity(gallery, "emma@example.test", photos[:3])

    html = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "studio-gallery-activity" in html
    assert "Last 7 days: <strong>1</strong> view · <strong>3</strong> favourites · <strong>1</strong> download" in html
    assert "Submitted selections" in html
    assert "emma@example.test" in html and "3 photos of 25" in html
    assert f"/admin/galleries/{gallery.pk}/selections/" in html  # the Lightroom list
    assert "emma@example.test submitted 3 photos" in html
    assert "emma@example.test favourited IMG_0002.jpg" in html
    assert "Harbour Secret Wedding" not in html and "secret@harbour.test" not in html


def test_the_other_photographer_sees_only_harbours_activity(
    gallery, harbour_gallery, other_photographer, admin_client_for
):
    client_activity(gallery, "emma@example.test", bulk_ready_photos(gallery, 2))

    html = admin_client_for(other_photographer).get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "Harbour Secret Wedding" in html and "secret@harbour.test submitted 4 photos" in html
    assert "emma@example.test" not in html


def test_a_quiet_week_says_so(gallery, photographer, admin_client_for):
    html = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost").content.decode()
    assert "No client has opened a gallery in the last 7 days." in html


def test_panel_queries_do_not_grow_with_activity(gallery, studio, rf, django_assert_num_queries):
    photos = bulk_ready_photos(gallery, 12)
    for n in range(8):
        client_activity(gallery, f"client{n}@example.test", photos[n : n + 3])
    panel = GalleryActivityPanel(studio, rf.get("/admin/"))

    with django_assert_num_queries(7):  # submitted selections, 3 kinds of latest events, 3 counts: none per row
        context = panel.get_panel_context()
    assert len(context["events"]) == 6 and len(context["selections"]) == 5
    assert context["counts"] == {"views": 8, "favorites": 24, "downloads": 8}
