"""Client payments: Checkout on the studio's connected account, success recorded from webhooks
only (never from the redirect), receipts, and refunds."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from crm.activity import record_activity
from studios import events
from studios.errors import INVALID, DomainMessageError

from . import stripe_gateway
from .invoicing import (
    ContractUnsigned,
    InvoiceError,
    InvoiceNotPayable,
    _mail,
    next_payment_amount,
    recalculate,
    unsigned_contract_for,
)
from .limits import plan_for
from .models import ConnectedAccount, Invoice, Payment, Refund

logger = logging.getLogger(__name__)


class PaymentRefused(DomainMessageError):
    """A webhook's payment does not match what we expect (wrong studio, account, amount): not applied."""

    code = "payment_refused"
    kind = INVALID


def start_checkout(invoice: Invoice, *, success_url: str, cancel_url: str) -> str:
    """A Stripe Checkout URL for the next amount the client owes, with the platform fee of the studio's plan."""
    if not invoice.is_open:
        raise InvoiceNotPayable(
            {
                Invoice.Status.PAID: "This invoice is paid in full. Thank you!",
                Invoice.Status.DRAFT: "This invoice has not been sent yet.",
            }.get(invoice.status, "This invoice can no longer be paid.")
        )
    if invoice.booking_id and invoice.booking.status == "cancelled":
        # A cancellation with a kept deposit leaves the invoice part-paid; the rest is no longer owed.
        raise InvoiceNotPayable("The booking for this invoice was cancelled; nothing more is due.")
    if unsigned_contract_for(invoice) is not None:
        raise ContractUnsigned("Please read and sign your contract first; then you can pay here.")
    account = ConnectedAccount.objects.filter(studio=invoice.studio, charges_enabled=True).first()
    if account is None:
        raise InvoiceNotPayable(f"{invoice.studio.name} cannot take card payments yet; please contact them.")
    amount = next_payment_amount(invoice)
    fee = plan_for(invoice.studio).application_fee(amount)
    reusable = open_session_url(invoice, amount, fee, account)
    if reusable:
        return reusable
    payment = Payment.objects.create(
        studio=invoice.studio,
        invoice=invoice,
        amount=amount,
        application_fee_amount=fee,
        currency=invoice.currency,
        stripe_account_id=account.stripe_account_id,
    )
    try:
        session = _checkout_session(invoice, payment, account, success_url, cancel_url)
    except stripe_gateway.StripeUnavailable:
        payment.delete()  # nothing was charged; leave no half-made attempt behind
        raise
    payment.stripe_checkout_session_id = session["id"]
    payment.save(update_fields=["stripe_checkout_session_id"])
    return session["url"]


def open_session_url(invoice: Invoice, amount: int, fee: int, account: ConnectedAccount) -> str | None:
    """A second click (or a second tab) gets the still-open session for the same amount, so the client
    cannot pay the same installment twice."""
    pending = (
        invoice.payments.filter(
            status=Payment.Status.PENDING,
            amount=amount,
            application_fee_amount=fee,
            stripe_account_id=account.stripe_account_id,
            created_at__gte=timezone.now() - timedelta(hours=23),
        )
        .exclude(stripe_checkout_session_id=None)
        .order_by("-created_at")
        .first()
    )
    if pending is None:
        return None
    session = stripe_gateway.retrieve_checkout_session(pending.stripe_checkout_session_id, account.stripe_account_id)
    return session["url"] if session.get("status") == "open" and session.get("url") else None


def _checkout_session(invoice, payment, account, success_url, cancel_url) -> dict:
    return stripe_gateway.create_payment_checkout(
        account_id=account.stripe_account_id,
        amount=payment.amount,
        currency=invoice.currency,
        description=f"{invoice.studio.name} — invoice {invoice.number}",
        application_fee_amount=payment.application_fee_amount,
        customer_email=invoice.client.email,
        metadata={"studio_id": str(invoice.studio_id), "invoice_id": str(invoice.pk), "payment_id": str(payment.pk)},
        success_url=success_url,
        cancel_url=cancel_url,
        idempotency_key=f"focusflow-payment-{payment.pk}",
    )


def locked_payment(metadata: dict, account: str) -> Payment:
    """The payment an event's metadata names, locked, after checking it belongs where the event came from."""
    try:
        payment_id, invoice_id, studio_id = (
            int(metadata["payment_id"]),
            int(metadata["invoice_id"]),
            int(metadata["studio_id"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PaymentRefused("The event carries no FocusFlow payment metadata.") from exc
    # Looked up within the studio the event names (tenant first), so another studio's payment id finds nothing.
    payment = Payment.objects.select_for_update().filter(studio_id=studio_id, pk=payment_id).first()
    if payment is None:
        raise PaymentRefused(f"No payment {payment_id} in studio {studio_id}.")
    if (payment.invoice_id, payment.studio_id) != (invoice_id, studio_id) or payment.stripe_account_id != account:
        raise PaymentRefused(
            f"Payment {payment_id} belongs to studio {payment.studio_id} / invoice {payment.invoice_id} on "
            f"{payment.stripe_account_id}, but the event names studio {studio_id} / invoice {invoice_id} "
            f"on {account or '-'}."
        )
    return payment


@transaction.atomic
def record_succeeded(payment: Payment, *, payment_intent_id: str, amount: int, currency: str) -> bool:
    """Mark the payment succeeded (once) and bring the invoice up to date. Returns whether anything changed."""
    if payment.stripe_payment_intent_id != payment_intent_id and payment_intent_id:
        payment.stripe_payment_intent_id = payment_intent_id
        payment.save(update_fields=["stripe_payment_intent_id"])
    if payment.status == Payment.Status.SUCCEEDED:
        return False
    if amount != payment.amount or currency.lower() != payment.currency:
        raise PaymentRefused(
            f"Stripe reports {amount} {currency} but payment {payment.pk} is {payment.amount} {payment.currency}."
        )
    payment.status = Payment.Status.SUCCEEDED
    payment.paid_at = timezone.now()
    payment.save(update_fields=["status", "paid_at"])
    invoice = Invoice.objects.select_for_update().select_related("client", "studio").get(pk=payment.invoice_id)
    was_paid = invoice.status == Invoice.Status.PAID
    recalculate(invoice)
    record_activity(
        invoice.client,
        "invoice_paid" if invoice.status == Invoice.Status.PAID else "payment_received",
        f"{invoice.number}: {payment.amount // 100}.{payment.amount % 100:02d} {payment.currency.upper()}",
        data={"invoice": invoice.pk, "payment": payment.pk, "amount": payment.amount},
    )
    if invoice.status == Invoice.Status.PAID and not was_paid:
        events.publish(invoice.studio, "invoice.paid", invoice)
    send_receipt(payment, invoice)
    return True


def send_receipt(payment: Payment, invoice: Invoice) -> None:
    """Queue the client's receipt in the outbox, in the transaction that records the payment (so once)."""
    if payment.receipt_sent_at:
        return
    context = {"invoice": invoice, "studio": invoice.studio, "payment": payment}
    _mail("billing_receipt", invoice, context, key=f"payment:{payment.pk}:billing_receipt")
    Payment.objects.filter(pk=payment.pk).update(receipt_sent_at=timezone.now())


@transaction.atomic
def mark_expired(payment: Payment) -> None:
    if payment.status == Payment.Status.PENDING:
        payment.status = Payment.Status.EXPIRED
        payment.save(update_fields=["status"])


def refund_invoice(invoice: Invoice, amount: int, *, user=None, reason: str = "") -> list[Refund]:
    """Refund `amount` of what the client paid, newest payment first, through Stripe."""
    invoice = Invoice.objects.get(pk=invoice.pk)
    refundable = invoice.amount_paid - invoice.amount_refunded
    if amount <= 0:
        raise InvoiceError("Enter an amount above zero.")
    if amount > refundable:
        raise InvoiceError(
            f"At most {refundable / 100:.2f} {invoice.currency.upper()} can be refunded on this invoice."
        )
    refunds = []
    for payment in invoice.payments.filter(status=Payment.Status.SUCCEEDED).order_by("-paid_at", "-pk"):
        part = min(payment.refundable, amount)
        if part <= 0:
            continue
        refunds.append(_refund_payment(payment, part, user=user, reason=reason))
        amount -= part
        if amount == 0:
            break
    return refunds


def _refund_payment(payment: Payment, amount: int, *, user, reason: str) -> Refund:
    # Stripe first: if it refuses, nothing here changes. The key makes a retried click safe.
    key = f"focusflow-refund-{payment.pk}-{payment.amount_refunded}-{amount}"
    result = stripe_gateway.refund_payment(
        account_id=payment.stripe_account_id,
        payment_intent_id=payment.stripe_payment_intent_id,
        amount=amount,
        idempotency_key=key,
    )
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(studio_id=payment.studio_id, pk=payment.pk)
        refund, created = Refund.objects.get_or_create(
            studio_id=locked.studio_id,
            stripe_refund_id=result["id"],
            defaults={
                "payment": locked,
                "amount": amount,
                "reason": reason,
                "created_by": user,
            },
        )
        if created:
            locked.amount_refunded += amount
            locked.save(update_fields=["amount_refunded"])
            recalculate(Invoice.objects.select_for_update().get(pk=locked.invoice_id))
    return refund


@transaction.atomic
def sync_refunds(payment: Payment, charge: dict) -> int:
    """Record refunds Stripe reports on the payment's charge (e.g. made in the Stripe dashboard).
    Refunds made from our admin carry the same ids, so nothing is counted twice. Returns how many were new."""
    payment = Payment.objects.select_for_update().get(studio_id=payment.studio_id, pk=payment.pk)
    new = 0
    for item in (charge.get("refunds") or {}).get("data", []):
        if item.get("status") not in (None, "succeeded", "pending"):
            continue
        _, created = Refund.objects.get_or_create(
            studio_id=payment.studio_id,
            stripe_refund_id=item["id"],
            defaults={"payment": payment, "amount": int(item["amount"])},
        )
        new += created
    total = sum(payment.refunds.values_list("amount", flat=True))
    if total != payment.amount_refunded:
        payment.amount_refunded = min(total, payment.amount)
        payment.save(update_fields=["amount_refunded"])
        recalculate(Invoice.objects.select_for_update().get(pk=payment.invoice_id))
    return new
