"""Billing's subscriptions to domain events (registered in BillingConfig.ready): a new booking of a priced
package is invoiced (deposit now, balance later) in the booking's transaction."""

from studios import events

from .invoicing import bill_new_booking

# Last of the booking's reactions: after the timeline (10), the webhooks (20) and the contract (30).
ORDER = 40


def bill_booking(studio, topic, booking, **context) -> None:
    bill_new_booking(booking)


def subscribe() -> None:
    events.subscribe("booking.created", bill_booking, order=ORDER)
