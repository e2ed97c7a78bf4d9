"""A photographer drags a session to another day in Sessions → Calendar, in Chromium."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from tests.bookings.factories import weekly_hours
from tests.factories import BookingFactory, ClientFactory, SessionTypeFactory, photographer_for

pytestmark = pytest.mark.browser


def test_photographer_drags_a_session_to_another_day(studio, open_page, live_server):
    # Not UTC (nor London, which is UTC in winter): the calendar must show and keep the studio's own times.
    studio.time_zone = "America/New_York"
    studio.save()
    weekly_hours(studio, time(9), time(17))
    photographer_for(studio, email="demo@northlight.test")
    tz = studio.tz
    # The 10th of next month at 10:00 and the 12th: both in the same month view, both open days.
    today = timezone.now().astimezone(tz).date()
    month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    start = timezone.make_aware(timezone.datetime.combine(month.replace(day=10), time(10)), tz)
    portrait = SessionTypeFactory(studio=studio, name="Portrait", duration=timedelta(hours=1))
    booking = BookingFactory(
        studio=studio, session_type=portrait, start=start, client=ClientFactory(studio=studio, name="Nora Vale")
    )
    admin = live_server.url.replace("127.0.0.1", "localhost")
    page = open_page()
    page.goto(f"{admin}/admin/login/")
    page.locator("#id_username").fill("demo@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")

    page.goto(f"{admin}/admin/bookings/")
    page.get_by_role("link", name="Calendar").click()
    page.wait_for_url("**/admin/bookings/calendar/")
    page.get_by_role("link", name="Next ›").click()  # next month
    page.wait_for_url("**/admin/bookings/calendar/?view=month&date=*")
    assert page.locator("[data-calendar-title]").inner_text() == month.strftime("%B %Y")
    session = page.locator(f'[data-booking="{booking.pk}"]')
    assert "10:00" in session.inner_text() and "Nora Vale" in session.inner_text()
    page.screenshot("calendar-month")

    session.drag_to(page.locator(f'[data-drop-day="{month.replace(day=12):%Y-%m-%d}"]'))
    moved = page.locator(f'[data-drop-day="{month.replace(day=12):%Y-%m-%d}"] [data-booking="{booking.pk}"]')
    moved.wait_for()  # after the calendar reloads
    page.screenshot("calendar-moved")

    booking.refresh_from_db()
    assert booking.start.astimezone(tz).date() == month.replace(day=12)
    assert booking.start.astimezone(tz).time() == time(10)
    assert Booking.objects.get(pk=booking.pk).events.filter(kind="rescheduled").exists()

    page.goto(f"{admin}/admin/bookings/calendar/?view=week&date={month.replace(day=12):%Y-%m-%d}")
    assert "Nora Vale" in page.locator(f'[data-booking="{booking.pk}"]').inner_text()
    page.screenshot("calendar-week")
