"""The client portal's sign-in (issue 16): a one-time link by e-mail, then a portal session.

- `request_link(studio, email)` e-mails a sign-in link when `email` is one of the studio's clients and does
  nothing otherwise; the caller answers the same either way, so the answer never tells whether an address is
  known (the per-address and per-IP throttles are the API layer's: crm/api/portal.py).
- `redeem_link(studio, token)` turns the link's token into a portal session: once (a conditional UPDATE on
  `used_at`), before it expires (`PORTAL_LINK_MINUTES`), and only on the studio that sent it.
- `session_for_token(studio, token)` is the signed-in client of a cookie or a bearer token; `sign_out` ends it.

Only SHA-256 hashes of the tokens are stored. The pages are cms/portal_pages.py, the API crm/api/portal.py."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from studios.errors import GONE, INVALID, NOT_FOUND, UNAUTHENTICATED, DomainError
from studios.links import studio_url
from studios.outbox import send_templated_email

from .activity import record_activity
from .models import Activity, Client, PortalLink, PortalSession

LAST_SEEN_PRECISION = timedelta(minutes=1)  # don't write on every request
LINK_PATH = "/portal/open/{token}/"
EMAIL_KEY = "portal_link"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_lifetime() -> timedelta:
    return timedelta(minutes=settings.PORTAL_LINK_MINUTES)


def session_lifetime() -> timedelta:
    return timedelta(days=settings.PORTAL_SESSION_DAYS)


def normalise_email(email: str) -> str:
    return (email or "").strip()


def client_for_email(studio, email: str) -> Client | None:
    email = normalise_email(email)
    if studio is None or not email or len(email) > 254:
        return None
    return Client.objects.for_studio(studio).filter(email__iexact=email).first()


# --- Links ---------------------------------------------------------------------------------------------------


def send_link(client: Client) -> PortalLink:
    """A new one-time link for `client`, e-mailed now (queued in the outbox with this transaction)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = PortalLink.objects.create(
        studio_id=client.studio_id, client=client, token_hash=hash_token(token), expires_at=now + link_lifetime()
    )
    studio = client.studio
    send_templated_email(
        studio,
        EMAIL_KEY,
        [client.email],
        {"client": client, "url": studio_url(studio, LINK_PATH.format(token=token)), "expires_at": link.expires_at},
        key=f"portal_link:{link.pk}",
        about=client,
    )
    return link


@transaction.atomic
def invite(client: Client, *, by=None, via: str = "admin") -> PortalLink:
    """The studio sends `client` a sign-in link ("Send portal link" in the admin, `via="admin"`, or the studio
    API's portal invitation, `via="api"`): e-mailed as `send_link`, and a line on the client's timeline, since
    it is the studio writing to the client. A link the client asks for themselves (`request_link`) is not on
    the timeline: it is their own sign-in, like a password reset, and would bury the studio's history."""
    link = send_link(client)
    record_activity(
        client,
        Activity.Kind.PORTAL_LINK_SENT,
        f"Portal sign-in link sent to {client.email}",
        data={"portal_link": link.pk, "via": via},
        user=by if getattr(by, "pk", None) else None,
    )
    return link


@transaction.atomic
def request_link(studio, email: str) -> None:
    """E-mail a sign-in link if `email` is a client of `studio`; otherwise nothing. Returns nothing on purpose:
    whoever asks gets the same answer."""
    client = client_for_email(studio, email)
    if client is not None:
        send_link(client)


def invalid_link() -> DomainError:
    return DomainError("invalid_link", "This sign-in link doesn't open anything. Ask for a new one below.", NOT_FOUND)


def link_used() -> DomainError:
    return DomainError(
        "link_used", "This sign-in link was already used. Ask for a new one below; each link works once.", GONE
    )


def link_expired() -> DomainError:
    minutes = settings.PORTAL_LINK_MINUTES
    return DomainError(
        "link_expired",
        f"This sign-in link has expired (links work for {minutes} minutes). Ask for a new one below.",
        GONE,
    )


def link_for_token(studio, token: str) -> PortalLink:
    """The studio's link for `token` (another studio's answers as an unknown one), whatever its state."""
    if studio is None or not token or len(token) > 200:
        raise invalid_link()
    link = PortalLink.objects.for_studio(studio).select_related("client").filter(token_hash=hash_token(token)).first()
    if link is None:
        raise invalid_link()
    return link


@transaction.atomic
def redeem_link(studio, token: str) -> tuple[str, PortalSession]:
    """Use the link once: returns (session token, session). The session token is shown once; only its hash is
    kept. Raises `invalid_link` (404), `link_used` or `link_expired` (410)."""
    link = link_for_token(studio, token)
    now = timezone.now()
    if link.used_at is not None:
        raise link_used()
    if link.expires_at <= now:
        raise link_expired()
    # Of two requests with the same link, exactly one marks it used.
    if not PortalLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
        raise link_used()
    return start_session(link.client)


def start_session(client: Client) -> tuple[str, PortalSession]:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    session = PortalSession.objects.create(
        studio_id=client.studio_id,
        client=client,
        token_hash=hash_token(token),
        last_seen_at=now,
        expires_at=now + session_lifetime(),
    )
    return token, session


# --- Sessions ------------------------------------------------------------------------------------------------


def signed_out() -> DomainError:
    return DomainError("portal_signed_out", "Your portal session has ended. Sign in again.", UNAUTHENTICATED)


def session_for_token(studio, token: str) -> PortalSession:
    """The live session `token` stands for on `studio`'s site (another studio's answers as unknown)."""
    if studio is None or not token or len(token) > 200:
        raise signed_out()
    now = timezone.now()
    session = (
        PortalSession.objects.for_studio(studio)
        .select_related("client")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if session is None:
        raise signed_out()
    if now - session.last_seen_at > LAST_SEEN_PRECISION:
        PortalSession.objects.filter(pk=session.pk).update(last_seen_at=now)
    session.client.studio = studio  # the same row, read from the host already
    return session


def sign_out(session: PortalSession) -> None:
    PortalSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- The client's details ------------------------------------------------------------------------------------

DETAIL_LIMITS = {"name": 200, "phone": 40, "address": 500}


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def clean_details(name=None, phone=None, address=None) -> dict[str, str]:
    """What a client may change about themselves, as text: name and phone on one line, the address keeps its
    lines (at most 6). Raises `DomainError(invalid)` with `fields` for what is wrong."""
    changes: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if name is not None:
        changes["name"] = _one_line(name)
        if not changes["name"]:
            errors["name"] = ["Your name can't be empty."]
    if phone is not None:
        changes["phone"] = _one_line(phone)
    if address is not None:
        lines = [_one_line(line) for line in str(address).replace("\r\n", "\n").split("\n")]
        changes["address"] = "\n".join(line for line in lines if line)
        if len(changes["address"].split("\n")) > 6:
            errors["address"] = ["An address has at most 6 lines."]
    for field, limit in DETAIL_LIMITS.items():
        if len(changes.get(field, "")) > limit:
            errors.setdefault(field, []).append(f"At most {limit} characters.")
    if errors:
        raise DomainError("invalid_details", "Please check your details.", INVALID, fields=errors)
    return changes


def update_details(client: Client, **values) -> Client:
    """Change the client's name, phone or address (e-mail changes go through the studio)."""
    changes = clean_details(**values)
    for field, value in changes.items():
        setattr(client, field, value)
    if changes:
        client.save(update_fields=[*changes, "updated_at"])
    return client
