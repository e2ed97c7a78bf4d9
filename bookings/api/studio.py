"""`/api/studio/bookings/`: the studio's bookings; booking, confirming and cancelling go
through the same scheduling rules as everywhere else (no double booking, hours, notice)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.models import Client
from frontend_api.studio_api import IdFilter, StudioApiViewSet, StudioScopedSerializerMixin, UtcDateTimeFilter

from .. import scheduling
from ..models import Booking, SessionType


class StudioBookingSerializer(StudioScopedSerializerMixin, serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    session_type = serializers.PrimaryKeyRelatedField(queryset=SessionType.objects.all())

    class Meta:
        model = Booking
        fields = ["id", "client", "session_type", "start", "end", "status", "location", "notes", "created_at"]
        read_only_fields = ["id", "end", "status", "location", "created_at"]


class BookingFilter(django_filters.FilterSet):
    start_after = UtcDateTimeFilter(field_name="start", lookup_expr="gte")
    start_before = UtcDateTimeFilter(field_name="start", lookup_expr="lt")
    client = IdFilter(field_name="client_id")
    session_type = IdFilter(field_name="session_type_id")

    class Meta:
        model = Booking
        fields = ["status", "client", "session_type", "start_after", "start_before"]


class BookingViewSet(StudioApiViewSet):
    model = Booking
    queryset = Booking.objects.none()
    serializer_class = StudioBookingSerializer
    filterset_class = BookingFilter
    ordering_fields = ["id", "start", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("client", "session_type")

    def perform_create(self, serializer):
        data = serializer.validated_data
        # A BookingError answers in the one error shape with its kind's status (frontend_api.errors).
        serializer.instance = scheduling.book(
            self.studio, data["session_type"], data["start"], client=data["client"], notes=data.get("notes", "")
        )

    @extend_schema(request=None, responses=StudioBookingSerializer, summary="Confirm a booking")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._change(scheduling.confirm)

    @extend_schema(request=None, responses=StudioBookingSerializer, summary="Cancel a booking")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._change(scheduling.cancel)

    def _change(self, operation):
        booking = operation(self.get_object())
        return Response(self.get_serializer(booking).data)
