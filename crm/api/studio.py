"""`/api/studio/clients/`: the studio's clients for its integrations (API key)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from frontend_api.studio_api import StudioApiViewSet, StudioScopedSerializerMixin, UtcDateTimeFilter

from .. import lifecycle
from ..models import Client
from .portal import PortalInvitationSerializer, invite


class StudioClientSerializer(StudioScopedSerializerMixin, serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "address",
            "stage",
            "tags",
            "notes",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "tags", "created_at", "updated_at"]

    def validate_email(self, value):
        studio = self.context["request"].auth.studio
        others = Client.objects.for_studio(studio).filter(email__iexact=value.strip())
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError("The studio already has a client with this e-mail address.")
        return value.strip()


class ClientFilter(django_filters.FilterSet):
    email = django_filters.CharFilter(lookup_expr="iexact")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Client
        fields = ["stage", "email", "created_after"]


class ClientViewSet(StudioApiViewSet):
    model = Client
    queryset = Client.objects.none()
    serializer_class = StudioClientSerializer
    filterset_class = ClientFilter
    ordering_fields = ["id", "name", "created_at", "updated_at"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags")

    def perform_update(self, serializer):
        old_stage = serializer.instance.stage
        client = serializer.save()
        # Set through the API: on the timeline, and "stage changed" workflows hear it (crm.lifecycle).
        lifecycle.stage_was_set(client, old_stage, because="api")

    @extend_schema(
        summary="E-mail the client a sign-in link to their portal",
        request=None,
        responses={202: PortalInvitationSerializer},
    )
    @action(detail=True, methods=["post"], url_path="portal-invitation")
    def portal_invitation(self, request, pk=None):
        client = self.get_object()
        return Response(PortalInvitationSerializer(invite(client)).data, status=status.HTTP_202_ACCEPTED)
