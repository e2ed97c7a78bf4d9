"""Sessions → Calendar: a month and a week of the studio's sessions with its open hours shaded; dragging a
session moves it through the same rules as the booking screen (no double booking, hours, history)."""

import json
from datetime import time, timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from tests.factories import BookingFactory, ClientFactory, photographer_for

pytestmark = pytest.mark.django_db

CALENDAR = "/admin/bookings/calendar/"
MOVE = "/admin/bookings/calendar/move/"


@pytest.fixture
def a_admin(admin_client_for, photographer):
    client = admin_client_for(photographer)
    client.defaults["HTTP_HOST"] = "localhost"
    return client


@pytest.fixture
def session(open_studio, portrait, slot):
    return BookingFactory(
        studio=open_studio, session_type=portrait, start=slot, client=ClientFactory(studio=open_studio, name="Nora")
    )


def move(admin, booking, local_start, **extra):
    body = {"booking": booking.pk, "start": local_start, **extra}
    response = admin.post(MOVE, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_the_month_shows_sessions_linked_and_open_days_shaded(a_admin, open_studio, session, other_studio):
    BookingFactory(studio=open_studio, start=session.start + timedelta(hours=3), status="cancelled")
    BookingFactory(studio=other_studio, start=session.start, client=ClientFactory(studio=other_studio, name="Secret"))
    day = session.start.astimezone(open_studio.tz).date()

    html = a_admin.get(CALENDAR, {"date": day.isoformat()}).content.decode()

    assert day.strftime("%B %Y") in html
    at = html.index(f'data-drop-day="{day:%Y-%m-%d}"')
    cell = html[html.rindex("<td", 0, at) : html.index("</td>", at)]
    assert "is-open" in cell  # the studio is open every day 09:00–17:00
    assert f'href="/admin/bookings/inspect/{session.pk}/"' in cell and "10:00" in cell and "Nora" in cell
    assert html.count('class="calendar-booking') == 1  # not the cancelled one, not another studio's
    assert "Secret" not in html


def test_the_week_places_sessions_by_time_and_shades_open_hours(a_admin, open_studio, session):
    day = session.start.astimezone(open_studio.tz).date()
    html = a_admin.get(CALENDAR, {"view": "week", "date": day.isoformat()}).content.decode()
    assert "--from: 3.00; --span: 1.00" in html  # 10:00 is three hours after the grid's 07:00, for an hour
    assert f'data-drop-start="{day:%Y-%m-%d}T09:00"' in html
    open_slot = html[html.index(f'data-drop-start="{day:%Y-%m-%d}T09:00"') - 60 :]
    assert "is-open" in open_slot[:80]
    closed_slot = html[html.index(f'data-drop-start="{day:%Y-%m-%d}T07:00"') - 60 :]
    assert "is-open" not in closed_slot[:80]


def test_dragging_a_session_to_another_day_moves_it_and_keeps_the_history(a_admin, open_studio, session, photographer):
    new_day = (session.start + timedelta(days=2)).astimezone(open_studio.tz).date()

    status, body = move(a_admin, session, f"{new_day:%Y-%m-%d}T10:00")

    assert status == 200 and body["ok"], body
    session.refresh_from_db()
    assert session.start.astimezone(open_studio.tz).date() == new_day
    assert session.start.astimezone(open_studio.tz).time() == time(10)
    event = session.events.get(kind="rescheduled")
    assert event.by == photographer and event.note == "Moved in the calendar"


def test_a_drop_onto_another_session_is_refused_and_nothing_moves(a_admin, open_studio, portrait, session):
    other = BookingFactory(studio=open_studio, session_type=portrait, start=session.start + timedelta(days=1))
    before = session.start

    status, body = move(a_admin, session, other.start.astimezone(open_studio.tz).strftime("%Y-%m-%dT%H:%M"))

    assert status == 409 and not body["ok"] and "just booked" in body["message"]
    session.refresh_from_db()
    assert session.start == before


def test_outside_the_hours_it_asks_first_then_moves_when_told(a_admin, open_studio, session):
    evening = session.start.astimezone(open_studio.tz).replace(hour=19).strftime("%Y-%m-%dT%H:%M")

    status, body = move(a_admin, session, evening)
    assert (status, body["code"]) == (400, "outside_hours")

    status, body = move(a_admin, session, evening, outside_hours=True)
    assert status == 200 and body["ok"]
    session.refresh_from_db()
    assert session.start.astimezone(open_studio.tz).hour == 19


@pytest.mark.parametrize("body", [{}, {"booking": "x", "start": "tomorrow"}, {"booking": 1}])
def test_a_bad_drop_is_a_clear_error(a_admin, session, body):
    response = a_admin.post(MOVE, json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "new start" in response.json()["message"]


def test_another_studio_cannot_see_or_move_the_session(admin_client_for, open_studio, other_studio, session):
    b_admin = admin_client_for(photographer_for(other_studio, email="owner@harbour.test"))
    b_admin.defaults["HTTP_HOST"] = "localhost"
    day = session.start.astimezone(open_studio.tz).date()
    assert "Nora" not in b_admin.get(CALENDAR, {"date": day.isoformat()}).content.decode()

    status = b_admin.post(
        MOVE, json.dumps({"booking": session.pk, "start": f"{day:%Y-%m-%d}T11:00"}), content_type="application/json"
    ).status_code

    assert status == 404
    assert Booking.objects.get(pk=session.pk).start == session.start


def test_the_month_costs_the_same_queries_with_many_sessions(
    a_admin, open_studio, portrait, slot, django_assert_max_num_queries
):
    BookingFactory(studio=open_studio, session_type=portrait, start=slot)
    a_admin.get(CALENDAR, {"date": slot.date().isoformat()})
    with django_assert_max_num_queries(40) as few:
        a_admin.get(CALENDAR, {"date": slot.date().isoformat()})
    for n in range(1, 6):
        BookingFactory(studio=open_studio, session_type=portrait, start=slot + timedelta(hours=n % 5, days=n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        a_admin.get(CALENDAR, {"date": slot.date().isoformat()})


def test_the_sessions_listing_links_to_the_calendar(a_admin):
    assert 'href="/admin/bookings/calendar/"' in a_admin.get("/admin/bookings/").content.decode()


def test_times_are_the_studios_own_not_utc(a_admin, open_studio, portrait):
    """A New York studio's 10:00 session reads 10:00 and a drop keeps 10:00: the page used to render in UTC (15:00),
    so a drag in the month moved the session to 15:00 and the week's 09:00 row dropped at 14:00."""
    open_studio.time_zone = "America/New_York"
    open_studio.save()
    day = (timezone.now() + timedelta(days=7)).astimezone(open_studio.tz).date()
    start = timezone.make_aware(timezone.datetime.combine(day, time(10)), open_studio.tz)
    session = BookingFactory(
        studio=open_studio, session_type=portrait, start=start, client=ClientFactory(studio=open_studio, name="Nora")
    )

    month = a_admin.get(CALENDAR, {"date": day.isoformat()}).content.decode()
    tile = month[month.index(f'data-booking="{session.pk}"') :]
    assert 'data-time="10:00"' in tile[:200] and "<time>10:00</time>" in tile

    week = a_admin.get(CALENDAR, {"view": "week", "date": day.isoformat()}).content.decode()
    tile = week[week.index(f'data-booking="{session.pk}"') :]
    assert "<time>10:00–11:00</time>" in tile
    nine = week[week.rindex("<div", 0, week.index(f'data-drop-start="{day:%Y-%m-%d}T09:00"')) :]
    assert "is-open" in nine[:120]  # the row labelled 09:00 is 09:00 in New York, where the studio opens
    assert f'data-drop-start="{day:%Y-%m-%d}T07:00"' in week  # the grid's first row, local
