"""Booking, rescheduling, confirming and cancelling sessions, with their history.

No double booking: on PostgreSQL the exclusion constraint `booking_no_overlap_per_studio`
(migration 0006) is the guarantee and a violation becomes `slot_taken`; on other databases the
check runs inside a transaction that first takes the database's write lock, so checks and inserts
of one studio happen one at a time."""

from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from crm.activity import record_activity
from crm.clients import client_for_contact
from studios import events
from studios.errors import CONFLICT, NOT_FOUND, DomainError
from studios.formatting import format_moment
from studios.models import Studio

from .availability import busy_spans, day_counts, within_hours
from .models import Booking, BookingEvent, SessionType
from .tasks import mail_booking_cancelled, mail_booking_confirmed, mail_booking_made, mail_booking_rescheduled

OVERLAP_CONSTRAINT = "booking_no_overlap_per_studio"


class BookingError(DomainError):
    """A scheduling rule refuses the booking; `kind` is invalid (the default), not_found or conflict."""


def check_requested_time(
    studio: Studio,
    session_type: SessionType,
    start: datetime,
    now: datetime,
    *,
    by_photographer: bool = False,
    outside_hours: bool = False,
) -> None:
    """The rules of the clock. A photographer may also book outside the weekly hours (a Sunday wedding) when they
    say so explicitly (`outside_hours`); the past and the calendar (no double booking) still apply."""
    if start <= now:
        raise BookingError("in_the_past", "That time has already passed. Please choose a time in the future.")
    if not by_photographer:
        if start < now + session_type.minimum_notice:
            hours = int(session_type.minimum_notice.total_seconds() // 3600)
            raise BookingError(
                "too_soon", f"{session_type.name} needs at least {hours} hours' notice; choose a later time."
            )
        if start > now + session_type.booking_horizon:
            raise BookingError(
                "too_far", f"Bookings open {session_type.booking_horizon.days} days ahead; choose an earlier date."
            )
    if outside_hours and by_photographer:
        return
    if not within_hours(studio, session_type, start):
        raise BookingError(
            "outside_hours",
            f"{format_moment(studio, start)} is outside the studio's hours; pick one of the available slots.",
        )


def _serialise_calendar(studio: Studio) -> None:
    """Without an exclusion constraint, take the write lock first so no other booking can slip in between."""
    if connection.vendor != "postgresql":
        Studio.objects.filter(pk=studio.pk).update(slug=F("slug"))


def _check_free(studio: Studio, session_type: SessionType, start: datetime, exclude: int | None = None) -> None:
    end = start + session_type.duration
    blocked = (start - session_type.buffer_before, end + session_type.buffer_after)
    if busy_spans(studio, *blocked, exclude_booking=exclude):
        raise BookingError("slot_taken", "Sorry, that time was just booked. Please choose another slot.", CONFLICT)
    if session_type.max_per_day:
        if connection.vendor == "postgresql":
            # The exclusion constraint stops overlaps, not a second session later the same day: bookings of a
            # type with a daily cap take turns on its row (the lock lasts until the booking commits).
            SessionType.objects.select_for_update().filter(pk=session_type.pk).first()
        day = start.astimezone(studio.tz).date()
        if day_counts(studio, session_type, day, day, exclude).get(day, 0) >= session_type.max_per_day:
            raise BookingError(
                "day_full", f"{session_type.name} is fully booked that day; choose another day.", CONFLICT
            )


def _is_overlap(exc: IntegrityError) -> bool:
    return OVERLAP_CONSTRAINT in str(exc)


def book(
    studio: Studio,
    session_type: SessionType,
    start: datetime,
    *,
    name: str = "",
    email: str = "",
    phone: str = "",
    notes: str = "",
    now: datetime | None = None,
    client=None,
    by=None,
    confirm_now: bool = False,
    outside_hours: bool = False,
    contract_template=None,
) -> Booking:
    """A client books `start` (or a photographer, `by`, books it for an existing `client`): the booking
    is confirmed at once if the session type auto-confirms or the photographer says so. Photographers
    may book at short notice or far ahead; hours, the past and the calendar apply to everyone.
    `contract_template` (a proposal's) is the contract the `booking.created` subscriber issues instead of the
    package's own."""
    now = now or timezone.now()
    if not session_type.is_active or session_type.studio_id != studio.pk:
        raise BookingError("unknown_session_type", "This session type cannot be booked.", NOT_FOUND)
    if client is not None and client.studio_id != studio.pk:
        raise BookingError("unknown_client", "This client is not one of the studio's.", NOT_FOUND)
    check_requested_time(studio, session_type, start, now, by_photographer=by is not None, outside_hours=outside_hours)
    try:
        with transaction.atomic():
            _serialise_calendar(studio)
            _check_free(studio, session_type, start)
            if client is None:
                client = client_for_contact(studio, name=name, email=email, phone=phone, source="booking")
            confirmed = session_type.auto_confirm or confirm_now
            booking = Booking.objects.create(
                studio=studio,
                client=client,
                session_type=session_type,
                start=start,
                end=start + session_type.duration,
                status=Booking.Status.CONFIRMED if confirmed else Booking.Status.BOOKED,
                confirmed_at=now if confirmed else None,
                location=session_type.location,
                notes=notes,
            )
            BookingEvent.objects.create(studio=studio, booking=booking, kind=BookingEvent.Kind.CREATED, by=by)
            if confirmed:
                BookingEvent.objects.create(studio=studio, booking=booking, kind=BookingEvent.Kind.CONFIRMED, by=by)
            # The timeline, the webhooks, the contract and the deposit invoice are subscribers (crm, frontend_api,
            # contracts, billing): they run here, in this transaction, so all of it commits or none of it does.
            topics = ["booking.created", "booking.confirmed"] if confirmed else ["booking.created"]
            extra = {"contract_template": contract_template} if contract_template is not None else {}
            events.publish_together(studio, topics, booking, by=by, **extra)
            # The e-mails join the outbox after the subscribers, so they carry the contract and invoice links;
            # they commit with the booking and are sent after commit (studios.outbox).
            mail_booking_made(booking)
    except IntegrityError as exc:
        if _is_overlap(exc):
            raise BookingError(
                "slot_taken", "Sorry, that time was just booked. Please choose another slot.", CONFLICT
            ) from exc
        raise
    return booking


def reschedule(
    booking: Booking,
    new_start: datetime,
    *,
    by=None,
    note: str = "",
    now: datetime | None = None,
    outside_hours: bool = False,
    by_client: bool = False,
) -> Booking:
    """Move a booking; its old time is kept in the history and the reminder will be sent again.
    Publishes `booking.rescheduled` (bookings.selfservice.client_reschedule adds the client's policy checks)."""
    now = now or timezone.now()
    if not booking.is_active or booking.status == Booking.Status.COMPLETED:
        raise BookingError("not_active", "Only upcoming bookings can be rescheduled.", CONFLICT)
    studio, session_type = booking.studio, booking.session_type
    check_requested_time(
        studio, session_type, new_start, now, by_photographer=by is not None, outside_hours=outside_hours
    )
    previous = (booking.start, booking.end)
    try:
        with transaction.atomic():
            _serialise_calendar(studio)
            _check_free(studio, session_type, new_start, exclude=booking.pk)
            booking.start, booking.end = new_start, new_start + session_type.duration
            booking.reminder_sent_at = None
            booking.save(update_fields=["start", "end", "reminder_sent_at"])
            BookingEvent.objects.create(
                studio=studio,
                booking=booking,
                kind=BookingEvent.Kind.RESCHEDULED,
                previous_start=previous[0],
                previous_end=previous[1],
                note=note,
                by=by,
            )
            # The timeline entry and the webhook are subscribers (crm, frontend_api), in this transaction.
            events.publish(
                studio,
                "booking.rescheduled",
                booking,
                by=by,
                previous_start=previous[0],
                previous_end=previous[1],
                note=note,
                by_client=by_client,
            )
            mail_booking_rescheduled(booking, previous[0])  # into the outbox, with the move
    except IntegrityError as exc:
        booking.start, booking.end = previous
        if _is_overlap(exc):
            raise BookingError("slot_taken", "That time is already taken; choose another.", CONFLICT) from exc
        raise
    except BookingError:
        booking.start, booking.end = previous
        raise
    return booking


def confirm(booking: Booking, *, by=None) -> Booking:
    if booking.status not in (Booking.Status.INQUIRY, Booking.Status.BOOKED):
        raise BookingError(
            "not_confirmable", f"A {booking.get_status_display().lower()} booking cannot be confirmed.", CONFLICT
        )
    with transaction.atomic():
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = timezone.now()
        booking.save(update_fields=["status", "confirmed_at"])
        BookingEvent.objects.create(studio=booking.studio, booking=booking, kind=BookingEvent.Kind.CONFIRMED, by=by)
        record_activity(
            booking.client, "booking_confirmed", str(booking.session_type), data={"booking": booking.pk}, user=by
        )
        events.publish(booking.studio, "booking.confirmed", booking, by=by)
        mail_booking_confirmed(booking)
    return booking


def cancel(
    booking: Booking, *, by=None, reason: str = "", by_client: bool = False, refund_deposit: bool | None = None
) -> Booking:
    """Cancel and free the slot. `booking.cancelled` carries what the policy decided for the money:
    `refund_deposit` True/False when the client cancelled under the policy (bookings.selfservice), None when
    the studio cancelled (billing then voids what is unpaid and leaves refunds to the photographer)."""
    if booking.status in (Booking.Status.CANCELLED, Booking.Status.COMPLETED):
        raise BookingError(
            "not_cancellable", f"This booking is already {booking.get_status_display().lower()}.", CONFLICT
        )
    with transaction.atomic():
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        BookingEvent.objects.create(
            studio=booking.studio, booking=booking, kind=BookingEvent.Kind.CANCELLED, note=reason[:300], by=by
        )
        events.publish(
            booking.studio,
            "booking.cancelled",
            booking,
            by=by,
            reason=reason,
            by_client=by_client,
            refund_deposit=refund_deposit,
        )
        mail_booking_cancelled(booking, reason, refund_deposit=refund_deposit)
    return booking


def complete(booking: Booking, *, by=None) -> Booking:
    if booking.status not in (Booking.Status.BOOKED, Booking.Status.CONFIRMED):
        raise BookingError("not_completable", "Only booked or confirmed sessions can be completed.", CONFLICT)
    with transaction.atomic():
        booking.status = Booking.Status.COMPLETED
        booking.save(update_fields=["status"])
        BookingEvent.objects.create(studio=booking.studio, booking=booking, kind=BookingEvent.Kind.COMPLETED, by=by)
        record_activity(
            booking.client, "booking_completed", str(booking.session_type), data={"booking": booking.pk}, user=by
        )
        events.publish(booking.studio, "booking.completed", booking, by=by)
    return booking
