"""bookings endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path

from .views import AvailabilityView, BookingCreateView, calendar_feed

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("availability/", AvailabilityView.as_view(), name="availability"),
    path("bookings/", BookingCreateView.as_view(), name="bookings"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
]
# /api/studio/... (studio API key)
studio_urlpatterns: list = []
