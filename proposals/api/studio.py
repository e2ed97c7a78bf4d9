"""`/api/studio/proposals/`: the studio's proposals for its integrations (API key): list and read them, make one
(a client, a package, a time or "the client picks", a contract template, a note, an expiry), send it, withdraw
it. What the client is asked to pay is the package's (price and deposit in minor units of the studio's
currency); the invoice itself is made when the client accepts (billing's `booking.created` subscriber)."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from bookings.models import SessionType
from contracts.models import ContractTemplate
from crm.models import Client
from frontend_api.idempotency import idempotent
from frontend_api.studio_api import IdFilter, StudioReadOnlyApiViewSet, StudioScopedSerializerMixin

from ..models import Proposal
from ..sending import proposal_link, send_proposal, void_proposal


class StudioProposalSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        source="current_status",
        read_only=True,
        help_text="draft, sent, viewed, accepted, declined, expired (past `expires_at`) or void (withdrawn).",
    )
    package = serializers.IntegerField(source="session_type_id", read_only=True)
    currency = serializers.CharField(source="studio.currency", read_only=True)
    price = serializers.IntegerField(
        source="session_type.price", read_only=True, help_text="The package's price, in minor units of `currency`."
    )
    deposit = serializers.IntegerField(
        source="session_type.deposit",
        read_only=True,
        help_text="What the client pays on accepting, in minor units of `currency` (the package's deposit).",
    )
    url = serializers.SerializerMethodField(help_text="The client's page; null until the proposal is sent.")

    class Meta:
        model = Proposal
        fields = [
            "id",
            "client",
            "package",
            "start",
            "contract_template",
            "message",
            "status",
            "currency",
            "price",
            "deposit",
            "expires_at",
            "url",
            "created_at",
            "sent_at",
            "viewed_at",
            "accepted_at",
            "declined_at",
            "voided_at",
            "booking",
            "contract",
            "invoice",
        ]
        read_only_fields = fields

    def get_url(self, proposal) -> str | None:
        return proposal_link(proposal) if proposal.status != Proposal.Status.DRAFT else None


class CreateProposalSerializer(StudioScopedSerializerMixin, serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    package = serializers.PrimaryKeyRelatedField(
        queryset=SessionType.objects.all(), help_text="The session type offered (an active one)."
    )
    start = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The proposed time; empty: the client picks a free slot."
    )
    contract_template = serializers.PrimaryKeyRelatedField(
        queryset=ContractTemplate.objects.all(),
        required=False,
        allow_null=True,
        help_text="The contract the client signs; empty: the package's own (if any).",
    )
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    send = serializers.BooleanField(default=False, help_text="E-mail the client the link now (else it is a draft).")

    def validate_package(self, package):
        if not package.is_active:
            raise serializers.ValidationError("This package is not offered any more.")
        return package

    def validate_start(self, start):
        if start is not None and start <= timezone.now():
            raise serializers.ValidationError("The proposed time has passed; choose a later one.")
        return start

    def validate_expires_at(self, expires_at):
        if expires_at is not None and expires_at <= timezone.now():
            raise serializers.ValidationError("The expiry has passed; choose a later one.")
        return expires_at


class ProposalFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    package = IdFilter(field_name="session_type_id")

    class Meta:
        model = Proposal
        fields = ["status", "client", "package"]


@extend_schema_view(
    list=extend_schema(summary="List the studio's proposals"),
    retrieve=extend_schema(summary="Read a proposal"),
)
class ProposalViewSet(StudioReadOnlyApiViewSet):
    """A proposal bundles a package, its contract and its invoice behind one link the client accepts, signs and
    pays on (`/proposals/{token}/`, `/api/client/proposals/{token}/`)."""

    model = Proposal
    queryset = Proposal.objects.none()
    serializer_class = StudioProposalSerializer
    filterset_class = ProposalFilter
    ordering_fields = ["id", "created_at", "start"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("studio", "session_type")

    @extend_schema(
        request=CreateProposalSerializer,
        responses={201: StudioProposalSerializer},
        summary="Make a proposal (and send it with `send`)",
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = CreateProposalSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        proposal = Proposal.objects.create(
            studio=self.studio,
            client=values["client"],
            session_type=values["package"],
            start=values.get("start"),
            contract_template=values.get("contract_template"),
            message=values.get("message", ""),
            expires_at=values.get("expires_at"),
        )
        if values["send"]:
            proposal = send_proposal(proposal)
        return Response(self.get_serializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=StudioProposalSerializer,
        summary="Send a proposal's link to the client (again, if it was sent)",
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return Response(self.get_serializer(send_proposal(self.get_object())).data)

    @extend_schema(request=None, responses=StudioProposalSerializer, summary="Withdraw a proposal not yet accepted")
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        return Response(self.get_serializer(void_proposal(self.get_object())).data)
