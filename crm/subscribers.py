"""The client timeline's subscriptions to domain events (registered in CrmConfig.ready): moments that happen
in higher apps (bookings) land on the timeline without those apps calling down for it."""

from studios import events
from studios.formatting import format_moment

from .activity import record_activity

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


def booking_cancelled(studio, topic, booking, *, by=None, reason: str = "", **context) -> None:
    record_activity(booking.client, "booking_cancelled", reason[:300], data={"booking": booking.pk}, user=by)


def subscribe() -> None:
    events.subscribe("booking.created", booking_made, order=ORDER)
    events.subscribe("booking.cancelled", booking_cancelled, order=ORDER)
