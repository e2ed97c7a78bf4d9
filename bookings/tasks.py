"""Booking e-mails and reminders. The e-mails are written to the outbox (studios.outbox) in the transaction
that books, confirms or reminds, once per logical message; each task is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail import hooks

from crm.clients import photographer_addresses
from studios import rls
from studios.outbox import queue_studio_mail

from .calendar import booking_ics, booking_sequence
from .models import Booking, BookingEvent

# Sending is the outbox's job (it retries); these tasks only write rows, and are kept for queued messages.
TASK = {"acks_late": True, "ignore_result": True}


def _load(booking_id: int) -> Booking | None:
    return Booking.objects.select_related("studio", "client", "session_type").filter(pk=booking_id).first()


def _next_steps(booking: Booking) -> list[str]:
    """What the client does next, with links (sign the contract, then pay the deposit): each app that has
    a step registers a `booking_next_steps` hook, `fn(booking, steps_so_far) -> list[str]`, ordered by `order=`."""
    steps: list[str] = []
    for fn in hooks.get_hooks("booking_next_steps"):
        steps.extend(fn(booking, steps))
    return steps


def _context(booking: Booking, **extra) -> dict:
    contract = booking.contracts.order_by("-version").first()
    return {
        **extra,
        "booking": booking,
        "client": booking.client,
        "studio": booking.studio,
        "session_type": booking.session_type,
        "local_start": booking.local_start,
        "local_end": booking.local_end,
        "contract": contract,
        "next_steps": _next_steps(booking),
    }


def _send(
    template: str,
    booking: Booking,
    to: list[str],
    *,
    key: str,
    ics: bool = False,
    method: str = "PUBLISH",
    reply_to=None,
    **extra,
) -> None:
    attachments = []
    if ics:
        attachments = [
            (f"session-{booking.pk}.ics", booking_ics(booking, method=method), f"text/calendar; method={method}")
        ]
    # Dates in e-mails read in the studio's zone.
    queue_studio_mail(
        booking.studio,
        to,
        template,
        _context(booking, **extra),
        key=f"booking:{booking.pk}:{template}{key}",
        about=booking,
        attachments=attachments,
        reply_to=reply_to,
        studio_time=True,
    )


def mail_booking_made(booking: Booking) -> None:
    """After a client books: the client hears back (with the .ics if auto-confirmed), the photographer is told.
    Called in the booking's transaction, after its subscribers (the contract and invoice links are in it)."""
    if booking.status == Booking.Status.CONFIRMED:
        _send(
            "booking_confirmed",
            booking,
            [booking.client.email],
            key="",
            ics=True,
            reply_to=photographer_addresses(booking.studio)[:1],
        )
    else:
        _send("booking_requested", booking, [booking.client.email], key="")
    recipients = photographer_addresses(booking.studio)
    if recipients:
        _send("booking_new", booking, recipients, key="", reply_to=[booking.client.email])


def mail_booking_confirmed(booking: Booking) -> None:
    if booking.status == Booking.Status.CONFIRMED:
        _send("booking_confirmed", booking, [booking.client.email], key="", ics=True)


def mail_booking_rescheduled(booking: Booking, previous_start) -> None:
    """The client's "new time" e-mail with the updated .ics (same UID, higher SEQUENCE), once per move."""
    _send(
        "booking_rescheduled",
        booking,
        [booking.client.email],
        key=f":{booking_sequence(booking)}",  # each move its own message, even back to an earlier time
        ics=True,
        previous_start=previous_start,
    )


def mail_booking_cancelled(booking: Booking, reason: str = "", *, refund_deposit: bool | None = None) -> None:
    """The client's cancellation with a METHOD:CANCEL .ics that takes the session out of their calendar."""
    _send(
        "booking_cancelled",
        booking,
        [booking.client.email],
        key="",
        ics=True,
        method="CANCEL",
        reason=reason,
        refund_deposit=refund_deposit,
    )


def mail_studio_client_rescheduled(booking: Booking, previous_start) -> None:
    """The photographer hears that a client moved their booking on its manage page (once per move)."""
    recipients = photographer_addresses(booking.studio)
    if recipients:
        _send(
            "booking_client_rescheduled",
            booking,
            recipients,
            key=f":{booking_sequence(booking)}",
            reply_to=[booking.client.email],
            previous_start=previous_start,
        )


def mail_studio_client_cancelled(booking: Booking, reason: str, *, refund_deposit: bool) -> None:
    recipients = photographer_addresses(booking.studio)
    if recipients:
        _send(
            "booking_client_cancelled",
            booking,
            recipients,
            key="",
            reply_to=[booking.client.email],
            reason=reason,
            refund_deposit=refund_deposit,
        )


@shared_task(**TASK)
def send_booking_emails(booking_id: int) -> None:
    booking = _load(booking_id)
    if booking is not None:
        mail_booking_made(booking)


@shared_task(**TASK)
def send_booking_confirmation(booking_id: int) -> None:
    booking = _load(booking_id)
    if booking is not None:
        mail_booking_confirmed(booking)


# "Which of these sessions' reminders does something else e-mail?" Each `fn(studio, bookings)` registered under
# this hook returns a set of their ids (workflows/wagtail_hooks.py: the sessions an active workflow reminds, like
# the "Session reminder (2 days before)" recipe). For them the built-in reminder gives way, so the client hears
# once: it is marked done without its e-mail.
SESSION_REMINDERS_HOOK = "session_reminders_sent_elsewhere"


def session_reminders_sent_elsewhere(studio, bookings) -> set[int]:
    handled: set[int] = set()
    for fn in hooks.get_hooks(SESSION_REMINDERS_HOOK):
        handled |= set(fn(studio, list(bookings)))
    return handled


@shared_task(acks_late=True)
def send_reminder(booking_id: int) -> bool:
    """Queue one reminder; the row lock and `reminder_sent_at` make a second run (or a retry) a no-op, and the
    e-mail commits with `reminder_sent_at` (a rescheduled session is reminded again: its start is in the key).
    False if none was due, or a workflow reminds the client instead."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update()
            .filter(pk=booking_id, reminder_sent_at__isnull=True, status__in=("booked", "confirmed"))
            .select_related("studio")
            .first()
        )
        if booking is None or booking.start <= timezone.now():
            return False
        elsewhere = booking.pk in session_reminders_sent_elsewhere(booking.studio, [booking])
        if not elsewhere:
            _send(
                "booking_reminder",
                _load(booking.pk),
                [booking.client.email],
                key=f":{booking.start:%Y%m%dT%H%M}",
                ics=True,
            )
        booking.reminder_sent_at = timezone.now()
        booking.save(update_fields=["reminder_sent_at"])
        if elsewhere:
            return False
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
    ).values_list("pk", "studio_id")
    ids = list(due)
    for booking_id, studio_id in ids:
        with rls.studio(studio_id):  # the sweep sees every studio; each reminder only its own (studios/rls.py)
            send_reminder.delay(booking_id)
    return len(ids)
