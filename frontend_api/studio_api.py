"""Building blocks of the studio API (`/api/studio/`, API-key authenticated) and its
webhook-endpoint resource. Domain apps build their studio resources on `StudioApiViewSet`."""

import datetime

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import filters, pagination, serializers, viewsets

from .auth import ApiKeyAuthentication, ApiKeyRateThrottle, HasApiKeyScope
from .idempotency import idempotent
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .outbound import validate_webhook_url
from .parsers import JSONParser


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "09:00"})
class WallClockField(serializers.TimeField):
    """A time of day in the studio's zone, `HH:MM` (no offset: JSON Schema's `time` format would want one)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)


class StudioCursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class StudioScopedSerializerMixin:
    """Related-object fields accept only the calling studio's rows (another studio's id is "does not exist")."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or request.auth is None:  # schema generation
            return fields
        studio = request.auth.studio
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "for_studio"):
                field.queryset = queryset.for_studio(studio)
        return fields


class IdFilter(django_filters.Filter):
    """An id filter: a well-formed id that matches nothing is an empty list; a malformed one, a field error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 with any offset Python accepts, handed to the database in UTC (PostgreSQL refuses
    offsets beyond ±15:59, Python allows up to ±23:59)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.astimezone(datetime.UTC) if value is not None else None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class StudioApiMixin:
    # A database id: a longer number is a 404 like any unknown path, not an overflowing query.
    lookup_value_regex = "[0-9]{1,18}"
    authentication_classes = [ApiKeyAuthentication]
    parser_classes = [JSONParser]
    permission_classes = [HasApiKeyScope]
    throttle_classes = [ApiKeyRateThrottle]
    pagination_class = StudioCursorPagination
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    model = None

    @property
    def studio(self):
        return self.request.auth.studio

    def get_queryset(self):
        return self.model.objects.for_studio(self.studio)

    def perform_create(self, serializer):
        serializer.save(studio=self.studio)


class StudioApiViewSet(StudioApiMixin, viewsets.ModelViewSet):
    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class StudioReadOnlyApiViewSet(StudioApiMixin, viewsets.ReadOnlyModelViewSet):
    pass


class WebhookEndpointSerializer(StudioScopedSerializerMixin, serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        required=False,
        allow_empty=True,
        help_text="Events to receive; empty for all.",
    )
    secret = serializers.CharField(read_only=True, help_text="Signing secret: verify `FocusFlow-Signature` with it.")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "is_active", "secret", "created_at"]
        read_only_fields = ["id", "created_at"]
        # Replaces the model field's validators; DRF's URLField adds its URL validator after this one.
        extra_kwargs = {"url": {"validators": [validate_webhook_url]}}


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "status",
            "attempts",
            "response_code",
            "duration_ms",
            "error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
        ]


@extend_schema_view(
    list=extend_schema(summary="List webhook endpoints"),
    create=extend_schema(summary="Register a webhook endpoint"),
)
class WebhookEndpointViewSet(StudioApiViewSet):
    model = WebhookEndpoint
    serializer_class = WebhookEndpointSerializer
    ordering_fields = ["id", "created_at", "url"]
    filterset_fields = ["is_active"]
    queryset = WebhookEndpoint.objects.none()  # for the schema; get_queryset scopes by studio


class WebhookDeliveryFilter(django_filters.FilterSet):
    # By id: an unknown endpoint is an empty list, not an error.
    endpoint = IdFilter(field_name="endpoint_id")

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event", "endpoint"]


class WebhookDeliveryViewSet(StudioReadOnlyApiViewSet):
    model = WebhookDelivery
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter
    ordering_fields = ["id", "created_at"]
    queryset = WebhookDelivery.objects.none()
