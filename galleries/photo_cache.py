"""The client API's photo pages (`GET /api/client/galleries/{id}/photos/`), cached as rendered JSON.

A page's body depends on the gallery (its ready photos, their sets and order, its sort and watermark flag),
the studio's watermark and what metadata it keeps (both name the renditions), the query (set, cursor, limit)
and the host its media URLs are made absolute with; never on who asks (favourites and selections have their
own endpoints). So one cached body serves every client of the gallery. Access checks (token, studio, live,
expiry) run on every request before the cache is read: only the body is cached.

Invalidation is by version: each gallery and each studio has a random version token in the cache, and a
page is used only while both tokens it was built under are current. Whatever changes a page replaces the
gallery's token (or, for the watermark and the studio's settings, the studio's); old pages are never read
again and simply expire. Saves and deletes of galleries, photos, sets, images, the watermark and the studio,
and deleted renditions, do this through signals (connect()); new renditions, and changes made with
`QuerySet.update()` or `bulk_create()`, send none: the code making them calls forget_gallery_photo_pages(),
as the pipeline does after each photo.
"""

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from studios.models import Studio

from .models import Gallery, GalleryPhoto, GallerySet, StudioImage, StudioRendition, WatermarkSettings
from .renditions import is_page_spec

logger = logging.getLogger(__name__)

# Version tokens outlive the pages built under them; a lost token only means the pages are rebuilt.
VERSION_TIMEOUT = 24 * 3600
PAGE_TIMEOUT = 3600


@dataclass(frozen=True)
class PhotoPage:
    body: bytes  # the JSON exactly as the view renders it
    etag: str


def _gallery_version_key(gallery_id: int) -> str:
    return f"photo-pages:gallery:{gallery_id}"


def _studio_version_key(studio_id: int | None) -> str:
    return f"photo-pages:studio:{studio_id}"


def _page_key(gallery_id: int, variant: tuple) -> str:
    # The variant carries the Host header and query values: hashed, any of them makes a valid cache key.
    digest = hashlib.md5(json.dumps(variant).encode()).hexdigest()  # noqa: S324 - a key, not a secret
    return f"photo-pages:page:{gallery_id}:{digest}"


def page_timeout() -> int:
    """How long a page is kept. With S3 presigned URLs (querystring_auth) the URLs in a cached page expire,
    so a page is served for at most half their lifetime: a client always gets URLs that work a while."""
    if getattr(default_storage, "querystring_auth", False) and not getattr(default_storage, "custom_domain", None):
        return max(1, min(PAGE_TIMEOUT, default_storage.querystring_expire // 2))
    return PAGE_TIMEOUT


def _current_version(key: str, found: dict) -> str | None:
    if key in found:
        return found[key]
    token = secrets.token_hex(8)
    return token if cache.add(key, token, VERSION_TIMEOUT) else cache.get(key)


def _page(body: bytes) -> PhotoPage:
    return PhotoPage(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


# The studio's watermark version (it names the renditions a page shows), remembered by this process for as long
# as the studio's page version stands: a watermark change replaces that version (signals below), so a remembered
# one is never used after it. Saves a cold page the query (~0.5 ms of CPU).
_watermark_versions: dict[int, tuple[str, int]] = {}


def _watermark_version(studio, studio_version: str | None) -> int:
    known = _watermark_versions.get(studio.pk)
    if studio_version is not None and known is not None and known[0] == studio_version:
        return known[1]
    version = WatermarkSettings.for_studio(studio).version
    if studio_version is not None:
        _watermark_versions[studio.pk] = (studio_version, version)
    return version


def photo_page(gallery, variant: tuple, build) -> PhotoPage:
    """The cached page of `gallery` for `variant` (what else the body depends on: the query, the host), or
    `build(watermark_version)`'s JSON bytes, then cached. Call only after the access checks: the page is anyone's
    who gets here. With the cache down (Redis unreachable) every request builds its page: slower, never wrong."""
    gallery_key, studio_key = _gallery_version_key(gallery.pk), _studio_version_key(gallery.studio_id)
    page_key = _page_key(gallery.pk, variant)
    try:
        found = cache.get_many([gallery_key, studio_key, page_key])
        cached = found.get(page_key)
        # Read before building: a change committed while we build gets a new version, never this page.
        versions = (_current_version(gallery_key, found), _current_version(studio_key, found))
    except Exception:  # the cache backend's connection errors have no common base class
        logger.warning("Photo page cache unavailable; building gallery %s's page", gallery.pk, exc_info=True)
        return _page(build(_watermark_version(gallery.studio, None)))
    if cached is not None and cached[0] == versions and None not in versions:
        return PhotoPage(*cached[1:])
    page = _page(build(_watermark_version(gallery.studio, versions[1])))
    if None not in versions:
        try:
            cache.set(page_key, (versions, page.body, page.etag), page_timeout())
        except Exception:
            logger.warning("Could not cache gallery %s's photo page", gallery.pk, exc_info=True)
    return page


def _replace_version(key: str) -> None:
    cache.set(key, secrets.token_hex(8), VERSION_TIMEOUT)


def _replace_now_and_on_commit(key: str) -> None:
    # Now, so no one reuses a page from before the change; and again once it commits, so a page built
    # meanwhile from the not-yet-committed data is not kept either.
    _replace_version(key)
    transaction.on_commit(lambda: _replace_version(key))


# Sent with `gallery_id` whenever a gallery's pages are forgotten: what its clients see changed, and so may
# what they download (galleries.archives prepares the gallery's ZIP again).
gallery_photos_changed = Signal()


def forget_gallery_photo_pages(gallery_id: int) -> None:
    """The gallery's photos, images, renditions, sets or settings changed: rebuild its pages."""
    _replace_now_and_on_commit(_gallery_version_key(gallery_id))
    gallery_photos_changed.send(sender=Gallery, gallery_id=gallery_id)


def forget_studio_photo_pages(studio_id: int) -> None:
    """Something shown in all the studio's galleries changed (the watermark): rebuild all their pages."""
    _replace_now_and_on_commit(_studio_version_key(studio_id))


# --- Signals: model saves and deletes that change pages -------------------------------------------


def _gallery_changed(sender, instance, **kwargs):
    forget_gallery_photo_pages(instance.pk)


def _photo_or_set_changed(sender, instance, **kwargs):
    forget_gallery_photo_pages(instance.gallery_id)


def _image_changed(sender, instance, created=False, **kwargs):
    # An edited image (file, size, capture time) shows in each gallery that has it; a new one is in none yet.
    # Deleting one deletes its gallery photos, whose own signal does the work.
    if created:
        return
    for gallery_id in set(GalleryPhoto.objects.filter(image=instance).values_list("gallery_id", flat=True)):
        forget_gallery_photo_pages(gallery_id)


def _rendition_deleted(sender, instance, **kwargs):
    # A page names its renditions' files: one deleted (Wagtail's clean-up when an image's file changes, the
    # admin) must not stay on a cached page. New ones come from the pipeline, which forgets the pages itself
    # (a query per rendition saved would cost every upload three).
    if not is_page_spec(instance.filter_spec):
        return  # not a spec any page shows (the portfolio's, a web-size download's)
    for gallery_id in set(GalleryPhoto.objects.filter(image_id=instance.image_id).values_list("gallery_id", flat=True)):
        forget_gallery_photo_pages(gallery_id)


def _watermark_changed(sender, instance, **kwargs):
    forget_studio_photo_pages(instance.studio_id)


def _studio_changed(sender, instance, **kwargs):
    # Whether client files keep the credit names every rendition (galleries.renditions). Studios are saved
    # rarely, so any save will do rather than tracking that one field.
    forget_studio_photo_pages(instance.pk)


def connect():
    uid = "focusflow-photo-pages"
    for model, receiver in (
        (Gallery, _gallery_changed),
        (GalleryPhoto, _photo_or_set_changed),
        (GallerySet, _photo_or_set_changed),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save-{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete-{model.__name__}")
    post_save.connect(_image_changed, sender=StudioImage, dispatch_uid=f"{uid}-save-StudioImage")
    post_delete.connect(_rendition_deleted, sender=StudioRendition, dispatch_uid=f"{uid}-delete-StudioRendition")
    post_save.connect(_watermark_changed, sender=WatermarkSettings, dispatch_uid=f"{uid}-save-WatermarkSettings")
    post_save.connect(_studio_changed, sender=Studio, dispatch_uid=f"{uid}-save-Studio")
