"""The client timeline's subscriptions to domain events (registered in CrmConfig.ready): moments that happen
in higher apps (bookings) land on the timeline without those apps calling down for it."""

from django.db.models import Q

from studios import events
from studios.formatting import format_moment

from .activity import record_activity
from .models import Client
from .questionnaires import withdraw_requests_for_booking

# First of all subscribers, so the timeline entry precedes the webhook, the contract and the invoice.
ORDER = 10


def booking_made(studio, topic, booking, *, by=None, **context) -> None:
    record_activity(
        booking.client,
        "booking_made",
        f"{booking.session_type.name}, {format_moment(studio, booking.start)}",
        data={"booking": booking.pk},
        user=by,
    )


def booking_rescheduled(
    studio, topic, booking, *, by=None, previous_start=None, by_client: bool = False, **context
) -> None:
    moved = f"{format_moment(studio, previous_start)} → {format_moment(studio, booking.start)}"
    who = " (by the client)" if by_client else ""
    record_activity(
        booking.client,
        "booking_rescheduled",
        f"{booking.session_type.name}: {moved}{who}",
        data={"booking": booking.pk, "by_client": by_client},
        user=by,
    )


def booking_cancelled(
    studio, topic, booking, *, by=None, reason: str = "", by_client: bool = False, refund_deposit=None, **context
) -> None:
    summary = reason
    if by_client:
        deposit = "deposit refunded" if refund_deposit else "deposit kept"
        summary = f"By the client ({deposit} per policy)" + (f": {reason}" if reason else "")
    data = {"booking": booking.pk, "by_client": by_client}
    if refund_deposit is not None:
        data["refund_deposit"] = refund_deposit
    record_activity(booking.client, "booking_cancelled", summary[:300], data=data, user=by)


def booking_questionnaires_withdrawn(studio, topic, booking, *, by=None, **context) -> None:
    """A cancelled booking's unanswered questionnaires are withdrawn (their links say so)."""
    withdraw_requests_for_booking(studio, booking.pk, reason="the booking was cancelled", by=by)


def email_failed(studio, topic, email, **context) -> None:
    """An e-mail gave up (studios.outbox): the photographer sees it on the client's timeline, with the reason."""
    client = _client_of(studio, email)
    if client is None:
        return
    recipients = ", ".join(email.to)
    record_activity(
        client,
        "email_failed",
        f"E-mail to {recipients} failed: {email.subject} — {email.last_error}",
        data={"email": email.pk, "template": email.template, "error": email.last_error[:500]},
    )


def email_suppressed(studio, topic, recipient, **context) -> None:
    """A bounce or a complaint (studios.email_tracking): every client of the studio at that address sees it."""
    for client in _clients_at(studio, recipient.address):
        record_activity(
            client,
            "email_suppressed",
            f"{recipient.address}: {recipient.get_suppressed_reason_display().lower()}; nothing more is sent to it"
            + (f" — {recipient.suppressed_detail}" if recipient.suppressed_detail else ""),
            data={"address": recipient.address, "reason": recipient.suppressed_reason},
        )


def email_unsubscribed(studio, topic, recipient, **context) -> None:
    for client in _clients_at(studio, recipient.address):
        record_activity(
            client,
            "email_unsubscribed",
            f"{recipient.address} unsubscribed from marketing e-mail",
            data={"address": recipient.address},
        )


def _clients_at(studio, address: str):
    return Client.objects.for_studio(studio).filter(email__iexact=address)


def _client_of(studio, email) -> Client | None:
    """The client the message is about (a booking's, a contract's, an invoice's), else the one it went to."""
    about = email.about
    client = about if isinstance(about, Client) else getattr(about, "client", None)
    if isinstance(client, Client) and client.studio_id == studio.pk:
        return client
    to_any = Q()
    for address in email.to:
        to_any |= Q(email__iexact=address)
    return Client.objects.for_studio(studio).filter(to_any).first() if email.to else None


def subscribe() -> None:
    events.subscribe("booking.created", booking_made, order=ORDER)
    events.subscribe("booking.rescheduled", booking_rescheduled, order=ORDER)
    events.subscribe("booking.cancelled", booking_cancelled, order=ORDER)
    events.subscribe("booking.cancelled", booking_questionnaires_withdrawn, order=ORDER + 1)
    events.subscribe("email.failed", email_failed, order=ORDER)
    events.subscribe("email.suppressed", email_suppressed, order=ORDER)
    events.subscribe("email.unsubscribed", email_unsubscribed, order=ORDER)
