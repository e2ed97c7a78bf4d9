"""Who must not get a studio's e-mail: addresses that bounced or complained (told by the provider's tracking
webhooks, studios/email_tracking.py) get nothing more from that studio; addresses that unsubscribed get no
more marketing-type e-mail from it (one-click, RFC 8058: studios/unsubscribe_views.py). Per studio: a bounce
at one studio says nothing about another's client list.

Both publish an event (`email.suppressed`, `email.unsubscribed`) so the client's timeline shows it (crm)."""

from collections.abc import Iterable

from django.core import signing
from django.db.models import Q
from django.utils import timezone

from . import events
from .models import EmailRecipient, Studio

UNSUBSCRIBE_SALT = "focusflow.email.unsubscribe"


def normalise(address: str) -> str:
    return (address or "").strip().lower()


def unsubscribe_token(studio: Studio, address: str) -> str:
    """A signed token naming the studio and the address (no expiry: a link in an old e-mail still works)."""
    return signing.dumps({"s": studio.pk, "a": normalise(address)}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int) or not isinstance(data.get("a"), str):
        return None
    return data["s"], data["a"]


def _recipient(studio: Studio, address: str) -> EmailRecipient:
    recipient, _ = EmailRecipient.objects.get_or_create(studio=studio, address=normalise(address))
    return recipient


def unsubscribe(studio: Studio, address: str) -> EmailRecipient:
    """No more marketing-type e-mail from `studio` to `address` (again: nothing changes, nothing published)."""
    recipient = _recipient(studio, address)
    if recipient.marketing_opt_out_at is None:
        recipient.marketing_opt_out_at = timezone.now()
        recipient.save(update_fields=["marketing_opt_out_at", "updated_at"])
        events.publish(studio, "email.unsubscribed", recipient)
    return recipient


def resubscribe(studio: Studio, address: str) -> EmailRecipient:
    recipient = _recipient(studio, address)
    if recipient.marketing_opt_out_at is not None:
        recipient.marketing_opt_out_at = None
        recipient.save(update_fields=["marketing_opt_out_at", "updated_at"])
    return recipient


def suppress(studio: Studio, address: str, reason: str, detail: str = "") -> EmailRecipient:
    """Nothing more from `studio` to `address` (a bounce or a complaint); the first report is published."""
    recipient = _recipient(studio, address)
    first = recipient.suppressed_at is None
    recipient.suppressed_at = recipient.suppressed_at or timezone.now()
    recipient.suppressed_reason = reason
    recipient.suppressed_detail = (detail or "")[:300]
    recipient.save(update_fields=["suppressed_at", "suppressed_reason", "suppressed_detail", "updated_at"])
    if first:
        events.publish(studio, "email.suppressed", recipient)
    return recipient


def lift_suppression(studio: Studio, address: str) -> None:
    """Send to `address` again (the client fixed their mailbox): platform staff or the studio decide."""
    EmailRecipient.objects.for_studio(studio).filter(address=normalise(address)).update(
        suppressed_at=None, suppressed_reason="", suppressed_detail=""
    )


def blocked(studio: Studio, addresses: Iterable[str], *, marketing: bool) -> dict[str, str]:
    """Of `addresses`, those `studio` must not send to, with why (one query)."""
    wanted = {normalise(a): a for a in addresses if a}
    if not wanted:
        return {}
    stop = Q(suppressed_at__isnull=False)
    if marketing:
        stop |= Q(marketing_opt_out_at__isnull=False)
    rows = EmailRecipient.objects.for_studio(studio).filter(stop, address__in=list(wanted))
    found = {}
    for row in rows:
        reason = row.get_suppressed_reason_display() if row.suppressed_at else "unsubscribed"
        found[wanted[row.address]] = reason.lower()
    return found


def is_unsubscribed(studio: Studio, address: str) -> bool:
    return (
        EmailRecipient.objects.for_studio(studio)
        .filter(address=normalise(address), marketing_opt_out_at__isnull=False)
        .exists()
    )
