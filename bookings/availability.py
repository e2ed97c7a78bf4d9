"""Free slots: weekly hours and overrides in the studio's zone, minus bookings (with buffers),
notice, horizon and the per-day cap. Correct across daylight-saving changes: working hours are
turned into real (UTC) instants day by day, and slots step through real time within them."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from studios.models import Studio

from .models import ACTIVE_STATUSES, AvailabilityOverride, AvailabilityRule, Booking, SessionType

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Wall-clock `at` on `day` in `tz` as a UTC instant. In a spring-forward gap the time is read
    with the offset before the change (01:30 → 02:30 BST); in an autumn overlap, the first one."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _end_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    # 00:00 as an end time means midnight at the end of the day.
    if at == time(0):
        return local_instant(day + timedelta(days=1), at, tz)
    return local_instant(day, at, tz)


def subtract(spans: list[Span], cut: Span) -> list[Span]:
    out = []
    for start, end in spans:
        if cut[1] <= start or cut[0] >= end:
            out.append((start, end))
            continue
        if start < cut[0]:
            out.append((start, cut[0]))
        if cut[1] < end:
            out.append((cut[1], end))
    return out


def working_spans(studio: Studio, first_day: date, last_day: date) -> dict[date, list[Span]]:
    """The studio's open hours per local day, as UTC spans (two queries)."""
    tz = studio.tz
    rules: dict[int, list[AvailabilityRule]] = {}
    for rule in AvailabilityRule.objects.for_studio(studio):
        rules.setdefault(rule.weekday, []).append(rule)
    overrides: dict[date, list[AvailabilityOverride]] = {}
    for override in AvailabilityOverride.objects.for_studio(studio).filter(date__range=(first_day, last_day)):
        overrides.setdefault(override.date, []).append(override)

    days = {}
    day = first_day
    while day <= last_day:
        spans = [
            (local_instant(day, r.start_time, tz), _end_instant(day, r.end_time, tz))
            for r in rules.get(day.weekday(), [])
        ]
        for override in overrides.get(day, []):
            if override.kind == AvailabilityOverride.Kind.EXTRA:
                spans.append((local_instant(day, override.start_time, tz), _end_instant(day, override.end_time, tz)))
        for override in overrides.get(day, []):
            if override.kind == AvailabilityOverride.Kind.BLACKOUT:
                if override.start_time is None:
                    spans = []
                else:
                    cut = (local_instant(day, override.start_time, tz), _end_instant(day, override.end_time, tz))
                    spans = subtract(spans, cut)
        days[day] = merge(spans)
        day += timedelta(days=1)
    return days


def merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def busy_spans(studio: Studio, start: datetime, end: datetime, exclude_booking: int | None = None) -> list[Span]:
    """Blocked spans of the studio's active bookings that touch [start, end)."""
    bookings = Booking.objects.for_studio(studio).filter(
        status__in=ACTIVE_STATUSES, blocked_start__lt=end, blocked_end__gt=start
    )
    if exclude_booking:
        bookings = bookings.exclude(pk=exclude_booking)
    return list(bookings.values_list("blocked_start", "blocked_end"))


def day_counts(studio: Studio, session_type: SessionType, first_day: date, last_day: date, exclude_booking=None):
    """How many active bookings of this session type each local day already has."""
    tz = studio.tz
    bookings = Booking.objects.for_studio(studio).filter(
        session_type=session_type,
        status__in=ACTIVE_STATUSES,
        start__gte=local_instant(first_day, time(0), tz),
        start__lt=local_instant(last_day + timedelta(days=1), time(0), tz),
    )
    if exclude_booking:
        bookings = bookings.exclude(pk=exclude_booking)
    counts: dict[date, int] = {}
    for start in bookings.values_list("start", flat=True):
        local_day = start.astimezone(tz).date()
        counts[local_day] = counts.get(local_day, 0) + 1
    return counts


def free_slots(
    studio: Studio,
    session_type: SessionType,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    exclude_booking: int | None = None,
) -> list[Slot]:
    """Bookable slots of `session_type` starting within [start, end), in UTC, earliest first."""
    now = now or timezone.now()
    start = max(start, now + session_type.minimum_notice)
    end = min(end, now + session_type.booking_horizon)
    if start >= end:
        return []
    tz = studio.tz
    first_day = start.astimezone(tz).date() - timedelta(days=1)
    last_day = end.astimezone(tz).date()
    days = working_spans(studio, first_day, last_day)
    busy = busy_spans(
        studio,
        start - session_type.buffer_before - session_type.duration,
        end + session_type.duration + session_type.buffer_after,
        exclude_booking,
    )
    counts = day_counts(studio, session_type, first_day, last_day, exclude_booking) if session_type.max_per_day else {}

    slots = []
    for day, spans in days.items():
        if session_type.max_per_day and counts.get(day, 0) >= session_type.max_per_day:
            continue
        for span_start, span_end in spans:
            candidate = span_start
            while candidate + session_type.duration <= span_end:
                slot_end = candidate + session_type.duration
                if start <= candidate < end and candidate.astimezone(tz).date() == day:
                    blocked = (candidate - session_type.buffer_before, slot_end + session_type.buffer_after)
                    if not any(b_start < blocked[1] and blocked[0] < b_end for b_start, b_end in busy):
                        slots.append(Slot(candidate, slot_end))
                candidate += session_type.slot_interval
    slots.sort(key=lambda s: s.start)
    return slots


def within_hours(studio: Studio, session_type: SessionType, start: datetime) -> bool:
    """Does [start, start + duration) lie inside the studio's open hours (any grid alignment)?"""
    end = start + session_type.duration
    day = start.astimezone(studio.tz).date()
    days = working_spans(studio, day - timedelta(days=1), day)
    return any(s <= start and end <= e for spans in days.values() for s, e in spans)
