from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.api.serializers import InvoiceRefSerializer
from billing.invoicing import invoice_summary_for_booking

from ..models import Contract


class ContractSerializer(serializers.ModelSerializer):
    body = serializers.CharField(source="body_text")
    sha256 = serializers.CharField(source="body_sha256")
    client = serializers.SerializerMethodField()
    booking = serializers.SerializerMethodField()
    studio = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()
    invoice = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "title", "version", "status", "body", "sha256", "client", "booking", "studio",
            "signatures", "sent_at", "viewed_at", "signed_at", "countersigned_at", "invoice",
        ]  # fmt: skip

    def get_client(self, contract) -> dict:
        return {"name": contract.client.name}

    def get_booking(self, contract) -> dict:
        booking = contract.booking
        return {
            "start": booking.start,
            "local_start": booking.local_start.isoformat(),
            "session_type": booking.session_type.name,
            "status": booking.status,
        }

    def get_studio(self, contract) -> dict:
        return {"name": contract.studio.name}

    def get_signatures(self, contract) -> list[dict]:
        return [
            {"party": s.party, "typed_name": s.typed_name, "signed_at": s.signed_at} for s in contract.signatures.all()
        ]

    @extend_schema_field(InvoiceRefSerializer(allow_null=True))
    def get_invoice(self, contract) -> dict | None:
        """The booking's invoice: what the client pays once they have signed."""
        return invoice_summary_for_booking(contract.booking)


class SignSerializer(serializers.Serializer):
    typed_name = serializers.CharField(max_length=200)
    signature_image = serializers.CharField(help_text="The drawn signature: data:image/png;base64,…")
    consent = serializers.BooleanField(help_text="I agree to sign this contract electronically.")
    sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="The `sha256` of the text the client read.")
