"""`/api/studio/session-types/`, `/availability-rules/`, `/availability-overrides/`: the studio's packages and
working hours, the same rows the admin edits, checked by the models' own rules."""

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from contracts.models import ContractTemplate
from frontend_api.studio_api import StudioApiViewSet, StudioScopedSerializerMixin, WallClockField

from ..models import AvailabilityOverride, AvailabilityRule, SessionType

MAX_MINUTES = 60 * 24 * 366  # a year: longer is a mistake, and stays far inside the database's interval


class MinutesField(serializers.IntegerField):
    """A duration as whole minutes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_MINUTES)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return int(value.total_seconds() // 60)

    def to_internal_value(self, data):
        return timedelta(minutes=super().to_internal_value(data))

    def run_validators(self, value):
        super().run_validators(self.to_representation(value))  # the bounds are in minutes


class ModelCleanMixin:
    """Runs the model's `clean()` (the admin's checks) on what would be saved; its errors answer 400."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.Meta.model(**{**self._current(), **attrs})
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        names = [f.name for f in self.Meta.model._meta.concrete_fields if f.name in self.fields or f.name == "studio"]
        return {name: getattr(self.instance, name) for name in names}


class StudioSessionTypeSerializer(StudioScopedSerializerMixin, serializers.ModelSerializer):
    duration_minutes = MinutesField(source="duration", min_value=1, required=False)
    buffer_before_minutes = MinutesField(source="buffer_before", required=False)
    buffer_after_minutes = MinutesField(source="buffer_after", required=False)
    slot_interval_minutes = MinutesField(source="slot_interval", min_value=1, required=False)
    minimum_notice_minutes = MinutesField(source="minimum_notice", required=False)
    booking_horizon_minutes = MinutesField(source="booking_horizon", required=False)
    price = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False, help_text="Minor units.")
    deposit_amount = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, help_text="A fixed deposit in minor units, or 0."
    )
    deposit_percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text="The deposit as a percentage, or 0."
    )
    max_per_day = serializers.IntegerField(min_value=1, max_value=32767, required=False, allow_null=True)
    deposit = serializers.IntegerField(read_only=True, help_text="The deposit asked at booking, in minor units.")
    contract_template = serializers.PrimaryKeyRelatedField(
        queryset=ContractTemplate.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = SessionType
        fields = [
            "id",
            "name",
            "description",
            "duration_minutes",
            "price",
            "deposit_amount",
            "deposit_percent",
            "deposit",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "location",
            "max_per_day",
            "auto_confirm",
            "is_active",
            "contract_template",
            "slot_interval_minutes",
            "minimum_notice_minutes",
            "booking_horizon_minutes",
        ]
        read_only_fields = ["id", "deposit"]


class StudioAvailabilityRuleSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """Weekly working hours in the studio's zone; the end is after the start."""

    # Declared: the model field's range differs between PostgreSQL and SQLite, and the schema must not.
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday.")
    start_time = WallClockField()
    end_time = WallClockField()

    class Meta:
        model = AvailabilityRule
        fields = ["id", "weekday", "start_time", "end_time"]
        read_only_fields = ["id"]


class StudioAvailabilityOverrideSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A day off (all day without times, or some hours) or extra hours on one date."""

    start_time = WallClockField(required=False, allow_null=True, help_text="Empty with `end_time`: the whole day.")
    end_time = WallClockField(required=False, allow_null=True)

    class Meta:
        model = AvailabilityOverride
        fields = ["id", "date", "kind", "start_time", "end_time", "note"]
        read_only_fields = ["id"]


@extend_schema_view(
    list=extend_schema(summary="List the studio's session types (packages)"),
    create=extend_schema(summary="Create a session type"),
    retrieve=extend_schema(summary="Read a session type"),
    partial_update=extend_schema(summary="Change a session type"),
)
class SessionTypeViewSet(StudioApiViewSet):
    """Session types are never deleted here (bookings keep theirs): set `is_active` false to stop offering one."""

    model = SessionType
    queryset = SessionType.objects.none()
    serializer_class = StudioSessionTypeSerializer
    filterset_fields = ["is_active"]
    ordering_fields = ["id", "name", "price"]
    http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema_view(
    list=extend_schema(summary="List the weekly working hours"),
    create=extend_schema(summary="Add weekly working hours"),
    retrieve=extend_schema(summary="Read a weekly working-hours rule"),
    partial_update=extend_schema(summary="Change a weekly working-hours rule"),
    destroy=extend_schema(summary="Remove a weekly working-hours rule"),
)
class AvailabilityRuleViewSet(StudioApiViewSet):
    model = AvailabilityRule
    queryset = AvailabilityRule.objects.none()
    serializer_class = StudioAvailabilityRuleSerializer
    filterset_fields = ["weekday"]
    ordering_fields = ["id", "weekday", "start_time"]


@extend_schema_view(
    list=extend_schema(summary="List the days that differ from the weekly hours"),
    create=extend_schema(summary="Add a blackout or extra hours on a day"),
    retrieve=extend_schema(summary="Read an availability override"),
    partial_update=extend_schema(summary="Change an availability override"),
    destroy=extend_schema(summary="Remove an availability override"),
)
class AvailabilityOverrideViewSet(StudioApiViewSet):
    model = AvailabilityOverride
    queryset = AvailabilityOverride.objects.none()
    serializer_class = StudioAvailabilityOverrideSerializer
    filterset_fields = ["kind", "date"]
    ordering_fields = ["id", "date"]
