"""Sessions → Calendar: the studio's bookings in a month or a week, open hours shaded, drag a booking to move it.

Moving goes through `scheduling.reschedule`, so a drop keeps every guarantee of the booking screen (no double
booking, the history, the client's updated .ics); outside the weekly hours it asks first, as the form does."""

import calendar as pycalendar
import json
from datetime import date, datetime, time, timedelta

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from studios.admin_viewsets import user_owns, user_studio_ids
from studios.models import Studio

from ..availability import working_spans
from ..models import Booking
from ..scheduling import BookingError, reschedule

DAY_START, DAY_END = 7, 22  # the week view's hours


def _studio(request) -> Studio:
    ids = user_studio_ids(request.user)
    if not ids:
        raise Http404
    return Studio.objects.get(pk=ids[0])


def _day(text: str, default: date) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return default


def _bookings(studio, first: date, last: date) -> dict[date, list[Booking]]:
    tz = studio.tz
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    days: dict[date, list[Booking]] = {}
    rows = (
        Booking.objects.for_studio(studio)
        .filter(start__lt=end, end__gt=start)
        .exclude(status=Booking.Status.CANCELLED)
        .select_related("studio", "client", "session_type")
        .order_by("start")
    )
    for booking in rows:
        days.setdefault(booking.start.astimezone(tz).date(), []).append(booking)
    return days


def _open_hours(studio, first: date, last: date) -> dict[date, list[tuple[datetime, datetime]]]:
    tz = studio.tz
    return {
        day: [(s.astimezone(tz), e.astimezone(tz)) for s, e in spans]
        for day, spans in working_spans(studio, first, last).items()
    }


def calendar_view(request):
    studio = _studio(request)
    today = timezone.now().astimezone(studio.tz).date()
    mode = "week" if request.GET.get("view") == "week" else "month"
    anchor = _day(request.GET.get("date"), today)
    with timezone.override(studio.tz):
        context = (_month if mode == "month" else _week)(studio, anchor, today)
    context.update(
        studio=studio,
        mode=mode,
        anchor=anchor,
        move_url=reverse("bookings:calendar_move"),
        page_title="Calendar",
    )
    return TemplateResponse(request, "bookings/calendar.html", context)


def _month(studio, anchor: date, today: date) -> dict:
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(anchor.year, anchor.month)
    first, last = weeks[0][0], weeks[-1][-1]
    bookings, hours = _bookings(studio, first, last), _open_hours(studio, first, last)
    previous = (anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
    return {
        "title": anchor.strftime("%B %Y"),
        "weekdays": [pycalendar.day_abbr[i] for i in range(7)],
        "weeks": [
            [
                {
                    "day": day,
                    "in_month": day.month == anchor.month,
                    "today": day == today,
                    "open": bool(hours.get(day)),
                    "hours": hours.get(day, []),
                    "bookings": bookings.get(day, []),
                }
                for day in week
            ]
            for week in weeks
        ],
        "previous": previous,
        "following": following,
    }


def _week(studio, anchor: date, today: date) -> dict:
    first = anchor - timedelta(days=anchor.weekday())
    days = [first + timedelta(days=i) for i in range(7)]
    bookings, hours = _bookings(studio, days[0], days[-1]), _open_hours(studio, days[0], days[-1])
    columns = []
    for day in days:
        slots = []
        for hour in range(DAY_START, DAY_END):
            at = datetime.combine(day, time(hour), tzinfo=studio.tz)
            is_open = any(s <= at < e for s, e in hours.get(day, []))
            slots.append({"hour": hour, "start": at, "open": is_open})
        for booking in bookings.get(day, []):
            # Position in the grid, in hours from DAY_START (CSS reads them: top and height).
            local = booking.start.astimezone(studio.tz)
            begins = local.hour + local.minute / 60
            length = (booking.end - booking.start).total_seconds() / 3600
            booking.offset = f"{max(begins - DAY_START, 0):.2f}"
            booking.span = f"{max(min(length, DAY_END - begins), 0.5):.2f}"
        columns.append({"day": day, "today": day == today, "slots": slots, "bookings": bookings.get(day, [])})
    return {
        "title": f"Week of {first:%d %B %Y}",
        "columns": columns,
        "hours": list(range(DAY_START, DAY_END)),
        "previous": first - timedelta(days=7),
        "following": first + timedelta(days=7),
    }


@require_POST
def move_view(request):
    """JSON for the calendar's drag and drop: {booking, start (local ISO), outside_hours?} → the outcome."""
    try:
        body = json.loads(request.body or b"{}")
        pk = int(body["booking"])
        local = datetime.fromisoformat(str(body["start"]))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ok": False, "message": "Give the booking and its new start."}, status=400)
    booking = get_object_or_404(Booking.objects.select_related("studio", "client", "session_type"), pk=pk)
    if not user_owns(request.user, booking):
        raise Http404
    tz = booking.studio.tz
    start = local.replace(tzinfo=tz) if local.tzinfo is None else local
    try:
        reschedule(
            booking, start, by=request.user, note="Moved in the calendar", outside_hours=bool(body.get("outside_hours"))
        )
    except BookingError as exc:
        return JsonResponse(
            {"ok": False, "code": exc.code, "message": exc.message}, status=409 if exc.kind == "conflict" else 400
        )
    moved = booking.start.astimezone(tz)
    return JsonResponse({"ok": True, "message": f"Moved to {moved:%a %d %b %H:%M}.", "start": moved.isoformat()})
