"""A cancelled or moved session updates the client's calendar (issue 15): the cancellation e-mail carries a
METHOD:CANCEL .ics with the same UID and a higher SEQUENCE, a move an updated one; the studio's feed shows
sessions not yet confirmed as TENTATIVE."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from bookings.models import BookingEvent, CalendarFeed
from bookings.scheduling import cancel, confirm, reschedule
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(open_studio, portrait, slot):
    booking = BookingFactory(
        studio=open_studio, session_type=portrait, start=slot, client__name="O'Brien & Sons", client__email="ob@ex.com"
    )
    BookingEvent.objects.create(studio=open_studio, booking=booking, kind="created")
    return booking


def _ics(message):
    [(filename, content, mimetype)] = [a for a in message.attachments if a[0].endswith(".ics")]
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event, mimetype


def _to_client(mailoutbox, booking):
    return [m for m in mailoutbox if m.to == [booking.client.email]]


def test_cancelling_sends_a_cancel_ics_with_the_same_uid_and_a_higher_sequence(booking, mailoutbox):
    confirm(booking)
    [confirmed] = _to_client(mailoutbox, booking)
    _, first, _ = _ics(confirmed)
    assert first["status"] == "CONFIRMED" and first["sequence"] == 0

    cancel(booking, reason="Illness\r\nBcc: x@example.com")
    cancelled = _to_client(mailoutbox, booking)[-1]
    assert cancelled.subject.startswith("Cancelled: Family portrait")
    assert "Hi O'Brien & Sons," in cancelled.body and "&#x27;" not in cancelled.body
    assert "Reason: Illness Bcc: x@example.com" in cancelled.body
    calendar, event, mimetype = _ics(cancelled)
    assert calendar["method"] == "CANCEL" and mimetype == "text/calendar; method=CANCEL"
    assert event["uid"] == first["uid"]
    assert event["sequence"] > first["sequence"]
    assert event["status"] == "CANCELLED"
    assert str(event["attendee"]) == "mailto:ob@ex.com"


def test_moving_sends_an_updated_ics_each_time(booking, slot, mailoutbox):
    confirm(booking)
    _, first, _ = _ics(_to_client(mailoutbox, booking)[-1])
    reschedule(booking, slot + timedelta(days=1))
    moved = _to_client(mailoutbox, booking)[-1]
    assert moved.subject.startswith("New time: Family portrait")
    calendar, event, _ = _ics(moved)
    assert calendar["method"] == "PUBLISH"
    assert event["uid"] == first["uid"] and event["sequence"] == 1
    assert event.decoded("dtstart") == slot + timedelta(days=1)

    reschedule(booking, slot)  # back to the first time: still its own message, a newer sequence
    _, again, _ = _ics(_to_client(mailoutbox, booking)[-1])
    assert again["sequence"] == 2 and again.decoded("dtstart") == slot
    assert len([m for m in _to_client(mailoutbox, booking) if m.subject.startswith("New time")]) == 2


def test_the_feed_marks_unconfirmed_sessions_tentative(client, booking, open_studio, portrait):
    confirmed = BookingFactory(
        studio=open_studio, session_type=portrait, start=booking.start + timedelta(days=1), status="confirmed"
    )
    feed = CalendarFeed.objects.create(studio=open_studio)
    response = client.get(f"/api/client/calendar/{feed.token}.ics", HTTP_HOST=open_studio.hostname)
    statuses = {str(e["uid"]): str(e["status"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert statuses == {
        f"booking-{booking.pk}@{open_studio.hostname}": "TENTATIVE",
        f"booking-{confirmed.pk}@{open_studio.hostname}": "CONFIRMED",
    }
