from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Proposal


class ProposalPackageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    duration_minutes = serializers.SerializerMethodField()
    price = serializers.IntegerField(help_text="Minor units of `currency`.")
    deposit = serializers.IntegerField(help_text="Minor units of `currency`.")
    location = serializers.CharField()

    def get_duration_minutes(self, package) -> int:
        return int(package.duration.total_seconds() // 60)


class ProposalBookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class ProposalContractSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Sign at `/api/client/contracts/{token}/sign/`.")
    title = serializers.CharField()
    status = serializers.CharField()


class ProposalInvoiceSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Pay at `/api/client/invoices/{token}/checkout/`.")
    status = serializers.CharField()
    currency = serializers.CharField()
    total = serializers.IntegerField()
    next_payment = serializers.IntegerField(allow_null=True)


class ProposalSerializer(serializers.ModelSerializer):
    """The client's view of a proposal; `next_step` says what the page asks of them now."""

    status = serializers.CharField(
        source="current_status", help_text="sent, viewed, accepted, declined, expired or void (withdrawn)."
    )
    studio = serializers.CharField(source="studio.name")
    client_name = serializers.CharField(source="client.name")
    currency = serializers.CharField(source="studio.currency")
    time_zone = serializers.CharField(source="studio.time_zone")
    package = ProposalPackageSerializer(source="session_type")
    client_picks_time = serializers.BooleanField(help_text="True: accepting needs a `start` from the free slots.")
    next_step = serializers.SerializerMethodField()
    booking = ProposalBookingSerializer(allow_null=True)
    contract = serializers.SerializerMethodField()
    invoice = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "status",
            "studio",
            "client_name",
            "currency",
            "time_zone",
            "package",
            "start",
            "client_picks_time",
            "message",
            "expires_at",
            "accepted_at",
            "next_step",
            "booking",
            "contract",
            "invoice",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["accept", "sign", "pay", "done", "closed"]))
    def get_next_step(self, proposal) -> str:
        return self.context["next_step"]

    @extend_schema_field(ProposalContractSerializer(allow_null=True))
    def get_contract(self, proposal):
        contract = self.context["contract"]
        return ProposalContractSerializer(contract).data if contract is not None else None

    @extend_schema_field(ProposalInvoiceSerializer(allow_null=True))
    def get_invoice(self, proposal):
        invoice = self.context["invoice"]
        return ProposalInvoiceSerializer(invoice).data if invoice is not None else None


class AcceptSerializer(serializers.Serializer):
    start = serializers.DateTimeField(
        required=False,
        help_text="The slot the client picked (from `/api/client/availability/`) when the studio left it open.",
    )
