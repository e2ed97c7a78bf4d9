"""Issue 16: the free times a client may move their booking to, by its manage link
(`GET /api/client/bookings/manage/{token}/availability/`): the booking's own time does not block them, so it can
move by 30 minutes overlapping its old slot, which the public availability cannot offer; only that link's
booking is left out, so another client's token neither shows nor frees someone else's slot."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from bookings.scheduling import book
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(studio):
    return (timezone.now() + timedelta(days=10)).astimezone(studio.tz).date()


@pytest.fixture
def hour_every_half_hour(studio):
    weekly_hours(studio, time(9), time(17))
    return SessionTypeFactory(
        studio=studio, name="Portrait", duration=timedelta(hours=1), slot_interval=timedelta(minutes=30), price=0
    )


def at(studio, day, hh, mm=0):
    return datetime.combine(day, time(hh, mm), tzinfo=studio.tz)


@pytest.fixture
def mias_and_noahs(studio, day, hour_every_half_hour):
    mia = book(studio, hour_every_half_hour, at(studio, day, 10), name="Mia", email="mia@example.test")
    noah = book(studio, hour_every_half_hour, at(studio, day, 13), name="Noah", email="noah@example.test")
    return mia, noah


def local_starts(response, studio) -> list[str]:
    assert response.status_code == 200, response.content
    return [datetime.fromisoformat(s["local_start"]).strftime("%H:%M") for s in response.json()["slots"]]


def reschedule_times(client, studio, booking, day):
    return client.get(
        f"/api/client/bookings/manage/{booking.manage_token}/availability/",
        {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
        HTTP_HOST=studio.hostname,
    )


def test_a_booking_can_move_by_half_an_hour_over_its_own_old_time(client, studio, day, mias_and_noahs):
    mia, noah = mias_and_noahs
    public = client.get(
        "/api/client/availability/",
        {"session_type": mia.session_type_id, "start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
        HTTP_HOST=studio.hostname,
    )
    # the public page: Mia's own hour blocks 09:30–10:30
    assert {"09:30", "10:00", "10:30"}.isdisjoint(local_starts(public, studio))

    times = local_starts(reschedule_times(client, studio, mia, day), studio)
    # her own hour no longer blocks: half an hour either side; her current time is not offered
    assert {"09:00", "09:30", "10:30", "11:00"} <= set(times) and "10:00" not in times
    # Noah's 13:00 still blocks 12:30–13:30
    assert {"12:30", "13:00", "13:30"}.isdisjoint(times) and "14:00" in times
    response = reschedule_times(client, studio, mia, day).json()
    assert response["session_type"] == mia.session_type_id and response["time_zone"] == studio.time_zone

    moved = client.post(
        f"/api/client/bookings/manage/{mia.manage_token}/reschedule/",
        {"start": at(studio, day, 10, 30).isoformat()},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert moved.status_code == 200, moved.content
    mia.refresh_from_db()
    assert mia.start == at(studio, day, 10, 30)


def test_another_clients_token_neither_shows_nor_frees_someone_elses_slot(client, studio, day, mias_and_noahs):
    mia, noah = mias_and_noahs
    times = local_starts(reschedule_times(client, studio, noah, day), studio)
    # Noah's link leaves out Noah's booking only: Mia's 10:00 still blocks 09:30–10:30
    assert {"09:30", "10:00", "10:30"}.isdisjoint(times)
    assert {"12:30", "13:30"} <= set(times)
    taken = client.post(
        f"/api/client/bookings/manage/{noah.manage_token}/reschedule/",
        {"start": at(studio, day, 10, 30).isoformat()},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slot_taken"
    mia.refresh_from_db()
    noah.refresh_from_db()
    assert (mia.start, noah.start) == (at(studio, day, 10), at(studio, day, 13))


def test_a_link_of_one_studio_is_not_found_on_another(client, studio, other_studio, day, mias_and_noahs):
    mia, _ = mias_and_noahs
    response = reschedule_times(client, other_studio, mia, day)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert reschedule_times(client, studio, SimpleNamespace(manage_token="x" * 43), day).status_code == 404


def test_no_times_once_the_policy_says_no(client, studio, day, mias_and_noahs):
    mia, _ = mias_and_noahs
    package = mia.session_type
    package.client_change_hours = 24 * 30  # a month before: already past
    package.save()
    late = reschedule_times(client, studio, mia, day)
    assert late.status_code == 409 and late.json()["error"]["code"] == "too_late_to_change"
    assert "Changes online were possible until" in late.json()["error"]["message"]

    package.client_change_hours = 48
    package.reschedule_limit = 0
    package.save()
    spent = reschedule_times(client, studio, mia, day)
    assert spent.status_code == 403 and spent.json()["error"]["code"] == "reschedule_limit_reached"


def test_the_query_is_checked(client, studio, day, mias_and_noahs):
    mia, _ = mias_and_noahs
    response = client.get(
        f"/api/client/bookings/manage/{mia.manage_token}/availability/",
        {"start": day.isoformat(), "end": (day + timedelta(days=90)).isoformat()},
        HTTP_HOST=studio.hostname,
    )
    assert response.status_code == 400 and "end" in response.json()["error"]["fields"]
