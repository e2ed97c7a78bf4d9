"""iCalendar (RFC 5545) for bookings: the studio's secret feed and the .ics on confirmation e-mails."""

from django.utils import timezone
from icalendar import Calendar, Event

from studios.models import Studio

from .models import ACTIVE_STATUSES, Booking, BookingEvent

PRODID = "-//FocusFlow//Bookings//EN"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


# The event's STATUS: a booking not yet confirmed is TENTATIVE in every calendar (RFC 5545 3.8.1.11).
EVENT_STATUS = {
    Booking.Status.INQUIRY: "TENTATIVE",
    Booking.Status.BOOKED: "TENTATIVE",
    Booking.Status.CONFIRMED: "CONFIRMED",
    Booking.Status.COMPLETED: "CONFIRMED",
    Booking.Status.CANCELLED: "CANCELLED",
}
# Changes a calendar must take over the copy it has (RFC 5546: a higher SEQUENCE wins; the UID never changes).
REVISING_EVENTS = (BookingEvent.Kind.RESCHEDULED, BookingEvent.Kind.CANCELLED)


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.pk}@{booking.studio.hostname}"


def booking_sequence(booking: Booking) -> int:
    """0 as first sent, one more for each move and for the cancellation (one query)."""
    return BookingEvent.objects.filter(booking=booking, kind__in=REVISING_EVENTS).count()


def booking_event(booking: Booking, *, for_client: bool, sequence: int | None = None) -> Event:
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", timezone.now())
    if sequence is not None:
        event.add("sequence", sequence)
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    if for_client:
        event.add("summary", f"{booking.session_type.name} with {booking.studio.name}")
    else:
        event.add("summary", f"{booking.session_type.name} — {booking.client.name}")
        event.add("description", f"{booking.client.email} {booking.client.phone}".strip())
    if booking.location:
        event.add("location", booking.location)
    event.add("status", EVENT_STATUS.get(booking.status, "CONFIRMED"))
    return event


def booking_ics(booking: Booking, *, method: str = "PUBLISH") -> bytes:
    """A one-event calendar for the client's e-mails: PUBLISH (confirmed, reminded, moved: the SEQUENCE says
    which copy is newer) or CANCEL (the same UID with a higher SEQUENCE removes it from the calendar)."""
    cal = _calendar(booking.studio.name)
    cal.add("method", method)
    event = booking_event(booking, for_client=True, sequence=booking_sequence(booking))
    if method == "CANCEL":
        event["status"] = "CANCELLED"
    organizer = booking.studio.contact_email
    if organizer:
        event.add("organizer", f"mailto:{organizer}", parameters={"CN": booking.studio.name})
    if booking.client.email:
        event.add("attendee", f"mailto:{booking.client.email}", parameters={"CN": booking.client.name})
    cal.add_component(event)
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
