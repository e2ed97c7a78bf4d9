"""A workflow's conditions, checked against the object a run is about and its client (blocks.CONDITION_BLOCKS).

Each condition is a stored block `{"type": ..., "value": {...}}`; `holds()` says whether it holds now and
`describe()` says it in words for the run log. A condition about something the object does not have (a
session type of an invoice without a booking) does not hold."""

from decimal import Decimal, InvalidOperation

from billing.models import Invoice
from bookings.models import Booking
from crm.models import Client, Inquiry
from galleries.models import Gallery, Selection
from studios.money import to_minor


def client_of(obj) -> Client | None:
    if isinstance(obj, Client):
        return obj
    if isinstance(obj, Selection):
        obj = obj.gallery
    return getattr(obj, "client", None)


def booking_of(obj) -> Booking | None:
    if isinstance(obj, Booking):
        return obj
    return getattr(obj, "booking", None)


def gallery_of(obj) -> Gallery | None:
    if isinstance(obj, Gallery):
        return obj
    if isinstance(obj, Selection):
        return obj.gallery
    return None


def session_type_of(obj):
    booking = booking_of(obj)
    if booking is not None:
        return booking.session_type
    if isinstance(obj, Inquiry):
        return obj.session_type
    return None


def amount_of(obj) -> int | None:
    """Minor units: an invoice's total, else the booked package's price."""
    if isinstance(obj, Invoice):
        return obj.total
    session_type = session_type_of(obj)
    return session_type.price if session_type is not None else None


def _minor(value, obj) -> int:
    currency = getattr(obj, "currency", "") or obj.studio.currency
    try:
        return to_minor(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError):
        return 0


def holds(condition: dict, obj, client: Client | None) -> bool:
    kind, value = condition.get("type"), condition.get("value") or {}
    if kind == "session_type":
        session_type = session_type_of(obj)
        same = session_type is not None and session_type.name.strip().lower() == value.get("name", "").strip().lower()
        return same if value.get("test", "is") == "is" else not same
    if kind == "client_tag":
        if client is None:
            return False
        has = client.tags.filter(name__iexact=value.get("tag", "").strip()).exists()
        return has if value.get("test", "has") == "has" else not has
    if kind == "client_stage":
        return client is not None and client.stage == value.get("stage")
    if kind == "amount_at_least":
        amount = amount_of(obj)
        return amount is not None and amount >= _minor(value.get("amount", 0), obj)
    if kind == "gallery_selection":
        gallery = gallery_of(obj)
        if gallery is None:
            return False
        has = Selection.objects.filter(gallery=gallery, submitted_at__isnull=False).exists()
        return has if value.get("test", "lacks") == "has" else not has
    if kind == "invoice_unpaid":
        invoice = obj if isinstance(obj, Invoice) else None
        return invoice is not None and invoice.status in (Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID)
    raise ValueError(f"unknown condition {kind!r}")


def describe(condition: dict) -> str:
    kind, value = condition.get("type"), condition.get("value") or {}
    if kind == "session_type":
        return f"session type {'is' if value.get('test') == 'is' else 'is not'} {value.get('name', '')}"
    if kind == "client_tag":
        return f"client {'has' if value.get('test') == 'has' else 'lacks'} tag {value.get('tag', '')}"
    if kind == "client_stage":
        return f"client stage is {value.get('stage', '')}"
    if kind == "amount_at_least":
        return f"amount at least {value.get('amount', '')}"
    if kind == "gallery_selection":
        return f"gallery {'has' if value.get('test') == 'has' else 'lacks'} a submitted selection"
    if kind == "invoice_unpaid":
        return "invoice is unpaid"
    return str(kind)


def first_failing(conditions: list, obj, client) -> dict | None:
    """The first condition that does not hold, or None when all hold."""
    for condition in conditions:
        if not holds(condition, obj, client):
            return condition
    return None
