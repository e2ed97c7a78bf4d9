"""Billing's subscriptions to domain events (registered in BillingConfig.ready): a new booking of a priced
package is invoiced (deposit now, balance later) in the booking's transaction; a cancelled booking's unpaid
invoice is voided, and a paid one refunded as the session type's policy decided (bookings.policy)."""

from studios import events

from .invoicing import bill_new_booking, deposit_for, void_invoice
from .models import Invoice
from .payments import refund_invoice

# Last of the booking's reactions: after the timeline (10), the webhooks (20) and the contract (30).
ORDER = 40


def bill_booking(studio, topic, booking, **context) -> None:
    bill_new_booking(booking)


def settle_cancelled_booking(
    studio, topic, booking, *, by=None, by_client: bool = False, refund_deposit=None, **context
) -> None:
    """Nothing paid: the invoice is void. Something paid and the client cancelled under the policy: Stripe
    refunds what the policy gives back (everything, or what was paid beyond the deposit), recorded as Refund
    rows (the ledger). A studio's own cancellation (`refund_deposit` None) refunds nothing by itself:
    the photographer decides (Invoices → Refund). Runs in the cancellation's transaction: if Stripe refuses,
    the cancellation is not made and the client is asked to try again."""
    invoices = (
        Invoice.objects.for_studio(studio)
        .filter(booking=booking)
        .exclude(status__in=[Invoice.Status.VOID, Invoice.Status.REFUNDED])
    )
    for invoice in invoices.select_related("booking__session_type").order_by("pk"):
        if not invoice.amount_paid:
            void_invoice(invoice)
            continue
        if refund_deposit is None:
            continue
        refundable = invoice.amount_paid - invoice.amount_refunded
        kept = 0 if refund_deposit else min(deposit_for(invoice), refundable)
        amount = refundable - kept
        if amount <= 0:
            continue
        kept_note = "deposit refunded per policy" if refund_deposit else "deposit kept per policy"
        why = f"Booking cancelled by the client; {kept_note}"
        refund_invoice(invoice, amount, user=by, reason=why)


def subscribe() -> None:
    events.subscribe("booking.created", bill_booking, order=ORDER)
    events.subscribe("booking.cancelled", settle_cancelled_booking, order=ORDER)
