"""Booking e-mails and reminders, off the request path. Each task is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from crm.clients import photographer_addresses

from .calendar import booking_ics
from .models import Booking, BookingEvent

RETRY = {"acks_late": True, "autoretry_for": (ConnectionError,), "retry_backoff": True, "max_retries": 5}


def _load(booking_id: int) -> Booking | None:
    return Booking.objects.select_related("studio", "client", "session_type").filter(pk=booking_id).first()


def _next_steps(booking: Booking, contract) -> list[str]:
    """What the client does next, with links: sign the contract, then pay the deposit."""
    from billing.invoicing import invoice_link
    from contracts.tasks import contract_link

    steps = []
    if contract is not None and contract.signed_at is None and contract.status != "void":
        steps.append(f"Read and sign your contract: {contract_link(contract)}")
    invoice = booking.invoices.exclude(status__in=["draft", "void"]).order_by("-pk").first()
    if invoice is not None and invoice.is_open:
        steps.append(f"{'Then pay' if steps else 'Pay'} your invoice {invoice.number}: {invoice_link(invoice)}")
    return steps


def _context(booking: Booking) -> dict:
    contract = booking.contracts.order_by("-version").first()
    return {
        "booking": booking,
        "client": booking.client,
        "studio": booking.studio,
        "session_type": booking.session_type,
        "local_start": booking.local_start,
        "local_end": booking.local_end,
        "contract": contract,
        "next_steps": _next_steps(booking, contract),
    }


def _send(template: str, booking: Booking, to: list[str], *, ics: bool = False, reply_to=None) -> None:
    context = _context(booking)
    # Dates in e-mails read in the studio's zone.
    with timezone.override(booking.studio.tz):
        subject = render_to_string(f"email/{template}_subject.txt", context).strip()
        body = render_to_string(f"email/{template}.txt", context)
    message = EmailMultiAlternatives(subject, body, to=to, reply_to=reply_to)
    if ics:
        message.attach(f"session-{booking.pk}.ics", booking_ics(booking), "text/calendar; method=PUBLISH")
    message.send()


@shared_task(**RETRY)
def send_booking_emails(booking_id: int) -> None:
    """After a client books: the client hears back (with the .ics if auto-confirmed), the photographer is told."""
    booking = _load(booking_id)
    if booking is None:
        return
    if booking.status == Booking.Status.CONFIRMED:
        _send(
            "booking_confirmed",
            booking,
            [booking.client.email],
            ics=True,
            reply_to=photographer_addresses(booking.studio)[:1],
        )
    else:
        _send("booking_requested", booking, [booking.client.email])
    recipients = photographer_addresses(booking.studio)
    if recipients:
        _send("booking_new", booking, recipients, reply_to=[booking.client.email])


@shared_task(**RETRY)
def send_booking_confirmation(booking_id: int) -> None:
    booking = _load(booking_id)
    if booking is not None and booking.status == Booking.Status.CONFIRMED:
        _send("booking_confirmed", booking, [booking.client.email], ics=True)


@shared_task(**RETRY)
def send_reminder(booking_id: int) -> bool:
    """Send one reminder; the row lock and `reminder_sent_at` make a second run (or a retry) a no-op."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update()
            .filter(pk=booking_id, reminder_sent_at__isnull=True, status__in=("booked", "confirmed"))
            .first()
        )
        if booking is None or booking.start <= timezone.now():
            return False
        _send("booking_reminder", _load(booking.pk), [booking.client.email], ics=True)
        booking.reminder_sent_at = timezone.now()
        booking.save(update_fields=["reminder_sent_at"])
        BookingEvent.objects.create(studio_id=booking.studio_id, booking=booking, kind=BookingEvent.Kind.REMINDER_SENT)
    return True


@shared_task(acks_late=True)
def send_due_reminders() -> int:
    """Beat runs this every 15 minutes: queue a reminder for each session starting within the lead time."""
    now = timezone.now()
    due = Booking.objects.filter(
        status__in=("booked", "confirmed"),
        reminder_sent_at__isnull=True,
        start__gt=now,
        start__lte=now + timedelta(hours=settings.BOOKING_REMINDER_HOURS),
    ).values_list("pk", flat=True)
    ids = list(due)
    for booking_id in ids:
        send_reminder.delay(booking_id)
    return len(ids)
