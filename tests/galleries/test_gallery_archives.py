""" "Download all" prepared ahead (issue 14; galleries/archives.py): once a gallery's web renditions are all
made, its ZIP is written once and served as one stored file (sendfile on local storage, a presigned URL on
S3), the same bytes the streamed ZIP would have been. Any change a client would see gives the gallery another
archive; until it is made the ZIP streams as before. A download is counted once and given back when the
client does not get the whole file."""

import io
import os
import socket
import tempfile
import threading
import urllib.request
import zipfile
from contextlib import contextmanager
from datetime import timedelta
from wsgiref.util import FileWrapper

import pytest
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.http import FileResponse, HttpResponseRedirect
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from galleries import curation
from galleries.archives import archive_key, prepare_archive, sweep_superseded_archives
from galleries.downloads import DeliveredArchive, downloads_left, web_zip_entries, zip_rows
from galleries.models import DownloadEvent, Gallery, GalleryAccess, GalleryArchive
from galleries.renditions import WEB_ZIP_SIZE
from studios import rls

from .factories import jpeg, make_gallery, upload
from .test_web_zip import web_rendition, with_web_renditions, zip_url

pytestmark = pytest.mark.django_db


def download(api, gallery, studio, token) -> tuple[object, bytes]:
    response = api("get", zip_url(gallery), studio, token)
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def served_from_archive(response) -> bool:
    return isinstance(response, FileResponse)  # the streamed ZIP is a StreamingHttpResponse


def names_in(body: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return archive.namelist()


@contextmanager
def server_ending_requests():
    """Django's request start and end close the database connection; in a test that is the test's own (Django's
    test client keeps it the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_download(gallery, studio, token, block=None):
    """The ZIP through Django's WSGI handler, as gunicorn calls it, with the server's wsgi.file_wrapper (reading
    `block` bytes at a time if given): (status, headers, the iterable the server sends)."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=zip_url(gallery),
        REQUEST_METHOD="GET",
        HTTP_HOST=studio.hostname,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **{"wsgi.file_wrapper": (lambda f, size: FileWrapper(f, block)) if block else FileWrapper},
    )
    started = []
    with server_ending_requests():
        result = WSGIHandler()(environ, lambda status, headers: started.append((status, dict(headers))))
    return started[0][0], started[0][1], result


def hang_up(result) -> None:
    """The client goes away after the first piece: the server closes the response."""
    next(iter(result))
    with server_ending_requests():
        result.close()


def read_all(result) -> bytes:
    body = b"".join(result)
    with server_ending_requests():
        result.close()
    return body


def live_archives(gallery):
    return GalleryArchive.objects.filter(gallery=gallery, superseded_at__isnull=True)


def test_the_prepared_archive_is_the_zip_the_client_would_have_streamed(api, studio, gallery, photos, unlock):
    token = unlock(studio)
    streamed_response, streamed = download(api, gallery, studio, token)
    assert not served_from_archive(streamed_response)  # nothing prepared yet (eager mode prepares nothing)

    assert prepare_archive(gallery.pk) == "ready"
    archive = live_archives(gallery).get()
    assert archive.file.name.startswith(f"tenants/{studio.pk}/archives/{gallery.pk}/")
    response, served = download(api, gallery, studio, token)

    assert served_from_archive(response)
    assert served == streamed, "the stored archive is byte for byte the ZIP the request would have built"
    assert int(response["Content-Length"]) == len(served) == archive.file_size
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == streamed_response["Content-Disposition"]
    assert names_in(served)[:2] == ["Ceremony/IMG_0001.jpg", "Ceremony/IMG_0002.jpg"]
    assert DownloadEvent.objects.filter(gallery=gallery, kind="zip").count() == 2
    assert prepare_archive(gallery.pk) == "ready" and GalleryArchive.objects.filter(gallery=gallery).count() == 1


def test_the_wsgi_server_is_handed_the_file_itself_for_sendfile(api, studio, gallery, photos, unlock):
    """Through Django's WSGI handler, as gunicorn calls it: the response is the server's wsgi.file_wrapper
    around the archive's file (gunicorn sends such a file with sendfile(2)), nothing wrapped around it by the
    middleware. Read to its end and closed, the download is logged."""
    token = unlock(studio)
    assert prepare_archive(gallery.pk) == "ready"
    status, headers, result = wsgi_download(gallery, studio, token)
    assert status == "200 OK"
    assert isinstance(result, FileWrapper) and isinstance(result.filelike, DeliveredArchive)
    assert result.filelike.fileno() >= 0
    body = read_all(result)
    assert len(body) == int(headers["Content-Length"]) == live_archives(gallery).get().file_size
    assert DownloadEvent.objects.filter(kind="zip").count() == 1


def _hide(gallery, photos):
    curation.set_hidden(gallery, [photos[0].pk], True)


def _reorder(gallery, photos):
    curation.reorder(gallery, [p.pk for p in reversed(photos)])


def _rename_set(gallery, photos):
    ceremony = gallery.sets.get(name="Ceremony")
    ceremony.name = "Vows"
    ceremony.save()


def _move_to_set(gallery, photos):
    curation.move_to_set(gallery, [photos[0].pk], gallery.sets.get(name="Reception").pk)


def _delete(gallery, photos):
    curation.delete_photos(gallery, [photos[3].pk])


def _new_rendition(gallery, photos):
    # A photo rendered again (a new watermark makes new files): the same names in the ZIP, other bytes.
    rendition = web_rendition(photos[1])
    data = jpeg(9, 64, 48)
    rendition.file.save("web_again.jpg", ContentFile(data), save=False)
    rendition.width, rendition.height, rendition.file_size = 64, 48, len(data)
    rendition.save()


@pytest.mark.parametrize("change", [_hide, _reorder, _rename_set, _move_to_set, _delete, _new_rendition])
def test_a_change_the_client_would_see_is_never_served_from_the_old_archive(
    api, studio, gallery, photos, unlock, change
):
    token = unlock(studio)
    assert prepare_archive(gallery.pk) == "ready"
    _, before = download(api, gallery, studio, token)
    old = live_archives(gallery).get()

    change(Gallery.objects.get(pk=gallery.pk), photos)
    response, after = download(api, gallery, studio, token)
    assert not served_from_archive(response), "the old archive no longer matches what the gallery holds"
    assert after != before

    assert prepare_archive(gallery.pk) == "ready"
    response, prepared = download(api, gallery, studio, token)
    assert served_from_archive(response) and prepared == after
    new = live_archives(gallery).get()
    assert new.pk != old.pk and new.key != old.key
    assert GalleryArchive.objects.get(pk=old.pk).superseded_at is not None


def test_nothing_is_prepared_while_a_photo_still_lacks_its_web_file(api, studio, gallery, photos, unlock):
    web_rendition(photos[2]).delete()
    assert prepare_archive(gallery.pk) == "waiting"
    assert not GalleryArchive.objects.filter(gallery=gallery).exists()
    token = unlock(studio)
    assert api("get", zip_url(gallery), studio, token).status_code == 503  # download_preparing, as before


def test_a_gallery_without_web_downloads_keeps_no_archive_and_superseded_files_are_swept(studio, gallery, photos):
    assert prepare_archive(gallery.pk) == "ready"
    archive = live_archives(gallery).get()
    storage = archive.file.storage
    Gallery.objects.filter(pk=gallery.pk).update(downloadable=False)

    assert prepare_archive(gallery.pk) == "none"
    assert not live_archives(gallery).exists()
    # A link handed out for it may still be in use for PRIVATE_MEDIA_URL_SECONDS: kept until then.
    assert sweep_superseded_archives() == 0 and storage.exists(archive.file.name)
    GalleryArchive.objects.filter(pk=archive.pk).update(superseded_at=now() - timedelta(hours=1))
    assert sweep_superseded_archives() == 1
    assert not storage.exists(archive.file.name) and not GalleryArchive.objects.filter(pk=archive.pk).exists()

    Gallery.objects.filter(pk=gallery.pk).update(downloadable=True, download_resolution=Gallery.Resolution.FULL)
    assert prepare_archive(gallery.pk) == "none"  # a full-size ZIP is the originals: not stored twice


def test_a_deleted_gallery_takes_its_archive_file_with_it(studio, gallery, photos, django_capture_on_commit_callbacks):
    assert prepare_archive(gallery.pk) == "ready"
    archive = live_archives(gallery).get()
    with django_capture_on_commit_callbacks(execute=True):
        Gallery.objects.get(pk=gallery.pk).delete()
    assert not archive.file.storage.exists(archive.file.name)


def test_an_archive_read_only_in_part_gives_the_download_back(api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=1)
    token = unlock(studio)
    assert prepare_archive(gallery.pk) == "ready"

    status, _, result = wsgi_download(gallery, studio, token, block=1024)
    assert status == "200 OK" and isinstance(result.filelike, DeliveredArchive)
    hang_up(result)
    fresh = Gallery.objects.get(pk=gallery.pk)
    assert downloads_left(fresh) == 1 and not DownloadEvent.objects.filter(kind="zip").exists()

    _, body = download(api, gallery, studio, token)
    assert len(names_in(body)) == 4
    assert downloads_left(fresh) == 0 and DownloadEvent.objects.filter(kind="zip").count() == 1
    assert api("get", zip_url(gallery), studio, token).json()["error"]["code"] == "download_limit_reached"


def _sendfile_to_a_client_reading(delivered, limit: int | None) -> int:
    """gunicorn's way (its Response.sendfile): socket.sendfile() of the file; the client reads `limit` bytes
    (all when None) and hangs up. Returns what the client got."""
    server, client = socket.socketpair()
    got = bytearray()

    def read():
        while limit is None or len(got) < limit:
            chunk = client.recv(65536)
            if not chunk:
                break
            got.extend(chunk)
        client.close()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        server.sendfile(delivered, offset=0, count=delivered.size)
    except OSError:
        pass  # the client went away: gunicorn logs it and closes the response
    finally:
        server.close()
        reader.join()
        delivered.close()  # what the server does when it is done, whatever happened
    return len(got)


@pytest.mark.parametrize("whole", [True, False])
def test_sendfile_settles_the_download_by_how_far_it_got(studio, gallery, photos, unlock, whole):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=1)
    unlock(studio)
    fresh = Gallery.objects.get(pk=gallery.pk)
    access = GalleryAccess.objects.get(gallery=gallery)
    from galleries.downloads import use_one_download

    use_one_download(fresh, access)
    size = 8 * 1024 * 1024  # well beyond the socket buffers: a client that hangs up stops sendfile midway
    with tempfile.NamedTemporaryFile() as f:
        f.write(os.urandom(size))
        f.flush()
        delivered = DeliveredArchive(f.name, size, fresh, access)
        got = _sendfile_to_a_client_reading(delivered, None if whole else 256 * 1024)

    if whole:
        assert got == size and delivered.complete
        assert DownloadEvent.objects.filter(kind="zip").count() == 1 and downloads_left(fresh) == 0
    else:
        assert got < size and not delivered.complete
        assert not DownloadEvent.objects.exists() and downloads_left(fresh) == 1


@pytest.mark.postgres
def test_the_download_is_settled_for_its_studio_after_the_request_has_ended(
    api, studio, gallery, photos, unlock, monkeypatch
):
    """The server closes the response after the view returned, outside the request's scope; in gunicorn that is
    a scope of nobody, under which row-level security hid the allowance and refused the log: a download cut
    short was never given back, and a whole one never logged. Both ways: the prepared file and the stream."""
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=10)
    token = unlock(studio)
    assert prepare_archive(gallery.pk) == "ready"
    monkeypatch.setattr(rls, "_default", rls.NOBODY)  # as config/wsgi.py sets it in the web server

    left, logged = 10, 0
    for prepared in (True, False):
        if not prepared:
            with rls.platform():
                GalleryArchive.objects.update(superseded_at=now())
        _, _, result = wsgi_download(gallery, studio, token, block=1024)
        assert isinstance(result, FileWrapper) is prepared
        hang_up(result)
        with rls.platform():
            assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == left, "the download was given back"
        _, _, result = wsgi_download(gallery, studio, token)
        assert len(names_in(read_all(result))) == 4
        left, logged = left - 1, logged + 1
        with rls.platform():
            assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == left
            assert DownloadEvent.objects.filter(kind="zip").count() == logged


def test_an_archive_missing_its_file_streams_the_zip_and_is_prepared_again(api, studio, gallery, photos, unlock):
    token = unlock(studio)
    _, streamed = download(api, gallery, studio, token)
    assert prepare_archive(gallery.pk) == "ready"
    archive = live_archives(gallery).get()
    archive.file.storage.delete(archive.file.name)

    response, body = download(api, gallery, studio, token)
    assert not served_from_archive(response) and body == streamed
    assert not live_archives(gallery).exists()
    assert prepare_archive(gallery.pk) == "ready" and live_archives(gallery).exists()
    response, body = download(api, gallery, studio, token)
    assert served_from_archive(response) and body == streamed


def test_a_set_downloads_as_its_own_zip_never_the_galleries_archive(api, studio, gallery, photos, unlock):
    token = unlock(studio)
    assert prepare_archive(gallery.pk) == "ready"
    reception = gallery.sets.get(name="Reception")
    response = api("get", zip_url(gallery), studio, token, {"set": reception.pk})
    assert not served_from_archive(response)
    assert names_in(b"".join(response.streaming_content)) == ["Reception/IMG_0003.jpg", "Reception/IMG_0004.jpg"]


def test_the_key_names_exactly_what_the_zip_holds(studio, gallery, photos):
    rows = zip_rows(gallery.ordered_photos())
    entries, missing = web_zip_entries(gallery, rows, WEB_ZIP_SIZE)
    assert missing == 0
    key = archive_key(entries)
    assert archive_key(list(entries)) == key
    assert archive_key(entries[::-1]) != key
    renamed = [entries[0]._replace(name="Ceremony/other.jpg"), *entries[1:]]
    assert archive_key(renamed) != key
    resized = [entries[0]._replace(file=entries[0].file._replace(size=entries[0].file.size + 1)), *entries[1:]]
    assert archive_key(resized) != key


def test_on_s3_the_archive_is_handed_out_as_a_presigned_link(s3, api, studio, unlock):
    gallery = make_gallery(studio, access_code="ARCHIVES3", download_limit=2)
    for i in (1, 2):
        upload(gallery, jpeg(i, 480, 320), f"IMG_{i}.jpg")
    token = unlock(studio, code="ARCHIVES3")
    streamed_response, streamed = download(api, gallery, studio, token)
    assert prepare_archive(gallery.pk) == "ready"

    response = api("get", zip_url(gallery), studio, token)
    assert isinstance(response, HttpResponseRedirect)
    location = response["Location"]
    assert location.startswith("http://127.0.0.1:") and "X-Amz-Signature=" in location and "X-Amz-Expires=" in location
    with urllib.request.urlopen(location) as fetched:  # noqa: S310 - the loopback S3 server
        assert fetched.read() == streamed
        assert fetched.headers["Content-Disposition"] == streamed_response["Content-Disposition"]
    # Handed out is counted and logged: the bucket, not this server, sees whether it completes.
    assert DownloadEvent.objects.filter(kind="zip").count() == 2
    assert downloads_left(Gallery.objects.get(pk=gallery.pk)) == 0


def test_prepared_archives_are_kept_out_of_other_studios_reach(api, studio, other_studio, gallery, photos, unlock):
    assert prepare_archive(gallery.pk) == "ready"
    token = unlock(studio)
    # The gallery's token on another studio's host finds no gallery; the archive's file is not public media.
    assert api("get", zip_url(gallery), other_studio, token).status_code in (401, 403, 404)
    archive = live_archives(gallery).get()
    from studios.media import is_public

    assert not is_public(archive.file.name)


def test_a_prepared_zip_costs_the_same_queries_whatever_the_gallery_size(api, studio, unlock):
    measured = {}
    for count in (3, 30):
        code = f"ARCHIVEQ{count:02d}"
        gallery = make_gallery(studio, title=f"Big {count}", access_code=code, download_limit=100)
        with_web_renditions(gallery, count)
        assert prepare_archive(gallery.pk) == "ready"
        token = unlock(studio, code=code)
        api("get", f"/api/client/galleries/{gallery.pk}/", studio, token)  # the session's one-time look-ups
        with CaptureQueriesContext(connection) as queries:
            response, body = download(api, gallery, studio, token)
        assert served_from_archive(response) and len(names_in(body)) == count
        measured[count] = len(queries.captured_queries)
    # As the streamed ZIP (test_web_zip): access, photos, watermark version, web renditions, the archive; the
    # allowance; the log.
    assert measured[3] == measured[30] == 13, measured
