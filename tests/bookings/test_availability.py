"""free_slots(): weekly hours and overrides in the studio's zone, bookings with buffers, notice,
horizon, the daily cap, and daylight-saving changes (Europe/London, 2026)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bookings.availability import free_slots, within_hours
from bookings.models import AvailabilityOverride, Booking
from tests.bookings.factories import weekly_hours
from tests.factories import BookingFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def starts(slots, tz=None):
    return [(s.start.astimezone(tz) if tz else s.start).strftime("%Y-%m-%d %H:%M") for s in slots]


@pytest.fixture
def portrait(studio):
    return SessionTypeFactory(studio=studio, duration=timedelta(hours=1), slot_interval=timedelta(hours=1))


def test_weekly_hours_give_hourly_slots_in_studio_time(studio, portrait):
    weekly_hours(studio, time(9), time(12), days=[0])  # Mondays 09–12 London (GMT in January)
    slots = free_slots(studio, portrait, utc(2026, 1, 5), utc(2026, 1, 6), now=NOW)
    assert starts(slots) == ["2026-01-05 09:00", "2026-01-05 10:00", "2026-01-05 11:00"]
    assert all(s.end - s.start == timedelta(hours=1) for s in slots)


def test_spring_forward_week_keeps_local_hours(studio, portrait):
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026.
    weekly_hours(studio, time(9), time(11))
    slots = free_slots(studio, portrait, utc(2026, 3, 27), utc(2026, 3, 31), now=utc(2026, 3, 1))
    assert starts(slots) == [
        "2026-03-27 09:00", "2026-03-27 10:00",  # Friday, GMT
        "2026-03-28 09:00", "2026-03-28 10:00",  # Saturday, GMT
        "2026-03-29 08:00", "2026-03-29 09:00",  # Sunday, BST: 09:00 local is 08:00 UTC
        "2026-03-30 08:00", "2026-03-30 09:00",
    ]  # fmt: skip
    assert set(starts(slots, studio.tz)) == {f"2026-03-{d} {h}" for d in (27, 28, 29, 30) for h in ("09:00", "10:00")}


def test_hours_across_the_spring_gap_have_only_real_hours(studio, portrait):
    # Sunday 00:00–04:00 local on the night the clocks skip 01:00–02:00: three real hours, not four.
    weekly_hours(studio, time(0), time(4), days=[6])
    slots = free_slots(studio, portrait, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12), now=utc(2026, 3, 1))
    assert starts(slots) == ["2026-03-29 00:00", "2026-03-29 01:00", "2026-03-29 02:00"]
    assert starts(slots, studio.tz) == ["2026-03-29 00:00", "2026-03-29 02:00", "2026-03-29 03:00"]


def test_autumn_back_week_keeps_local_hours_and_the_repeated_hour(studio, portrait):
    # Clocks go back at 01:00 UTC on Sunday 25 October 2026.
    weekly_hours(studio, time(9), time(10), days=[5, 0])
    slots = free_slots(studio, portrait, utc(2026, 10, 24), utc(2026, 10, 27), now=utc(2026, 10, 1))
    assert starts(slots) == ["2026-10-24 08:00", "2026-10-26 09:00"]  # BST, then GMT

    weekly_hours(studio, time(0), time(3), days=[6])  # 00:00–03:00 local is four real hours that night
    night = free_slots(studio, portrait, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12), now=utc(2026, 10, 1))
    assert starts(night) == ["2026-10-24 23:00", "2026-10-25 00:00", "2026-10-25 01:00", "2026-10-25 02:00"]
    assert [s.start.astimezone(studio.tz).strftime("%H:%M %Z") for s in night] == [
        "00:00 BST", "01:00 BST", "01:00 GMT", "02:00 GMT",
    ]  # fmt: skip


def test_bookings_and_buffers_block_slots(studio, portrait):
    weekly_hours(studio, time(9), time(14), days=[0])
    portrait.buffer_after = timedelta(minutes=30)
    portrait.save()
    # An 11:00–12:00 booking plus 30 minutes after: 10:00 (ends 11:00, +30 overlaps) and 11:00 and 12:00 go.
    BookingFactory(studio=studio, session_type=portrait, start=utc(2026, 1, 5, 11), end=utc(2026, 1, 5, 12))
    slots = free_slots(studio, portrait, utc(2026, 1, 5), utc(2026, 1, 6), now=NOW)
    assert starts(slots) == ["2026-01-05 09:00", "2026-01-05 13:00"]


def test_cancelled_bookings_free_their_slot_and_other_studios_do_not_count(studio, other_studio, portrait):
    weekly_hours(studio, time(9), time(11), days=[0])
    BookingFactory(
        studio=studio, session_type=portrait, start=utc(2026, 1, 5, 9), end=utc(2026, 1, 5, 10), status="cancelled"
    )
    BookingFactory(studio=other_studio, start=utc(2026, 1, 5, 10), end=utc(2026, 1, 5, 11))
    assert starts(free_slots(studio, portrait, utc(2026, 1, 5), utc(2026, 1, 6), now=NOW)) == [
        "2026-01-05 09:00",
        "2026-01-05 10:00",
    ]


def test_blackouts_and_extra_hours(studio, portrait):
    weekly_hours(studio, time(9), time(12), days=[0, 1])
    AvailabilityOverride.objects.create(studio=studio, date=date(2026, 1, 5), kind="blackout")
    AvailabilityOverride.objects.create(
        studio=studio, date=date(2026, 1, 6), kind="blackout", start_time=time(10), end_time=time(11)
    )
    AvailabilityOverride.objects.create(
        studio=studio, date=date(2026, 1, 10), kind="extra", start_time=time(14), end_time=time(16)
    )
    slots = free_slots(studio, portrait, utc(2026, 1, 5), utc(2026, 1, 11), now=NOW)
    assert starts(slots) == [
        "2026-01-06 09:00", "2026-01-06 11:00",  # Tuesday with a 10–11 blackout
        "2026-01-10 14:00", "2026-01-10 15:00",  # Saturday extra hours
        # Monday 5th blacked out entirely
    ]  # fmt: skip


def test_minimum_notice_and_horizon(studio, portrait):
    weekly_hours(studio, time(9), time(17))
    portrait.minimum_notice = timedelta(hours=48)
    portrait.booking_horizon = timedelta(days=3)
    portrait.save()
    now = utc(2026, 1, 5, 9, 30)
    slots = free_slots(studio, portrait, utc(2026, 1, 1), utc(2026, 2, 1), now=now)
    assert slots[0].start == utc(2026, 1, 7, 10)  # the first whole slot 48 hours from now
    assert slots[-1].start <= now + timedelta(days=3)
    assert starts(slots)[-1] == "2026-01-08 09:00"


def test_max_per_day(studio, portrait):
    weekly_hours(studio, time(9), time(12), days=[0, 1])
    portrait.max_per_day = 1
    portrait.save()
    BookingFactory(studio=studio, session_type=portrait, start=utc(2026, 1, 5, 9), end=utc(2026, 1, 5, 10))
    slots = free_slots(studio, portrait, utc(2026, 1, 5), utc(2026, 1, 7), now=NOW)
    assert {s.start.date() for s in slots} == {date(2026, 1, 6)}


def test_within_hours_accepts_off_grid_times_inside_and_refuses_outside(studio, portrait):
    weekly_hours(studio, time(9), time(12), days=[0])
    assert within_hours(studio, portrait, utc(2026, 1, 5, 9, 15))
    assert not within_hours(studio, portrait, utc(2026, 1, 5, 11, 30))  # would end 12:30
    assert not within_hours(studio, portrait, utc(2026, 1, 6, 9))  # Tuesday


def test_free_slots_uses_a_fixed_number_of_queries(studio, portrait, django_assert_num_queries):
    weekly_hours(studio, time(9), time(17))
    for day in range(5, 25):
        BookingFactory(studio=studio, session_type=portrait, start=utc(2026, 1, day, 10), end=utc(2026, 1, day, 11))
    portrait.max_per_day = 5
    portrait.save()
    with django_assert_num_queries(4):
        slots = free_slots(studio, portrait, utc(2026, 1, 5), utc(2026, 2, 5), now=NOW)
    assert len(slots) > 100
    assert Booking.objects.count() == 20
