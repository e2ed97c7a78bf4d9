"""Per-recipient share links (issue 17's "share panel"): the photographer gives each person their own link to a
gallery, with its own expiry and download allowance, revocable, and sees who opened it and how many downloads
they used. Pixieset and ShootProof share one code; here each recipient holds a grant of their own.

A link is `/galleries/?code=<token>` on the studio's site: the client site unlocks with whatever `code` the
link carries (static/site/gallery.js), and galleries.access.unlock_gallery sends a token (longer than any
access code) here. Only the token's hash is stored; the photographer sees the link once (and its QR code),
and it is e-mailed to the recipient with the studio's "gallery ready" e-mail. "New link" replaces it.

The unlock gives a GalleryAccess tied to the link: the recipient's e-mail (their favourites and selection),
downloads without the gallery's PIN (the link is the grant), counted against the link's own allowance
(galleries.downloads), and every later request checks the link again (galleries.access.access_for_token), so a
revoked or expired link stops at once, also in a browser that opened it before."""

import secrets
from datetime import datetime, time

from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from studios.emails import when
from studios.errors import GONE, NOT_FOUND, DomainError
from studios.links import studio_url
from studios.outbox import send_templated_email

from .models import DownloadAllowance, ShareLink
from .tokens import hash_token

TOKEN_BYTES = 32  # token_urlsafe(32): 43 characters, longer than any access code (Gallery.access_code: 32)
MAX_LINKS_PER_GALLERY = 200


def is_share_token(code: str) -> bool:
    """A code too long to be a gallery's access code is a recipient's link token."""
    return len(code.strip()) > 32


def share_url(link: ShareLink, token: str) -> str:
    return studio_url(link.studio, "/galleries/", {"code": token})


def end_of_day(studio, day) -> datetime:
    """The last moment of `day` in the studio's zone: a link "until 12 May" opens all of 12 May there."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)), studio.tz)


def _new_token(studio) -> tuple[str, str]:
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        digest = hash_token(token)
        # 256 random bits do not repeat; the check keeps "never reused" true by construction, not by chance.
        # Unique within the studio (the link opens only on its site), as the constraint says.
        if not ShareLink.objects.for_studio(studio).filter(token_hash=digest).exists():
            return token, digest


class ShareRefused(DomainError):
    def __init__(self, message: str):
        super().__init__("share_refused", message, "invalid")


def check_published(gallery) -> None:
    """A link is e-mailed at once, and a draft gallery's link opens nothing: refuse rather than send a dead one."""
    if not gallery.live:
        raise ShareRefused("Publish the gallery first: its link opens nothing until then.")


@transaction.atomic
def add_recipient(gallery, name: str, email: str, expires_at=None, download_limit=None) -> tuple[ShareLink, str]:
    """A new link for one recipient, e-mailed to them (after commit). Returns (link, token): the token is shown
    to the photographer once; only its hash is kept."""
    name = " ".join(name.split())[:120]
    email = email.strip().lower()
    if not name or not email:
        raise ShareRefused("Give the recipient's name and e-mail address.")
    check_published(gallery)
    if expires_at is not None and expires_at <= timezone.now():
        raise ShareRefused("Choose an expiry date in the future.")
    links = ShareLink.objects.for_studio(gallery.studio).filter(gallery=gallery)
    if links.count() >= MAX_LINKS_PER_GALLERY:
        raise ShareRefused(f"A gallery can have up to {MAX_LINKS_PER_GALLERY} recipient links; revoke some first.")
    token, digest = _new_token(gallery.studio)
    link = ShareLink.objects.create(
        studio=gallery.studio,
        gallery=gallery,
        name=name,
        email=email,
        token_hash=digest,
        expires_at=expires_at,
        download_limit=download_limit,
    )
    link.gallery = gallery
    link.studio = gallery.studio
    email_recipient(link, token)
    return link, token


def recipient_link(gallery, link_id) -> ShareLink:
    """One of this gallery's links (the gallery is the photographer's studio's already); else 404."""
    link = (
        ShareLink.objects.for_studio(gallery.studio)
        .filter(gallery=gallery, pk=link_id if str(link_id).isdigit() else 0)
        .first()
    )
    if link is None:
        raise DomainError("not_found", "No such recipient link in this gallery.", NOT_FOUND)
    link.gallery, link.studio = gallery, gallery.studio
    return link


@transaction.atomic
def revoke(gallery, link_id) -> ShareLink:
    link = recipient_link(gallery, link_id)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


@transaction.atomic
def new_link(gallery, link_id) -> tuple[ShareLink, str]:
    """A fresh token for the recipient (the old link stops opening), e-mailed to them; un-revokes the link."""
    link = recipient_link(gallery, link_id)
    check_published(gallery)
    token, link.token_hash = _new_token(link.studio)
    link.revoked_at = None
    link.save(update_fields=["token_hash", "revoked_at"])
    email_recipient(link, token)
    return link, token


def email_recipient(link: ShareLink, token: str) -> None:
    """The studio's "gallery ready" e-mail with the recipient's own link; no access code or PIN in it (they
    would open the gallery past this link's expiry and allowance), so those lines are left out."""
    gallery = link.gallery
    context = {
        "gallery": gallery,
        "studio": link.studio,
        "client": link,  # name and email, as a client's
        "url": share_url(link, token),
        "personal": True,
        "expires_at": effective_expiry(link),
    }
    send_templated_email(
        link.studio,
        "gallery_ready",
        [link.email],
        context,
        key=f"gallery:{gallery.pk}:share:{link.pk}:{link.token_hash[:16]}",
        about=gallery,
    )


def effective_expiry(link: ShareLink):
    moments = [m for m in (link.expires_at, link.gallery.expires_at) if m is not None]
    return min(moments) if moments else None


# --- The recipient opens their link ---------------------------------------------------------------------


def check_open(link: ShareLink, now=None) -> None:
    """Refuse a revoked or expired link clearly (410): the holder had it, so saying why gives nothing away."""
    if link.revoked_at is not None:
        raise DomainError(
            "share_link_revoked",
            "This link to the gallery has been withdrawn by your photographer. Ask them for a new one.",
            GONE,
        )
    if link.is_expired(now):
        day = when(link.studio, link.expires_at, "%-d %B %Y")
        raise DomainError(
            "share_link_expired",
            f"Your link to this gallery expired on {day}. Ask your photographer for a new one.",
            GONE,
        )


def link_for_token(studio, token: str) -> ShareLink | None:
    """The link a token opens on this studio's site: another studio's link answers as an unknown code."""
    if studio is None:
        return None
    link = (
        ShareLink.objects.for_studio(studio)
        .filter(token_hash=hash_token(token.strip()))
        .select_related("gallery", "studio")
        .first()
    )
    return link


def mark_opened(link: ShareLink) -> None:
    now = timezone.now()
    link.last_opened_at = now
    fields = ["last_opened_at"]
    if link.opened_at is None:
        link.opened_at = now
        fields.append("opened_at")
    link.save(update_fields=fields)


# --- What the photographer sees -------------------------------------------------------------------------


def recipients(gallery):
    """The gallery's links with the downloads each used (`used`): one query."""
    used = DownloadAllowance.objects.filter(share_link=OuterRef("pk")).values("used")[:1]
    return (
        ShareLink.objects.for_studio(gallery.studio)
        .filter(gallery=gallery)
        .annotate(used=Coalesce(Subquery(used), Value(0)))
        .order_by("-created_at", "-id")
    )


def status(link: ShareLink, now=None) -> str:
    if link.revoked_at is not None:
        return "Revoked"
    if link.is_expired(now):
        return "Expired"
    return "Active"
