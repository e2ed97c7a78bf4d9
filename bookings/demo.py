"""Demo session types, weekly hours and upcoming bookings (idempotent)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from crm.activity import record_activity
from crm.models import Client

from .models import (
    AvailabilityOverride,
    AvailabilityRule,
    Booking,
    BookingEvent,
    BookingPage,
    CalendarFeed,
    SessionType,
)

SESSION_TYPES = [
    {
        "name": "Family portrait",
        "description": "An hour in the studio or a park nearby; 20 edited photos.",
        "duration": timedelta(hours=1),
        "price": 25000,
        "deposit_percent": 25,
        "buffer_after": timedelta(minutes=30),
        "location": "The studio",
        "auto_confirm": True,
    },
    {
        "name": "Wedding — full day",
        "description": "From preparations to first dance; an online gallery of 400+ photos.",
        "duration": timedelta(hours=8),
        "price": 250000,
        "deposit_amount": 50000,
        "buffer_before": timedelta(hours=1),
        "buffer_after": timedelta(hours=1),
        "max_per_day": 1,
        "minimum_notice": timedelta(days=30),
        "booking_horizon": timedelta(days=730),
        "slot_interval": timedelta(hours=1),
    },
    {
        "name": "Headshots",
        "description": "30 minutes, three looks.",
        "duration": timedelta(minutes=30),
        "price": 12000,
        "location": "The studio",
    },
]

# client e-mail, session type, days from today, local hour, status
DEMO_BOOKINGS = [
    ("emma.clarke@example.test", "Wedding — full day", 75, 11, "confirmed"),
    ("jonah.reid@example.test", "Family portrait", 9, 10, "booked"),
    ("sam.okafor@example.test", "Headshots", 12, 14, "confirmed"),
    ("lucy.byrne@example.test", "Family portrait", -20, 11, "completed"),
]


BOOKING_INTRO = (
    "<p>Choose a session, pick a time that suits you and tell us a little about yourself. "
    "You’ll get a confirmation by e-mail, then a contract to sign and a deposit to hold your date.</p>"
)


def ensure_booking_page(studio) -> None:
    """Studios created before the booking page existed get one, with the demo's intro."""
    home = studio.home_page
    page = BookingPage.objects.child_of(home).first()
    if page is None:
        home.add_child(instance=BookingPage(title="Book a session", slug="book", show_in_menus=True))
        page = BookingPage.objects.child_of(home).get()
    if not page.intro:
        page.intro = BOOKING_INTRO
        page.save_revision().publish()


def seed(studio, stdout) -> None:
    types = {}
    for spec in SESSION_TYPES:
        session_type, _ = SessionType.objects.for_studio(studio).get_or_create(
            name=spec["name"], defaults={"studio": studio, **{k: v for k, v in spec.items() if k != "name"}}
        )
        types[session_type.name] = session_type

    ensure_booking_page(studio)
    if not AvailabilityRule.objects.for_studio(studio).exists():
        for weekday in range(1, 6):  # Tuesday to Saturday
            AvailabilityRule.objects.create(studio=studio, weekday=weekday, start_time=time(9), end_time=time(17))
        AvailabilityRule.objects.create(studio=studio, weekday=3, start_time=time(18), end_time=time(20))
    CalendarFeed.objects.get_or_create(studio=studio)
    today = timezone.now().astimezone(studio.tz).date()
    christmas = today.replace(month=12, day=25) if today <= today.replace(month=12, day=25) else None
    if christmas:
        AvailabilityOverride.objects.get_or_create(
            studio=studio, date=christmas, kind="blackout", defaults={"note": "Christmas"}
        )

    added = 0
    for email, type_name, days, hour, status in DEMO_BOOKINGS:
        client = Client.objects.for_studio(studio).filter(email__iexact=email).first()
        session_type = types[type_name]
        if client is None or Booking.objects.filter(client=client, session_type=session_type).exists():
            continue
        start = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)), studio.tz)
        booking = Booking.objects.create(
            studio=studio,
            client=client,
            session_type=session_type,
            start=start,
            end=start + session_type.duration,
            status=status,
            location=session_type.location,
            confirmed_at=timezone.now() if status in ("confirmed", "completed") else None,
        )
        BookingEvent.objects.create(studio=studio, booking=booking, kind="created")
        record_activity(client, "booking_made", f"{session_type.name}", data={"booking": booking.pk})
        if status == "completed":
            BookingEvent.objects.create(studio=studio, booking=booking, kind="completed")
            record_activity(client, "booking_completed", session_type.name, data={"booking": booking.pk})
        added += 1
    stdout.write(f"  bookings: {len(types)} session types, weekly hours, {added} bookings added to {studio.slug}")
