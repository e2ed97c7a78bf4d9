"""Moments measured from a date on the object ("9:00 two days before the session"), in the studio's zone.

The offset is counted in calendar days of the studio's zone and the time of day is that zone's wall clock,
so "9:00 two days before" is 9:00 whether or not a DST change falls in between (a plain timedelta of 48 hours
would drift by an hour)."""

from datetime import UTC, date, datetime, time, timedelta


def anchor_value(anchor: str, obj, event_at: datetime):
    """The date or moment `anchor` names on `obj` ("event": when the trigger happened); None if it has none."""
    if anchor == "event" or not anchor:
        return event_at
    _, field = anchor.split(".", 1)
    return getattr(obj, field, None)


def _parse_time(value) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value))


def offset_moment(studio, base, days: int, at=None) -> datetime | None:
    """`days` calendar days from `base` (a date or an aware moment), at `at` (a time of day) or, if none, at
    `base`'s own wall-clock time (midnight for a date), all in the studio's zone; an aware UTC moment."""
    if base is None:
        return None
    tz = studio.tz
    at = _parse_time(at)
    if isinstance(base, datetime):
        local = base.astimezone(tz)
        day, clock = local.date(), local.time().replace(tzinfo=None)
    elif isinstance(base, date):
        day, clock = base, time(0, 0)
    else:
        return None
    moment = datetime.combine(day + timedelta(days=int(days or 0)), at or clock)
    # fold=0: an ambiguous wall-clock time (the hour repeated in autumn) is its first occurrence.
    return moment.replace(tzinfo=tz).astimezone(UTC)


def moment_from(studio, spec: dict, obj, event_at: datetime) -> datetime | None:
    """The moment a `{"anchor", "days", "time"}` spec names for `obj`."""
    base = anchor_value(spec.get("anchor") or "event", obj, event_at)
    return offset_moment(studio, base, spec.get("days") or 0, spec.get("time"))
