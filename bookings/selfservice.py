"""What a client may do with their own booking from its secret manage link (`Booking.manage_url`): move it
or cancel it, as far as the session type's policy allows (bookings.policy).

Both run in one transaction with the booking's row locked, so two clicks at once count once against the
reschedule limit; the slot itself is guarded as for any booking (bookings.scheduling: the PostgreSQL
exclusion constraint, else the serialised check). What follows is heard through `booking.rescheduled` and
`booking.cancelled` (timeline, webhooks, the contract voided, the invoice voided or refunded) and the
e-mails: the client's with the `.ics` update (scheduling), the studio's notification (here)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from studios.errors import CONFLICT, LIMIT
from studios.formatting import format_moment
from studios.models import Studio

from .availability import free_slots
from .models import Booking
from .policy import policy_for
from .scheduling import BookingError, cancel, reschedule
from .tasks import mail_studio_client_cancelled, mail_studio_client_rescheduled


class TooLateToChange(BookingError):
    code = "too_late_to_change"
    kind = CONFLICT


class RescheduleLimitReached(BookingError):
    code = "reschedule_limit_reached"
    kind = LIMIT


def booking_for_manage_token(studio: Studio | None, token: str) -> Booking | None:
    """The studio's booking behind a client's manage link; None for another studio's, or without a studio."""
    if studio is None or not token:
        return None
    return (
        Booking.objects.for_studio(studio)
        .select_related("studio", "client", "session_type")
        .filter(manage_token=token)
        .first()
    )


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("studio", "client", "session_type")
        .get(pk=booking.pk)
    )


def _check_window(booking: Booking, now: datetime) -> None:
    policy = policy_for(booking)
    if not booking.is_active or booking.status == Booking.Status.COMPLETED:
        raise BookingError(
            "not_active", f"This booking is {booking.get_status_display().lower()}; it cannot be changed.", CONFLICT
        )
    if not policy.changes_online:
        raise TooLateToChange(
            message=f"{booking.studio.name} does not take changes online; please contact them to change it."
        )
    if not policy.can_change(booking, now):
        deadline = policy.change_deadline(booking)
        raise TooLateToChange(
            message=f"Changes online were possible until {format_moment(booking.studio, deadline)}; "
            f"please contact {booking.studio.name}."
        )


def check_reschedulable(booking: Booking, now: datetime) -> None:
    """Whether the client may move `booking` online now: within the policy's window and reschedule limit.
    Raises `too_late_to_change` or `reschedule_limit_reached` (with the reason to show)."""
    _check_window(booking, now)
    policy = policy_for(booking)
    if policy.reschedules_left(booking) <= 0:
        raise RescheduleLimitReached(
            message="This booking cannot be moved online any more"
            + (f" (the limit is {policy.reschedule_limit})" if policy.reschedule_limit else "")
            + f"; please contact {booking.studio.name}."
        )


def reschedule_slots(booking: Booking, start: datetime, end: datetime, *, now: datetime | None = None) -> list:
    """The free slots the client may move `booking` to, between `start` and `end`: the booking's own time
    does not block them (a move by 30 minutes overlaps it), and its current start is not offered. Only the
    booking of this manage link is left out; every other booking still blocks its slot."""
    now = now or timezone.now()
    check_reschedulable(booking, now)
    slots = free_slots(booking.studio, booking.session_type, start, end, now=now, exclude_booking=booking.pk)
    return [slot for slot in slots if slot.start != booking.start]


def client_reschedule(
    booking: Booking, new_start: datetime, *, by_client: bool = True, now: datetime | None = None
) -> Booking:
    """Move the booking to `new_start` for the client: within the policy's window and reschedule limit,
    and only to a free slot the client could book (hours, notice, horizon). Raises `too_late_to_change`,
    `reschedule_limit_reached`, `slot_taken` (and the booking rules' other codes)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(booking)
        if by_client:
            check_reschedulable(locked, now)
        if new_start == locked.start:
            raise BookingError("same_time", "That is the booking's current time; choose another.")
        previous_start = locked.start
        reschedule(locked, new_start, note="Moved by the client" if by_client else "", now=now, by_client=by_client)
        if by_client:
            locked.client_reschedules += 1
            locked.save(update_fields=["client_reschedules"])
            mail_studio_client_rescheduled(locked, previous_start)
    return locked


def client_cancel(booking: Booking, reason: str = "", *, now: datetime | None = None) -> Booking:
    """Cancel for the client within the policy's window; `booking.cancelled` says whether the deposit is
    refunded (`refund_deposit`), as the policy decides at this moment. Raises `too_late_to_change`."""
    now = now or timezone.now()
    reason = (reason or "").strip()[:1000]
    with transaction.atomic():
        locked = _locked(booking)
        _check_window(locked, now)
        refund_deposit = policy_for(locked).deposit_refunded(locked, now)
        cancel(locked, reason=reason, by_client=True, refund_deposit=refund_deposit)
        mail_studio_client_cancelled(locked, reason, refund_deposit=refund_deposit)
    return locked
