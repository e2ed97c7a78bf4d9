"""A gallery's download limit is the gallery's: a new e-mail, or unlocking again, brings no new allowance (issue 12).

The grant a client holds is the gallery's code and download PIN, the same for everyone it was given to; the
e-mail on the unlock form is whatever the visitor types. So "3 downloads allowed" means 3 for the gallery."""

import pytest

from galleries.models import DownloadAllowance, DownloadEvent, Gallery

pytestmark = pytest.mark.django_db


def photo_url(photo):
    return f"/api/client/photos/{photo.pk}/download/"


def test_a_new_email_does_not_reset_the_allowance(api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=3, download_pin="2468")
    emma = unlock(studio, email="emma@example.test", pin="2468")
    assert [api("get", photo_url(p), studio, emma).status_code for p in photos[:3]] == [200, 200, 200]
    assert api("get", photo_url(photos[3]), studio, emma).status_code == 403

    for email in ("emma+2@example.test", "someone.else@example.test", ""):
        again = unlock(studio, email=email, pin="2468")
        refused = api("get", photo_url(photos[3]), studio, again)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "download_limit_reached"
        detail = api("get", f"/api/client/galleries/{gallery.pk}/", studio, again).json()
        assert detail["permissions"]["downloads_left"] == 0
    assert DownloadEvent.objects.count() == 3


def test_downloads_left_is_shared_by_everyone_with_the_gallery(api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=3)
    emma = unlock(studio, email="emma@example.test")
    jonah = unlock(studio, email="jonah@example.test")
    assert api("get", photo_url(photos[0]), studio, emma).status_code == 200
    assert api("get", f"/api/client/galleries/{gallery.pk}/download/", studio, jonah).status_code == 200  # a ZIP: one

    detail = api("get", f"/api/client/galleries/{gallery.pk}/", studio, jonah).json()
    assert detail["permissions"]["downloads_left"] == 1
    assert DownloadAllowance.objects.get().used == 2


def test_the_photographer_sees_what_is_left(api, studio, gallery, photos, unlock, admin_client_for, photographer):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=3)
    api("get", photo_url(photos[0]), studio, unlock(studio, email="emma@example.test"))
    page = admin_client_for(photographer).get(f"/admin/galleries/{gallery.pk}/activity/", HTTP_HOST="localhost")
    assert "2 of 3 downloads left in this gallery" in page.content.decode()
