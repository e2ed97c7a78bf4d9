"""The filters of the sessions listing."""

import django_filters
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from studios.admin_viewsets import scope_queryset

from ..models import Booking, SessionType


def own_session_types(request):
    if request is None:
        return SessionType.objects.none()
    return scope_queryset(SessionType.objects.all(), request.user)


class BookingFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices)
    start = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)
    session_type = django_filters.ModelChoiceFilter(queryset=own_session_types, label="Session type")

    class Meta:
        model = Booking
        fields = ["status", "start", "session_type"]
