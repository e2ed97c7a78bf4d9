"""Moving the selected photos to the top, the bottom or position N of the whole gallery (a move across pages of
the gallery manager's grid); the client's order follows; another studio's photo ids change nothing."""

import pytest
from django.test import Client

from galleries.models import Gallery, GalleryPhoto

from .conftest import bulk_ready_photos
from .factories import make_gallery

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_admin(photographer):
    client = Client(HTTP_HOST="localhost")
    client.force_login(photographer)
    return client


def act(admin, gallery, action, photos, **extra):
    return admin.post(
        f"/admin/galleries/{gallery.pk}/photos/action/",
        {"action": action, "photos": [p.pk for p in photos], **extra},
        HTTP_ACCEPT="application/json",
    )


def order(gallery) -> list[int]:
    return list(GalleryPhoto.objects.filter(gallery=gallery).order_by("order", "pk").values_list("pk", flat=True))


def test_move_to_top_bottom_and_position_across_pages(a_admin, gallery):
    photos = bulk_ready_photos(gallery, 450)  # three pages of the grid
    ids = [p.pk for p in photos]
    last_page = [photos[420], photos[401]]

    moved = act(a_admin, gallery, "top", last_page)
    assert moved.status_code == 200, moved.content
    assert "2 photos moved to the top" in moved.json()["message"]
    assert order(gallery)[:3] == [photos[401].pk, photos[420].pk, photos[0].pk]  # in their present order
    assert Gallery.objects.get(pk=gallery.pk).sort == Gallery.Sort.MANUAL

    act(a_admin, gallery, "bottom", [photos[0]])
    assert order(gallery)[-1] == photos[0].pk

    assert act(a_admin, gallery, "position", [photos[5], photos[6]], position="250").status_code == 200
    now = order(gallery)
    assert now[249:251] == [photos[5].pk, photos[6].pk]
    assert sorted(now) == sorted(ids) and len(now) == 450

    act(a_admin, gallery, "position", [photos[7]], position="99999")  # past the end: last
    assert order(gallery)[-1] == photos[7].pk


def test_the_client_sees_the_new_order(a_admin, gallery, photos, api, unlock):
    act(a_admin, gallery, "top", [photos[3]])
    token = unlock(gallery.studio)
    body = api("get", f"/api/client/galleries/{gallery.pk}/photos/", gallery.studio, token).json()
    assert [p["filename"] for p in body["results"]][0] == photos[3].filename


@pytest.mark.parametrize("position", ["", "abc", "0", "-3"])
def test_a_bad_position_is_refused_clearly(a_admin, gallery, photos, position):
    before = order(gallery)
    refused = act(a_admin, gallery, "position", [photos[0]], position=position)
    assert refused.status_code == 400 and "position" in refused.json()["message"].lower()
    assert order(gallery) == before


def test_another_studios_photos_cannot_be_moved(a_admin, gallery, photos, other_studio):
    b_gallery = make_gallery(other_studio, title="Harbour family", slug="harbour-family", access_code="HARBOUR77")
    b_photos = bulk_ready_photos(b_gallery, 3)
    before, b_before = order(gallery), order(b_gallery)
    assert act(a_admin, gallery, "top", [photos[1], b_photos[2]]).status_code == 404
    assert act(a_admin, b_gallery, "top", [b_photos[2]]).status_code == 404
    assert order(gallery) == before and order(b_gallery) == b_before
