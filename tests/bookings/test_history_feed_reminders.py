"""Reschedule and cancel keep history; the secret iCal feed; reminders are sent once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from bookings import tasks
from bookings.models import Booking, BookingEvent, CalendarFeed
from bookings.scheduling import BookingError, cancel, complete, confirm, reschedule
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(open_studio, portrait, slot):
    booking = BookingFactory(studio=open_studio, session_type=portrait, start=slot, client__name="Mia Hart")
    BookingEvent.objects.create(studio=open_studio, booking=booking, kind="created")
    return booking


def test_reschedule_keeps_the_old_time_in_history(booking, slot, photographer):
    booking.reminder_sent_at = timezone.now()
    booking.save()
    reschedule(booking, slot + timedelta(days=1, hours=2), by=photographer, note="Rain forecast")
    booking.refresh_from_db()
    assert booking.start == slot + timedelta(days=1, hours=2)
    assert booking.end == booking.start + timedelta(hours=1)
    assert booking.blocked_start == booking.start
    assert booking.reminder_sent_at is None  # the new time gets its own reminder
    event = booking.events.get(kind="rescheduled")
    assert (event.previous_start, event.note, event.by) == (slot, "Rain forecast", photographer)
    assert booking.client.activities.filter(kind="booking_rescheduled").exists()


def test_reschedule_onto_a_taken_time_changes_nothing(booking, open_studio, portrait, slot):
    BookingFactory(studio=open_studio, session_type=portrait, start=slot + timedelta(hours=3))
    with pytest.raises(BookingError) as excinfo:
        reschedule(booking, slot + timedelta(hours=3, minutes=30))
    assert excinfo.value.code == "slot_taken"
    booking.refresh_from_db()
    assert booking.start == slot
    assert not booking.events.filter(kind="rescheduled").exists()


def test_reschedule_outside_hours_is_refused(booking, slot):
    with pytest.raises(BookingError) as excinfo:
        reschedule(booking, slot + timedelta(hours=12))
    assert excinfo.value.code == "outside_hours"
    assert Booking.objects.get(pk=booking.pk).start == slot


def test_cancel_keeps_the_booking_and_frees_the_slot(booking, photographer):
    cancel(booking, by=photographer, reason="Family illness")
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_at is not None
    assert booking.events.get(kind="cancelled").note == "Family illness"
    with pytest.raises(BookingError) as excinfo:
        cancel(booking)
    assert excinfo.value.code == "not_cancellable"
    with pytest.raises(BookingError):
        reschedule(booking, booking.start + timedelta(days=1))


def test_confirm_sends_the_ics_and_complete_makes_a_customer(booking, mailoutbox):
    confirm(booking)
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    assert mailoutbox[-1].attachments[0][0].endswith(".ics")
    with pytest.raises(BookingError):
        confirm(booking)
    complete(booking)
    booking.client.refresh_from_db()
    assert booking.client.stage == "customer"
    assert list(booking.events.values_list("kind", flat=True)) == ["created", "confirmed", "completed"]


def test_calendar_feed_is_secret_and_per_studio(client, booking, open_studio, other_studio):
    feed = CalendarFeed.objects.create(studio=open_studio)
    BookingFactory(
        studio=open_studio,
        session_type=booking.session_type,
        start=booking.start + timedelta(days=1),
        status="cancelled",
    )
    response = client.get(f"/api/client/calendar/{feed.token}.ics", HTTP_HOST=open_studio.hostname)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Family portrait — Mia Hart"]
    assert events[0].decoded("dtstart") == booking.start
    assert feed.feed_url.startswith(f"https://{open_studio.hostname}/api/client/calendar/")

    assert client.get(f"/api/client/calendar/{feed.token}.ics", HTTP_HOST=other_studio.hostname).status_code == 404
    assert client.get("/api/client/calendar/wrong-token.ics", HTTP_HOST=open_studio.hostname).status_code == 404


def test_calendar_feed_queries_do_not_grow_with_bookings(
    client, booking, open_studio, portrait, django_assert_max_num_queries
):
    feed = CalendarFeed.objects.create(studio=open_studio)
    for day in range(2, 12):
        BookingFactory(studio=open_studio, session_type=portrait, start=booking.start + timedelta(days=day))
    with django_assert_max_num_queries(4):
        response = client.get(f"/api/client/calendar/{feed.token}.ics", HTTP_HOST=open_studio.hostname)
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 11


def test_reminders_go_once_to_sessions_within_the_lead_time(open_studio, portrait, mailoutbox):
    soon = BookingFactory(
        studio=open_studio, session_type=portrait, start=timezone.now() + timedelta(hours=5), status="confirmed"
    )
    later = BookingFactory(studio=open_studio, session_type=portrait, start=timezone.now() + timedelta(days=5))
    gone = BookingFactory(
        studio=open_studio, session_type=portrait, start=timezone.now() + timedelta(hours=7), status="cancelled"
    )

    assert tasks.send_due_reminders() == 1
    assert [m.to for m in mailoutbox] == [[soon.client.email]]
    assert mailoutbox[0].subject.startswith("Reminder: Family portrait")
    assert mailoutbox[0].attachments[0][0].endswith(".ics")

    # Beat runs again, and a retried task runs again: still one e-mail.
    assert tasks.send_due_reminders() == 0
    assert tasks.send_reminder(soon.pk) is False
    assert len(mailoutbox) == 1
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None
    assert soon.events.filter(kind="reminder_sent").count() == 1
    later.refresh_from_db()
    gone.refresh_from_db()
    assert later.reminder_sent_at is None and gone.reminder_sent_at is None


def test_reminder_task_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["bookings-send-reminders"]
    assert entry["task"] == tasks.send_due_reminders.name
    assert entry["schedule"] <= 3600
