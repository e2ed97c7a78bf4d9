"""GET /api/client/availability/ and POST /api/client/bookings/: what a client site sees."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bookings.models import AvailabilityRule, Booking, BookingEvent
from crm.models import Client
from tests.factories import BookingFactory, ClientFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db
AVAILABILITY = "/api/client/availability/"
BOOKINGS = "/api/client/bookings/"


def book(client, studio, session_type, start, **extra):
    data = {
        "session_type": session_type.pk,
        "start": start.isoformat(),
        "name": "Mia Hart",
        "email": "mia@example.test",
    }
    data.update(extra)
    return client.post(BOOKINGS, data, content_type="application/json", HTTP_HOST=studio.hostname)


def test_urls_are_the_contract():
    assert reverse("client:availability") == AVAILABILITY
    assert reverse("client:bookings") == BOOKINGS


def test_availability_lists_slots_in_utc_and_studio_time(client, open_studio, portrait, slot):
    day = slot.astimezone(open_studio.tz).date()
    response = client.get(
        AVAILABILITY,
        {"session_type": portrait.pk, "start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
        HTTP_HOST=open_studio.hostname,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "Europe/London"
    assert [s["local_start"][11:16] for s in body["slots"]] == [f"{h:02d}:00" for h in range(9, 17)]
    assert body["slots"][0]["start"].endswith("Z")


def test_availability_bad_input(client, open_studio, portrait, other_studio):
    host = open_studio.hostname
    response = client.get(AVAILABILITY, {"session_type": portrait.pk, "start": "soon"}, HTTP_HOST=host)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"start", "end"}
    response = client.get(
        AVAILABILITY, {"session_type": portrait.pk, "start": "2026-01-01", "end": "2026-06-01"}, HTTP_HOST=host
    )
    assert response.json()["error"]["fields"]["end"] == ["Ask for at most 62 days at a time."]


def test_another_studios_session_type_is_404(client, open_studio, portrait, other_studio, slot):
    theirs = SessionTypeFactory(studio=other_studio)
    response = client.get(
        AVAILABILITY,
        {"session_type": theirs.pk, "start": "2026-01-01", "end": "2026-01-02"},
        HTTP_HOST=open_studio.hostname,
    )
    assert response.status_code == 404
    assert book(client, open_studio, theirs, slot).status_code == 404
    # And this studio's session type asked for on the other studio's host.
    response = client.get(
        AVAILABILITY,
        {"session_type": portrait.pk, "start": "2026-01-01", "end": "2026-01-02"},
        HTTP_HOST=other_studio.hostname,
    )
    assert response.status_code == 404
    response = client.post(
        BOOKINGS,
        {"session_type": portrait.pk, "start": slot.isoformat(), "name": "X", "email": "x@example.test"},
        content_type="application/json",
        HTTP_HOST=other_studio.hostname,
    )
    assert response.status_code == 404
    assert not Booking.objects.exists() and not Client.objects.exists()


def test_booking_a_free_slot(client, open_studio, portrait, photographer, slot, mailoutbox):
    response = book(client, open_studio, portrait, slot, phone="0700", notes="Two kids and a dog")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "booked"
    assert body["local_start"].startswith(slot.astimezone(open_studio.tz).strftime("%Y-%m-%dT10:00"))
    assert body["contract"] is None

    booking = Booking.objects.get()
    assert (booking.start, booking.end, booking.location) == (slot, slot + timedelta(hours=1), portrait.location)
    assert booking.client.email == "mia@example.test" and booking.client.stage == "booked"
    assert list(booking.events.values_list("kind", flat=True)) == ["created"]
    assert booking.client.activities.filter(kind="booking_made").exists()

    assert {m.to[0] for m in mailoutbox} == {"mia@example.test", "owner@northlight.test"}
    # The deposit invoice's e-mail goes to the client too (tests.billing); this is the booking's own.
    to_client = next(m for m in mailoutbox if m.to == ["mia@example.test"] and not m.subject.startswith("Invoice"))
    assert "10:00" in to_client.body and "received" in to_client.subject.lower()
    assert not to_client.attachments  # the .ics comes with the confirmation


def test_auto_confirm_books_confirmed_and_sends_an_ics(client, open_studio, portrait, slot, mailoutbox):
    portrait.auto_confirm = True
    portrait.save()
    response = book(client, open_studio, portrait, slot)
    assert response.json()["status"] == "confirmed"
    booking = Booking.objects.get()
    assert booking.confirmed_at is not None
    assert list(booking.events.values_list("kind", flat=True)) == ["created", "confirmed"]
    confirmation = next(m for m in mailoutbox if m.to == ["mia@example.test"] and not m.subject.startswith("Invoice"))
    assert confirmation.subject.startswith("Confirmed: Family portrait")
    name, content, mimetype = confirmation.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == slot
    assert event.decoded("dtend") == slot + timedelta(hours=1)
    assert str(event["location"]) == portrait.location


def test_naive_time_is_read_in_the_studio_zone(client, open_studio, portrait, slot):
    naive = slot.astimezone(open_studio.tz).replace(tzinfo=None)
    response = book(client, open_studio, portrait, naive)
    assert response.status_code == 201
    assert Booking.objects.get().start == slot


@pytest.mark.parametrize(
    ("shift", "code"),
    [
        (timedelta(days=-8), "in_the_past"),
        (timedelta(hours=9), "outside_hours"),  # 19:00, after closing
        (timedelta(minutes=-90), "outside_hours"),  # 08:30, before opening
        (timedelta(days=400), "too_far"),
    ],
)
def test_bad_times_are_refused_clearly_and_nothing_is_kept(client, open_studio, portrait, slot, shift, code):
    response = book(client, open_studio, portrait, slot + shift)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert not Booking.objects.exists() and not Client.objects.exists()


def test_too_little_notice_is_refused(client, open_studio, portrait):
    AvailabilityRule.objects.for_studio(open_studio).update(start_time=time(0), end_time=time(23, 59))
    portrait.minimum_notice = timedelta(hours=48)
    portrait.save()
    start = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    response = book(client, open_studio, portrait, start)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_soon"
    assert "48 hours' notice" in response.json()["error"]["message"]
    assert not Booking.objects.exists()


def test_taken_slot_is_refused_and_the_first_booking_is_untouched(client, open_studio, portrait, slot, mailoutbox):
    first = BookingFactory(studio=open_studio, session_type=portrait, start=slot)
    response = book(client, open_studio, portrait, slot + timedelta(minutes=30))
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "slot_taken",
        "message": "Sorry, that time was just booked. Please choose another slot.",
    }
    assert list(Booking.objects.all()) == [first]
    assert not Client.objects.filter(email="mia@example.test").exists()
    assert not mailoutbox


def test_buffers_of_a_neighbouring_booking_count(client, open_studio, portrait, slot):
    portrait.buffer_before = timedelta(minutes=30)
    portrait.save()
    BookingFactory(studio=open_studio, session_type=portrait, start=slot - timedelta(hours=1))  # 09:00–10:00
    response = book(client, open_studio, portrait, slot)  # 10:00 needs 09:30 free
    assert response.json()["error"]["code"] == "slot_taken"


def test_cancelled_booking_frees_the_slot(client, open_studio, portrait, slot):
    BookingFactory(studio=open_studio, session_type=portrait, start=slot, status="cancelled")
    assert book(client, open_studio, portrait, slot).status_code == 201


def test_max_per_day_gives_day_full(client, open_studio, portrait, slot):
    portrait.max_per_day = 1
    portrait.save()
    BookingFactory(studio=open_studio, session_type=portrait, start=slot + timedelta(hours=3))
    response = book(client, open_studio, portrait, slot)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "day_full"


def test_returning_client_is_linked_not_duplicated(client, open_studio, portrait, slot):
    existing = ClientFactory(studio=open_studio, email="Mia@Example.test", stage="customer")
    assert book(client, open_studio, portrait, slot).status_code == 201
    assert Booking.objects.get().client == existing
    existing.refresh_from_db()
    assert existing.stage == "repeat"


def test_field_errors(client, open_studio, portrait):
    response = client.post(
        BOOKINGS, {"session_type": portrait.pk}, content_type="application/json", HTTP_HOST=open_studio.hostname
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"start", "name", "email"}
    assert not BookingEvent.objects.exists()
