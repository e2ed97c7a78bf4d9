"""Client invoices: numbering, totals, payment schedules, sending and voiding.

Tax is `subtotal × tax_rate_bps / 10 000`, rounded half-up to a whole minor unit (Decimal,
never float), on the subtotal after discounts. Deposits by percentage round the same way."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from contracts.models import Contract
from crm.activity import record_activity
from studios import events
from studios.errors import CONFLICT, DomainMessageError
from studios.links import studio_url
from studios.models import Studio
from studios.outbox import queue_studio_mail

from .limits import StudioReadOnly, check_writable
from .models import Invoice, InvoiceCounter, InvoiceLine, Payment, PaymentInstallment

logger = logging.getLogger(__name__)


class InvoiceError(DomainMessageError):
    """An invoice action that cannot be done in the invoice's state; the message says why."""

    code = "invoice_error"
    kind = CONFLICT


class InvoiceNotPayable(InvoiceError):
    """The client cannot pay this invoice now: paid, void, a draft, or the studio takes no cards yet."""

    code = "invoice_not_payable"


class ContractUnsigned(InvoiceError):
    """The invoice's booking has a contract the client has not signed yet: sign first, then pay."""

    code = "contract_unsigned"


@dataclass(frozen=True)
class Line:
    description: str
    unit_amount: int
    quantity: int = 1
    kind: str = InvoiceLine.Kind.PACKAGE


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def today_for(studio: Studio) -> date:
    return timezone.now().astimezone(studio.tz).date()


def next_invoice_number(studio: Studio) -> tuple[int, str]:
    """The next number in the studio's sequence. Call inside a transaction: the counter row stays
    locked until it commits, so concurrent invoices never share or skip a number."""
    InvoiceCounter.objects.get_or_create(studio=studio)
    counter = InvoiceCounter.objects.select_for_update().get(studio=studio)
    sequence = counter.next_number
    counter.next_number = sequence + 1
    counter.save(update_fields=["next_number"])
    return sequence, f"{studio.slug.upper()[:6]}-{sequence:04d}"


def assign_number(invoice: Invoice) -> None:
    invoice.sequence, invoice.number = next_invoice_number(invoice.studio)


def recalculate(invoice: Invoice) -> Invoice:
    """Totals from the lines (in SQL-friendly integers) and paid amounts from succeeded payments."""
    lines = list(invoice.lines.all())
    subtotal = sum(line.amount for line in lines)
    if subtotal < 0:
        raise ValidationError("Discounts are larger than the invoice; the total cannot be negative.")
    invoice.subtotal = subtotal
    invoice.tax_amount = round_half_up(Decimal(subtotal) * invoice.tax_rate_bps / 10_000)
    invoice.total = invoice.subtotal + invoice.tax_amount
    paid = invoice.payments.filter(status=Payment.Status.SUCCEEDED).aggregate(
        paid=Sum("amount"), refunded=Sum("amount_refunded")
    )
    invoice.amount_paid = paid["paid"] or 0
    invoice.amount_refunded = paid["refunded"] or 0
    _update_status(invoice)
    invoice.save()
    return invoice


def _update_status(invoice: Invoice) -> None:
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        return
    if invoice.amount_refunded and invoice.amount_refunded >= invoice.amount_paid:
        invoice.status = Invoice.Status.REFUNDED
    elif invoice.total and invoice.amount_paid >= invoice.total:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = invoice.paid_at or timezone.now()
    elif invoice.amount_paid > 0:
        invoice.status = Invoice.Status.PARTIALLY_PAID
    else:
        invoice.status = Invoice.Status.SENT


@transaction.atomic
def create_invoice(
    studio: Studio,
    client,
    lines: list[Line],
    *,
    booking=None,
    tax_rate_bps: int = 0,
    due_date: date | None = None,
    notes: str = "",
) -> Invoice:
    if client.studio_id != studio.pk or (booking is not None and booking.studio_id != studio.pk):
        raise InvoiceError("The client and booking must belong to this studio.")
    check_writable(studio)
    invoice = Invoice(
        studio=studio,
        client=client,
        booking=booking,
        currency=studio.currency.lower(),
        tax_rate_bps=tax_rate_bps,
        due_date=due_date or today_for(studio) + timedelta(days=settings.BILLING_INVOICE_DUE_DAYS),
        notes=notes,
    )
    assign_number(invoice)
    invoice.save()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            studio_id=invoice.studio_id,
            invoice=invoice,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit_amount=line.unit_amount,
            sort_order=i,
        )
        for i, line in enumerate(lines)
    )
    return recalculate(invoice)


@transaction.atomic
def invoice_for_booking(booking, *, extra_lines: list[Line] = (), tax_rate_bps: int = 0) -> Invoice:
    """The booking's invoice: its package, any add-ons, and a deposit/balance schedule from the session type."""
    package = booking.session_type
    lines = [Line(package.name, package.price), *extra_lines]
    invoice = create_invoice(booking.studio, booking.client, lines, booking=booking, tax_rate_bps=tax_rate_bps)
    build_schedule(invoice)
    return invoice


def invoice_link(invoice: Invoice) -> str:
    """The client's page for this invoice on the studio's site (its primary host, studios/links.py)."""
    return studio_url(invoice.studio, f"/invoices/{invoice.token}/")


def booking_next_steps(booking, steps: list[str]) -> list[str]:
    """The booking e-mail's step for an open invoice, after any step before it (a `booking_next_steps` hook)."""
    invoice = booking.invoices.exclude(status__in=[Invoice.Status.DRAFT, Invoice.Status.VOID]).order_by("-pk").first()
    if invoice is not None and invoice.is_open:
        return [f"{'Then pay' if steps else 'Pay'} your invoice {invoice.number}: {invoice_link(invoice)}"]
    return []


def invoice_for_token(studio: Studio | None, token: str) -> Invoice | None:
    """The studio's sent (or paid, or void) invoice behind a client's secret link; None for any other
    studio's, a draft, or no studio. Used by the invoice page and the client API."""
    if studio is None:
        return None
    return (
        Invoice.objects.for_studio(studio)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("studio", "client", "booking__session_type")
        .prefetch_related("lines", "installments")
        .filter(token=token)
        .first()
    )


def bill_new_booking(booking) -> Invoice | None:
    """Contract, invoice and deposit in one flow: a priced package is invoiced (deposit now, balance
    before the session) and sent the moment it is booked. A free package, or a studio whose plan has
    lapsed, gets no invoice; the booking stands either way."""
    if not booking.session_type.price:
        return None
    try:
        with transaction.atomic():
            invoice = invoice_for_booking(booking)
            return send_invoice(invoice, link=invoice_link(invoice))
    except (InvoiceError, StudioReadOnly) as exc:
        logger.warning("Booking %s was not invoiced: %s", booking.pk, exc)
        return None


def invoice_summary_for_booking(booking) -> dict | None:
    """The booking's invoice as client pages and payloads point to it (sent, part-paid or paid; never a
    draft or a void one): where to pay and what is due now."""
    invoice = (
        booking.invoices.exclude(status__in=[Invoice.Status.DRAFT, Invoice.Status.VOID])
        .prefetch_related("installments")
        .order_by("-pk")
        .first()
    )
    if invoice is None:
        return None
    return {
        "token": invoice.token,
        "status": invoice.status,
        "currency": invoice.currency,
        "total": invoice.total,
        "next_payment": next_payment_amount(invoice) if invoice.is_open else None,
    }


def unsigned_contract_for(invoice: Invoice):
    """The booking's current contract while the client has yet to sign it, else None."""
    if invoice.booking_id is None:
        return None
    contract = (
        Contract.objects.filter(booking_id=invoice.booking_id)
        .exclude(status__in=[Contract.Status.VOID, Contract.Status.DRAFT])
        .order_by("-version")
        .first()
    )
    return contract if contract is not None and contract.signed_at is None else None


def deposit_for(invoice: Invoice) -> int:
    package = invoice.booking.session_type
    deposit = package.deposit_amount or round_half_up(Decimal(invoice.total) * package.deposit_percent / 100)
    return min(deposit, invoice.total)


@transaction.atomic
def build_schedule(invoice: Invoice) -> list[PaymentInstallment]:
    """Deposit due at booking, the balance N days before the session (BILLING_BALANCE_DAYS_BEFORE_SESSION)."""
    invoice.installments.all().delete()
    if invoice.booking_id is None or invoice.total == 0:
        return []
    today = today_for(invoice.studio)
    deposit = deposit_for(invoice)
    session_day = invoice.booking.start.astimezone(invoice.studio.tz).date()
    balance_due = max(session_day - timedelta(days=settings.BILLING_BALANCE_DAYS_BEFORE_SESSION), today)
    steps = []
    if deposit:
        steps.append(
            PaymentInstallment(
                studio_id=invoice.studio_id,
                invoice=invoice,
                kind="deposit",
                amount=deposit,
                due_date=today,
                sort_order=0,
            )
        )
    if invoice.total - deposit:
        steps.append(
            PaymentInstallment(
                studio_id=invoice.studio_id,
                invoice=invoice,
                kind="balance",
                amount=invoice.total - deposit,
                due_date=balance_due,
                sort_order=1,
            )
        )
    PaymentInstallment.objects.bulk_create(steps)
    invoice.due_date = steps[-1].due_date
    invoice.save(update_fields=["due_date", "updated_at"])
    return steps


def schedule_with_status(invoice: Invoice) -> list[dict]:
    """Each installment with how much of it is paid, paying them in order."""
    left = invoice.amount_paid
    rows = []
    for step in invoice.installments.all():
        covered = min(left, step.amount)
        left -= covered
        rows.append({"installment": step, "paid": covered, "outstanding": step.amount - covered})
    return rows


def next_payment_amount(invoice: Invoice) -> int:
    """What the client pays now: the rest of the first unpaid installment, or the whole amount due."""
    for row in schedule_with_status(invoice):
        if row["outstanding"]:
            return row["outstanding"]
    return invoice.amount_due


@transaction.atomic
def send_invoice(invoice: Invoice, *, link: str | None = None) -> Invoice:
    """Draft → sent: number fixed, e-mail with the secret link to the client (`invoice_link` unless given)."""
    if invoice.status != Invoice.Status.DRAFT:
        raise InvoiceError(f"Invoice {invoice.number} was already sent.")
    try:
        check_writable(invoice.studio)
    except StudioReadOnly as exc:
        raise InvoiceError(str(exc)) from exc
    if invoice.total <= 0:
        raise InvoiceError("Add at least one line with an amount before sending the invoice.")
    invoice.status = Invoice.Status.SENT
    invoice.issued_at = timezone.now()
    invoice.save(update_fields=["status", "issued_at", "updated_at"])
    record_activity(invoice.client, "invoice_sent", f"Invoice {invoice.number}", data={"invoice": invoice.pk})
    events.publish(invoice.studio, "invoice.sent", invoice)
    mail_invoice(invoice, link or invoice_link(invoice))  # into the outbox, committed with the invoice's new status
    return invoice


def mail_invoice(invoice: Invoice, link: str) -> None:
    context = {"invoice": invoice, "studio": invoice.studio, "link": link}
    _mail("billing_invoice", invoice, context, key=f"invoice:{invoice.pk}:billing_invoice")


# Defined beside send_invoice (billing.tasks imports webhooks → payments → this module), under its old name so
# messages already queued still find it; billing.tasks imports it so every worker registers it.
@shared_task(
    name="billing.tasks.send_invoice_email",
    acks_late=True,
    ignore_result=True,
)
def send_invoice_email(invoice_id: int, link: str) -> None:
    """Kept for messages queued before the outbox (the outbox key makes a repeat a no-op)."""
    mail_invoice(Invoice.objects.select_related("studio", "client").get(pk=invoice_id), link)


@transaction.atomic
def void_invoice(invoice: Invoice) -> Invoice:
    if invoice.amount_paid:
        raise InvoiceError("This invoice has payments; refund them instead of voiding it.")
    if invoice.status == Invoice.Status.VOID:
        raise InvoiceError(f"Invoice {invoice.number} is already void.")
    invoice.status = Invoice.Status.VOID
    invoice.save(update_fields=["status", "updated_at"])
    return invoice


def _mail(template: str, invoice: Invoice, context: dict, *, key: str) -> None:
    """Queue an e-mail about `invoice` to its client in the outbox (sent after commit, retried if it fails);
    the subject is the studio's template's (billing/emails.py), replies go to the studio."""
    queue_studio_mail(invoice.studio, [invoice.client.email], template, context, key=key, about=invoice)
