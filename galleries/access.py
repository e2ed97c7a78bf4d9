"""Clients unlocking a gallery: access code (+ e-mail, + PIN for downloads) → a bearer token."""

import hmac
import secrets
from datetime import UTC, datetime, timedelta

from django.db import connections, router
from django.db.models.query import get_related_populators
from django.utils import timezone

from crm.activity import record_activity
from studios.errors import GONE, NOT_FOUND, UNAUTHENTICATED, DomainError

from . import sharing
from .attempts import reserve_pin_attempt
from .models import Gallery, GalleryAccess, normalise_access_code
from .tokens import hash_token

TOKEN_LIFETIME = timedelta(days=30)


def expired_error() -> DomainError:
    return DomainError("gallery_expired", "This gallery has expired. Ask your photographer to extend it.", GONE)


def wrong_code_or_pin() -> DomainError:
    """One answer for a wrong code and for a right code with a wrong PIN: it must not confirm that a code is
    right while someone guesses the PIN (tests/galleries/test_attempt_limits.py compares them byte for byte)."""
    return DomainError(
        "invalid_code",
        "No gallery opens with this code and PIN. Check the code your photographer sent, "
        "and the download PIN if you entered one.",
        NOT_FOUND,
    )


def unlock_gallery(studio, code: str, email: str = "", pin: str = "", ip: str | None = None):
    """Returns (token, access). The token is shown once; only its hash is stored.

    A PIN attempt counts against the gallery's attempt limits (galleries.attempts), from whatever address."""
    if sharing.is_share_token(code):
        return unlock_share_link(studio, code, ip)
    gallery = (
        Gallery.objects.live()
        .filter(studio=studio, access_code=normalise_access_code(code))
        .select_related("studio")
        .first()
        if studio is not None and code
        else None
    )
    if gallery is None:
        raise wrong_code_or_pin()
    if gallery.is_expired():
        raise expired_error()
    pin_ok = False
    if pin:
        attempt = reserve_pin_attempt(gallery)  # too_many_attempts (429) here, before the PIN is compared
        pin_ok = bool(gallery.download_pin) and hmac.compare_digest(pin.encode(), gallery.download_pin.encode())
        if not pin_ok:
            attempt.keep()
            raise wrong_code_or_pin()
        attempt.give_back()
    return grant_access(gallery, email=email, pin_ok=pin_ok, ip=ip)


def grant_access(gallery: Gallery, *, email: str = "", pin_ok: bool = False, ip: str | None = None):
    """A new access token to `gallery` (the unlock's, and the client portal's for a client's own gallery):
    returns (token, access); the token is shown once, only its hash is stored."""
    if gallery.is_expired():
        raise expired_error()
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    expires_at = now + TOKEN_LIFETIME
    if gallery.expires_at:
        expires_at = min(expires_at, gallery.expires_at)
    access = GalleryAccess.objects.create(
        studio_id=gallery.studio_id,
        gallery=gallery,
        token_hash=hash_token(token),
        email=email.strip().lower(),
        pin_ok=pin_ok,
        ip=ip,
        expires_at=expires_at,
    )
    if gallery.client_id:
        record_activity(
            gallery.client, "gallery_viewed", gallery.title, data={"gallery": gallery.pk, "email": access.email}
        )
    return token, access


def unlock_share_link(studio, link_token: str, ip: str | None = None):
    """A recipient's own link (galleries.sharing): their e-mail, downloads without the PIN (the link is the
    grant), the access ending when the link or the gallery does. Returns (token, access) as unlock_gallery."""
    link = sharing.link_for_token(studio, link_token)
    if link is None or not link.gallery.live:
        raise wrong_code_or_pin()
    gallery = link.gallery
    if gallery.is_expired():
        raise expired_error()
    sharing.check_open(link)
    sharing.mark_opened(link)
    token = secrets.token_urlsafe(32)
    expires_at = min(m for m in (timezone.now() + TOKEN_LIFETIME, link.expires_at, gallery.expires_at) if m)
    access = GalleryAccess.objects.create(
        gallery=gallery,
        share_link=link,
        token_hash=hash_token(token),
        email=link.email,
        pin_ok=True,
        ip=ip,
        expires_at=expires_at,
    )
    if gallery.client_id:
        record_activity(
            gallery.client,
            "gallery_viewed",
            gallery.title,
            data={"gallery": gallery.pk, "email": access.email, "share_link": link.pk},
        )
    return token, access


def token_from_request(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.META.get("HTTP_X_GALLERY_TOKEN", "").strip()


def access_for_token(token: str, studio) -> GalleryAccess:
    """The unexpired access an unlock token stands for on this studio's site (galleries.api.auth reads the token
    from the request). Another studio's token answers as an unknown one, as row-level security would have it."""
    token_hash, now = hash_token(token), timezone.now()
    if studio is None:
        access = _access_queryset(None, token_hash, now).first()
    else:
        access = _find_access(studio.pk, token_hash, now)
    if access is None:
        raise DomainError("invalid_token", "This gallery link has expired. Unlock the gallery again.", UNAUTHENTICATED)
    if access.share_link is not None:
        # Revoked or expired since it was opened: it stops now, in this browser too.
        access.share_link.studio = studio
        sharing.check_open(access.share_link)
    return access


def _access_queryset(studio, token_hash: str, now):
    return GalleryAccess.objects.select_related("gallery", "share_link").filter(
        studio=studio, token_hash=token_hash, expires_at__gt=now
    )


# Every client API request looks its token up: the access with its gallery (a Wagtail page: ~50 columns over
# two tables) and share link. Compiling that query took the ORM ~3 ms of CPU per request, more than anything
# else a cached photo page does, so it is compiled once per database connection (it is the same query every
# time but for its three values) and run with the request's values; rows become model instances as the ORM
# makes them. The SQL is the ORM's own, so it follows the models.
_SENTINELS = (-7, "token-hash-sentinel", datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC))


class _CompiledAccessQuery:
    def __init__(self, connection):
        self.connection = connection
        query = _access_queryset(*_SENTINELS)[:1].query
        self.compiler = query.get_compiler(connection=connection)
        self.sql, params = self.compiler.as_sql()
        self.expires_field = GalleryAccess._meta.get_field("expires_at")
        prepped = (_SENTINELS[0], _SENTINELS[1], self._prep_time(_SENTINELS[2]))
        # Where each value goes among the parameters (checked: any other parameter means another shape).
        self.positions = [prepped.index(param) if param in prepped else None for param in params]
        if None in self.positions or sorted(self.positions) != [0, 1, 2]:
            raise ValueError(f"unexpected parameters in the access query: {params!r}")
        select, klass_info = self.compiler.select, self.compiler.klass_info
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, connection.alias)
        # As compiler.results_iter() converts values, with the converters looked up once.
        columns = [column[0] for column in select[0 : self.compiler.col_count]]
        if self.compiler.has_composite_fields(columns):
            raise ValueError("composite fields in the access query")
        self.converters = self.compiler.get_converters(columns)

    def _prep_time(self, value):
        return self.expires_field.get_db_prep_value(value, self.connection, prepared=False)

    def first(self, studio_id: int, token_hash: str, now) -> GalleryAccess | None:
        values = (studio_id, token_hash, self._prep_time(now))
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [values[i] for i in self.positions])
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        for row in rows:
            access = GalleryAccess.from_db(self.connection.alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, access)
            return access
        return None


def _find_access(studio_id: int, token_hash: str, now) -> GalleryAccess | None:
    connection = connections[router.db_for_read(GalleryAccess)]
    compiled = getattr(connection, "_galleries_access_query", None)
    if compiled is None:
        try:
            compiled = _CompiledAccessQuery(connection)
        except ValueError:
            compiled = False  # another shape than expected: the ORM each time
        connection._galleries_access_query = compiled
    if compiled is False:
        return _access_queryset(studio_id, token_hash, now).first()
    return compiled.first(studio_id, token_hash, now)


def gallery_for(request, gallery_id: int) -> Gallery:
    """The unlocked gallery, if it is the one asked for and belongs to the site's studio; else 404."""
    access = request.auth
    if not isinstance(access, GalleryAccess):
        raise DomainError("token_required", "Unlock the gallery with its access code first.", UNAUTHENTICATED)
    gallery = access.gallery
    if gallery.pk != gallery_id or request.studio is None or gallery.studio_id != request.studio.pk or not gallery.live:
        raise DomainError("not_found", "No such gallery.", NOT_FOUND)
    if gallery.is_expired():
        raise expired_error()
    gallery.studio = request.studio  # the same row, already read from the host: no join or query for it
    return gallery
