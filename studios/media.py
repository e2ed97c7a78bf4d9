"""Who may fetch an uploaded file (docs/architecture.md, "Media"). Renditions (`images/`) are derivatives
and public by URL; everything else a storage holds (originals, documents, contract PDFs) is private: its URL
is signed and expires after PRIVATE_MEDIA_URL_SECONDS, presigned on S3, signed by us on local storage."""

import contextlib
import mimetypes
import os
import re
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils.encoding import filepath_to_uri
from django.utils.functional import LazyObject, empty
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Wagtail writes renditions here; nothing else is public by URL.
PUBLIC_PREFIXES = ("images/",)
# Every file a studio's rows make lives under its own prefix (issue 18): `tenants/<studio id>/original_images/…`,
# `…/images/…` (renditions), `…/documents/…`, `…/contracts/…`, so a studio's objects can be listed, moved behind
# a CDN path, billed and deleted together (offboarding deletes the prefix). Not `studios/`: contract PDFs made
# before used `studios/<slug>/`, and a numeric slug would share a prefix with another studio's id. Files stored
# before keep their names. Within a studio's prefix the same rule holds: only `images/` (renditions) is public.
TENANT_PREFIX = "tenants/"
_TENANT_PUBLIC = re.compile(r"tenants/[0-9]+/images/")
# What a browser may show inline from our origin: raster images only (never SVG, HTML or PDF).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"})
SALT = "studios.media.private"


def is_public(name: str) -> bool:
    name = name.replace("\\", "/").lstrip("/")
    return (name.startswith(PUBLIC_PREFIXES) or _TENANT_PUBLIC.match(name) is not None) and ".." not in name.split("/")


def studio_prefix(studio_id: int) -> str:
    """Where the studio's files live in storage (a folder on local storage, a key prefix on S3)."""
    return f"{TENANT_PREFIX}{int(studio_id)}/"


def studio_path(studio_id: int | None, path: str, max_length: int = 100) -> str:
    """`path` under the studio's prefix; unchanged for a file of no studio (the platform's root collection). The
    file name's stem is shortened to keep the whole within `max_length` (file fields' 100 characters), with room
    left for the suffix a storage adds to a name already taken."""
    path = studio_prefix(studio_id) + path.lstrip("/") if studio_id else path
    room = max_length - 8
    if len(path) > room:
        folder, name = os.path.split(path)
        stem, ext = os.path.splitext(name)
        path = os.path.join(folder, stem[: max(1, len(stem) - (len(path) - room))] + ext)
    return path


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


# --- Many URLs at once (a page of photos) ---------------------------------------------

# Names the fast paths below try on a storage once, comparing with its own url(): a storage whose URLs
# these joins would get wrong (an unusual base URL, a location, a quoting difference) uses url() per file.
_PROBE_NAMES = ("images/focusflow-probe.webp", "images/a b/Été+(1)~x.webp")


def _unwrap(storage):
    """The storage behind `default_storage` (a lazy object whose type says nothing)."""
    if isinstance(storage, LazyObject):
        if storage._wrapped is empty:
            storage._setup()
        return storage._wrapped
    return storage


def _joins_plainly(path: str) -> bool:
    # urljoin() and S3's key normalising resolve `.`/`..` segments and drop empty ones: such a name (and,
    # to keep this cheap, any with a segment starting with a dot) is left to url() itself. Rendition names
    # never have them.
    return "//" not in path and "/." not in path and not path.startswith(".")


# A name that filepath_to_uri() leaves as it is and that joins plainly: most rendition names, which then
# cost no quoting at all.
_PLAIN_NAME = re.compile(r"(?!.*//)(?!.*/\.)[A-Za-z0-9_\-~!*()'/][A-Za-z0-9_.\-~!*()'/]*")


class MediaURLs:
    """`storage.url(name)` for many names, with the storage's base URL computed once (issue 14: a page of
    100 photos asked the storage 300 times, a good part of building it).

    Joined from the base: FileSystemStorage (LocalMediaStorage: its public `images/` files) and S3 with a
    custom domain (no CloudFront signing), and S3 with `querystring_auth` off (the unsigned URL of one
    probe key, checked). Asked of the storage per file: whatever must be signed per object (a presigned S3
    URL, a CloudFront-signed one, a private file's signed link on local storage), any other storage, and
    names with `.`/`..` or empty segments. `signed` says whether the storage signs its public files per object.
    """

    def __init__(self, storage):
        self.storage = _unwrap(storage)
        self._join = self._joiner()
        if self._join is not None and any(self._join(n) != self.storage.url(n) for n in _PROBE_NAMES):
            self._join = None  # not a URL shape these joins know: the storage's own url() for each file
        self.signed = self._join is None

    def __call__(self, name: str) -> str:
        if self._join is not None:
            url = self._join(name)
            if url is not None:
                return url
        return self.storage.url(name)

    def _joiner(self):
        storage, kind = self.storage, type(self.storage)
        if kind.url in (FileSystemStorage.url, LocalMediaStorage.url) and storage.base_url is not None:
            return self._local_joiner(storage.base_url, private=kind.url is LocalMediaStorage.url)
        if kind.url in (S3Storage.url, PrivateS3Storage.url):
            private = kind.url is PrivateS3Storage.url
            if storage.custom_domain and not (storage.querystring_auth and storage.cloudfront_signer):
                return self._s3_joiner(f"{storage.url_protocol}//{storage.custom_domain}/", private, filepath_to_uri)
            if not storage.custom_domain and not storage.querystring_auth:
                return self._unsigned_s3_joiner(private)
        return None  # signed per object (presigned S3, CloudFront) or a storage we don't know

    @staticmethod
    def _local_joiner(base: str, private: bool):
        def join(name):
            if _PLAIN_NAME.fullmatch(name):
                path = name.lstrip("/")
                if not private or path.startswith(PUBLIC_PREFIXES) or _TENANT_PUBLIC.match(path):  # is_public()
                    return base + path
            if private and not is_public(name):
                return None  # a signed link per file (LocalMediaStorage.url)
            path = filepath_to_uri(name).lstrip("/")
            return base + path if _joins_plainly(path) else None

        return join

    def _s3_joiner(self, base: str, private: bool, quote_key):
        storage = self.storage

        def join(name):
            if private and not is_public(name):
                return None  # presigned per file (PrivateS3Storage.url)
            cleaned = clean_name(name)
            if not _joins_plainly(cleaned.lstrip("/")):
                return None
            return base + quote_key(storage._normalize_name(cleaned))

        return join

    def _unsigned_s3_joiner(self, private: bool):
        # The endpoint, addressing style and bucket are botocore's to put together: take them from one
        # probe key's URL, then join each key quoted as botocore quotes it.
        probe = self.storage._normalize_name(clean_name(_PROBE_NAMES[0]))
        url = self.storage.url(_PROBE_NAMES[0])
        quoted = quote(probe, safe="/~")
        if "?" in url or not url.endswith(quoted):
            return None
        return self._s3_joiner(url[: -len(quoted)], private, lambda key: quote(key, safe="/~"))


def media_urls(storage) -> MediaURLs:
    """A callable giving `storage.url(name)` for each name, computing what all of them share once."""
    return MediaURLs(storage)


# --- A studio's files, all at once --------------------------------------------------------


def files_under(storage, prefix: str) -> list[str]:
    """The names of every stored file under `prefix` (a folder / key prefix), however deep."""
    storage = _unwrap(storage)
    prefix = prefix.rstrip("/") + "/"
    if isinstance(storage, S3Storage):
        key = storage._normalize_name(clean_name(prefix))
        skip = len(key) - len(prefix)  # the storage's `location`, which names don't carry
        return sorted(obj.key[skip:] for obj in storage.bucket.objects.filter(Prefix=key))
    names: list[str] = []
    pending = [prefix.rstrip("/")]
    while pending:
        folder = pending.pop()
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        names.extend(f"{folder}/{name}" for name in files)
        pending.extend(f"{folder}/{name}" for name in folders)
    return sorted(names)


def delete_prefix(storage, prefix: str) -> int:
    """Delete every file under `prefix` (S3: batched DeleteObjects; local: the files, then the empty folders).
    Returns how many files went."""
    storage = _unwrap(storage)
    prefix = prefix.rstrip("/") + "/"
    if isinstance(storage, S3Storage):
        key = storage._normalize_name(clean_name(prefix))
        deleted = 0
        for answer in storage.bucket.objects.filter(Prefix=key).delete():
            deleted += len(answer.get("Deleted", []))
        return deleted
    names = files_under(storage, prefix)
    for name in names:
        storage.delete(name)
    if isinstance(storage, FileSystemStorage):
        root = storage.path(prefix.rstrip("/"))
        for folder, _, _ in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
            with contextlib.suppress(OSError):  # empty by now; a file put there meanwhile keeps its folder
                os.rmdir(folder)
    return len(names)
