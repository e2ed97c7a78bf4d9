"""bookings endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import frontend_api.converters  # noqa: F401 - registers <token:…>

from .studio import BookingViewSet
from .studio_setup import AvailabilityOverrideViewSet, AvailabilityRuleViewSet, SessionTypeViewSet
from .views import (
    AvailabilityView,
    BookingCreateView,
    ManagedBookingAvailabilityView,
    ManagedBookingCancelView,
    ManagedBookingRescheduleView,
    ManagedBookingView,
    PackageDetailView,
    PackageListView,
    calendar_feed,
)

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("packages/", PackageListView.as_view(), name="packages"),
    path("packages/<int:pk>/", PackageDetailView.as_view(), name="package"),
    path("availability/", AvailabilityView.as_view(), name="availability"),
    path("bookings/", BookingCreateView.as_view(), name="bookings"),
    path("calendar/<token:token>.ics", calendar_feed, name="calendar-feed"),
    # The client's own booking by its secret manage link (Booking.manage_url): see, reschedule, cancel.
    path("bookings/manage/<token:token>/", ManagedBookingView.as_view(), name="booking-manage"),
    path(
        "bookings/manage/<token:token>/reschedule/",
        ManagedBookingRescheduleView.as_view(),
        name="booking-manage-reschedule",
    ),
    path(
        "bookings/manage/<token:token>/availability/",
        ManagedBookingAvailabilityView.as_view(),
        name="booking-manage-availability",
    ),
    path("bookings/manage/<token:token>/cancel/", ManagedBookingCancelView.as_view(), name="booking-manage-cancel"),
]
# /api/studio/... (studio API key)
_studio_router = SimpleRouter()
_studio_router.register("bookings", BookingViewSet, basename="booking")
_studio_router.register("session-types", SessionTypeViewSet, basename="session-type")
_studio_router.register("availability-rules", AvailabilityRuleViewSet, basename="availability-rule")
_studio_router.register("availability-overrides", AvailabilityOverrideViewSet, basename="availability-override")
studio_urlpatterns: list = _studio_router.urls
