"""iCalendar (RFC 5545) for bookings: the studio's secret feed and the .ics on confirmation e-mails."""

from django.utils import timezone
from icalendar import Calendar, Event

from studios.models import Studio

from .models import ACTIVE_STATUSES, Booking

PRODID = "-//FocusFlow//Bookings//EN"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def booking_event(booking: Booking, *, for_client: bool) -> Event:
    event = Event()
    event.add("uid", f"booking-{booking.pk}@{booking.studio.hostname}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    if for_client:
        event.add("summary", f"{booking.session_type.name} with {booking.studio.name}")
    else:
        event.add("summary", f"{booking.session_type.name} — {booking.client.name}")
        event.add("description", f"{booking.client.email} {booking.client.phone}".strip())
    if booking.location:
        event.add("location", booking.location)
    event.add("status", "CANCELLED" if booking.status == Booking.Status.CANCELLED else "CONFIRMED")
    return event


def booking_ics(booking: Booking) -> bytes:
    """A one-event calendar for the client's confirmation e-mail."""
    cal = _calendar(booking.studio.name)
    cal.add("method", "PUBLISH")
    cal.add_component(booking_event(booking, for_client=True))
    return cal.to_ical()


def studio_feed(studio: Studio) -> bytes:
    """The studio's upcoming and recent sessions (two queries, whatever the number of bookings)."""
    cal = _calendar(f"{studio.name} — sessions")
    since = timezone.now() - timezone.timedelta(days=90)
    bookings = (
        Booking.objects.for_studio(studio)
        .filter(status__in=ACTIVE_STATUSES, end__gte=since)
        .select_related("client", "session_type", "studio")
        .order_by("start")
    )
    for booking in bookings:
        cal.add_component(booking_event(booking, for_client=False))
    return cal.to_ical()
