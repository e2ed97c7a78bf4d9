"""`/api/studio/contract-templates/` (read) and `/api/studio/contracts/`: list, issue for a booking, void."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from bookings.models import Booking
from frontend_api.errors import ApiError
from frontend_api.idempotency import idempotent
from frontend_api.studio_api import IdFilter, StudioReadOnlyApiViewSet, StudioScopedSerializerMixin

from ..issuing import issue_contract, void_contract
from ..models import Contract, ContractTemplate


class StudioContractTemplateSerializer(serializers.ModelSerializer):
    blocks = serializers.SerializerMethodField()

    class Meta:
        model = ContractTemplate
        fields = ["id", "title", "blocks", "created_at", "updated_at"]

    def get_blocks(self, template) -> list[dict]:
        """The template's blocks as stored: heading and paragraph text, list items, signature lines."""
        return [{"type": block["type"], "value": block["value"]} for block in template.body.raw_data]


class StudioContractSerializer(serializers.ModelSerializer):
    body = serializers.CharField(source="body_text", read_only=True)
    sha256 = serializers.CharField(source="body_sha256", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "booking",
            "client",
            "template",
            "version",
            "title",
            "status",
            "body",
            "sha256",
            "token",
            "created_at",
            "sent_at",
            "viewed_at",
            "signed_at",
            "countersigned_at",
            "voided_at",
        ]
        read_only_fields = fields


class IssueContractSerializer(StudioScopedSerializerMixin, serializers.Serializer):
    booking = serializers.PrimaryKeyRelatedField(queryset=Booking.objects.all())
    template = serializers.PrimaryKeyRelatedField(
        queryset=ContractTemplate.objects.all(),
        required=False,
        allow_null=True,
        help_text="Empty: the booking's session type's template.",
    )
    notify = serializers.BooleanField(default=True, help_text="E-mail the client the link to sign.")


class ContractFilter(django_filters.FilterSet):
    booking = IdFilter(field_name="booking_id")
    client = IdFilter(field_name="client_id")

    class Meta:
        model = Contract
        fields = ["status", "booking", "client"]


@extend_schema_view(
    list=extend_schema(summary="List the studio's contract templates"),
    retrieve=extend_schema(summary="Read a contract template"),
)
class ContractTemplateViewSet(StudioReadOnlyApiViewSet):
    model = ContractTemplate
    queryset = ContractTemplate.objects.none()
    serializer_class = StudioContractTemplateSerializer
    ordering_fields = ["id", "title", "updated_at"]


@extend_schema_view(
    list=extend_schema(summary="List issued contracts"),
    retrieve=extend_schema(summary="Read an issued contract"),
)
class ContractViewSet(StudioReadOnlyApiViewSet):
    """Contracts are issued for a booking from a template; a signed one never changes."""

    model = Contract
    queryset = Contract.objects.none()
    serializer_class = StudioContractSerializer
    filterset_class = ContractFilter
    ordering_fields = ["id", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        request=IssueContractSerializer,
        responses={201: StudioContractSerializer},
        summary="Issue a booking's contract (a new version voids the unsigned earlier one)",
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = IssueContractSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        booking = data.validated_data["booking"]
        template = data.validated_data.get("template") or booking.session_type.contract_template
        if template is None:
            fields = {"template": ["The booking's session type has no contract template: name one."]}
            raise ApiError("invalid", "Choose a contract template.", 400, fields=fields)
        contract = issue_contract(booking, template, user=None, notify=data.validated_data["notify"])
        return Response(self.get_serializer(contract).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=StudioContractSerializer, summary="Void an unsigned contract")
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        contract = self.get_object()
        if contract.signed_at is not None:
            raise ApiError("contract_locked", "A signed contract cannot be voided; issue a new version.", 409)
        return Response(self.get_serializer(void_contract(contract)).data)
