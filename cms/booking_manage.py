"""The client's booking page on the studio's site (/bookings/manage/<token>/, the link in every booking
e-mail, `Booking.manage_url`): the session, the studio's policy, a list of free slots to move it to and a
cancel form with a confirmation box. Plain forms, so it works without JavaScript: they post to
/bookings/manage/<token>/reschedule/ and …/cancel/ (bookings/api/pages.py, beside the client API's same
actions, whose throttle they share). The rules are bookings.selfservice's."""

from datetime import datetime, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from bookings.availability import free_slots
from bookings.policy import policy_for
from bookings.selfservice import booking_for_manage_token

from .client_pages import client_link_missing, request_studio

SLOT_DAYS = 14  # free slots shown at a time; "Later dates" pages on
NOTICES = {
    "rescheduled": "Your session has moved. We have e-mailed you the new time with a calendar update.",
    "cancelled": "Your session is cancelled. We have e-mailed you a confirmation.",
}


def _slots_from(request, booking, now: datetime):
    """Free slots for the booking's session type from `?from=` (a date, default today) for SLOT_DAYS days,
    grouped by the studio's local day; the booking's own time excluded."""
    studio, tz = booking.studio, booking.studio.tz
    today = now.astimezone(tz).date()
    first = parse_date(request.GET.get("from", "") or "") or today
    first = max(first, today)
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=SLOT_DAYS)
    slots = free_slots(studio, booking.session_type, start, end, now=now, exclude_booking=booking.pk)
    days: dict = {}
    for slot in slots:
        if slot.start == booking.start:
            continue
        local = slot.start.astimezone(tz)
        days.setdefault(local.date(), []).append({"value": slot.start.isoformat(), "local": local})
    return [{"date": day, "slots": day_slots} for day, day_slots in days.items()], first + timedelta(days=SLOT_DAYS)


def render_manage(request, booking, *, error: str = "", status: int = 200, form: dict | None = None):
    now = timezone.now()
    policy = policy_for(booking)
    can_change = policy.can_change(booking, now)
    can_reschedule = can_change and policy.reschedules_left(booking) > 0
    days, later = _slots_from(request, booking, now) if can_reschedule else ([], None)
    context = {
        "booking": booking,
        "policy": policy,
        "policy_sentences": policy.sentences(),
        "deadline": policy.change_deadline(booking),
        "can_change": can_change,
        "can_reschedule": can_reschedule,
        "reschedules_left": policy.reschedules_left(booking),
        "deposit_refunded_now": policy.deposit_refunded(booking, now),
        "days": days,
        "later": later,
        "notice": NOTICES.get(request.GET.get("done", "")),
        "error": error,
        "form": form or {},
    }
    return render(request, "bookings/manage_page.html", context, status=status)


@require_GET
def booking_manage_page(request, token: str):
    booking = booking_for_manage_token(request_studio(request), token)
    if booking is None:
        return client_link_missing(request, "booking")
    return render_manage(request, booking)
