"""Who may fetch an uploaded file (docs/architecture.md, "Media"). Renditions (`images/`) are derivatives
and public by URL; everything else a storage holds (originals, documents, contract PDFs) is private: its URL
is signed and expires after PRIVATE_MEDIA_URL_SECONDS, presigned on S3, signed by us on local storage."""

import mimetypes
import os
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Wagtail writes renditions here; nothing else is public by URL.
PUBLIC_PREFIXES = ("images/",)
# What a browser may show inline from our origin: raster images only (never SVG, HTML or PDF).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"})
SALT = "studios.media.private"


def is_public(name: str) -> bool:
    name = name.replace("\\", "/").lstrip("/")
    return name.startswith(PUBLIC_PREFIXES) and ".." not in name.split("/")


def private_url_seconds() -> int:
    return settings.PRIVATE_MEDIA_URL_SECONDS


def inline_type(name: str) -> str | None:
    """The content type to serve `name` inline with, or None: then it goes as an attachment."""
    guessed = mimetypes.guess_type(name)[0]
    return guessed if guessed in INLINE_TYPES else None


def attachment_header(name: str) -> str:
    filename = os.path.basename(name)
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# --- Signed links (local storage) ---------------------------------------------


def signed_url(name: str) -> str:
    """A link to one stored file that works for PRIVATE_MEDIA_URL_SECONDS (studios.media_views)."""
    token = signing.TimestampSigner(salt=SALT).sign_object({"n": name}, compress=True)
    return reverse("signed_media", kwargs={"token": token, "filename": os.path.basename(name) or "file"})


class LinkExpired(Exception):
    pass


def name_from_token(token: str) -> str | None:
    """The stored name a link names; None if it was not made by us; LinkExpired once too old."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=private_url_seconds())
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError):
        return None
    name = data.get("n") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else None


# --- Storages -------------------------------------------------------------------


class LocalMediaStorage(FileSystemStorage):
    """MEDIA_ROOT, where only renditions have a plain /media/ URL; any other file's URL is signed."""

    def url(self, name):
        if name is not None and not is_public(name):
            return signed_url(name)
        return super().url(name)


class PrivateS3Storage(S3Storage):
    """A private bucket (no ACL is ever set): every URL is presigned. A private file's link is short-lived
    and downloads as an attachment, and never goes through the custom domain (which serves unsigned)."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        if is_public(name):
            return super().url(name, parameters, expire, http_method)
        seconds = min(expire or private_url_seconds(), private_url_seconds())
        params = {
            "Bucket": self.bucket.name,
            "Key": self._normalize_name(clean_name(name)),
            "ResponseContentDisposition": attachment_header(name),
            **(parameters or {}),
        }
        return self.connection.meta.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=seconds, HttpMethod=http_method
        )
