"""The "Upcoming sessions" panel of the studio dashboard: the next 14 days, in the studio's time zone."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from studios.dashboard import ORDER_HINTS, StudioPanel

from .models import Booking

UPCOMING = [Booking.Status.INQUIRY, Booking.Status.BOOKED, Booking.Status.CONFIRMED]


class UpcomingSessionsPanel(StudioPanel):
    name = "upcoming_sessions"
    heading = "Upcoming sessions"
    order = ORDER_HINTS["upcoming_sessions"]
    template_name = "bookings/dashboard/upcoming_sessions.html"
    days = 14
    limit = 8

    def get_panel_context(self):
        now = timezone.now()
        upcoming = Booking.objects.for_studio(self.studio).filter(
            status__in=UPCOMING, start__gte=now, start__lt=now + timedelta(days=self.days)
        )
        sessions = list(upcoming.select_related("client", "session_type").order_by("start")[: self.limit])
        return {
            "sessions": sessions,
            # Only counted when the list is full: one query less on a quiet fortnight.
            "total": upcoming.count() if len(sessions) == self.limit else len(sessions),
            "days": self.days,
            "tz": self.studio.tz,
            "index_url": reverse("bookings:index"),
        }
