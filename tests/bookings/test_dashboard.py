"""The "Upcoming sessions" dashboard panel: the next 14 days of the photographer's own studio, in its time zone."""

from datetime import timedelta

import pytest
from django.utils import dateformat, timezone

from bookings.dashboard import UpcomingSessionsPanel
from tests.factories import BookingFactory, ClientFactory

pytestmark = pytest.mark.django_db


def at(days: int, hour: int):
    return (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_photographer_sees_their_next_two_weeks_in_the_studio_zone(
    studio, other_studio, photographer, admin_client_for
):
    studio.time_zone = "America/New_York"
    studio.save()
    soon = BookingFactory(studio=studio, client=ClientFactory(studio=studio, name="Emma Hart"), start=at(2, 15))
    BookingFactory(studio=studio, client=ClientFactory(studio=studio, name="Later Larry"), start=at(20, 15))
    BookingFactory(studio=studio, client=ClientFactory(studio=studio, name="Past Pat"), start=at(-1, 15))
    BookingFactory(
        studio=studio, client=ClientFactory(studio=studio, name="Cancelled Cass"), start=at(3, 15), status="cancelled"
    )
    BookingFactory(
        studio=other_studio, client=ClientFactory(studio=other_studio, name="Harbour Secret"), start=at(2, 9)
    )

    html = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "studio-upcoming-sessions" in html
    assert "1 session in the next 14 days" in html
    local = soon.start.astimezone(studio.tz)
    assert dateformat.format(local, "D j M, H:i") in html  # New York time, not UTC
    assert local.hour != soon.start.hour
    assert "Emma Hart" in html
    assert "America/New_York" in html
    for hidden in ("Later Larry", "Past Pat", "Cancelled Cass", "Harbour Secret"):
        assert hidden not in html


def test_the_other_photographer_sees_only_harbours_sessions(studio, other_studio, other_photographer, admin_client_for):
    BookingFactory(studio=studio, client=ClientFactory(studio=studio, name="Northlight Client"), start=at(2, 15))
    BookingFactory(studio=other_studio, client=ClientFactory(studio=other_studio, name="Harbour Hal"), start=at(2, 9))

    html = admin_client_for(other_photographer).get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "Harbour Hal" in html and "Northlight Client" not in html


def test_panel_queries_do_not_grow_with_bookings(studio, rf, django_assert_num_queries):
    for day in range(1, 13):
        BookingFactory(studio=studio, start=at(day, 12))
    panel = UpcomingSessionsPanel(studio, rf.get("/admin/"))

    with django_assert_num_queries(2):  # the first 8, and the count because there are more
        context = panel.get_panel_context()
        names = [s.client.name for s in context["sessions"]] + [s.session_type.name for s in context["sessions"]]
    assert len(names) == 16 and context["total"] == 12
