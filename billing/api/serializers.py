"""What a client sees of an invoice through its secret link."""

from rest_framework import serializers

from ..invoicing import next_payment_amount, schedule_with_status, unsigned_contract_for
from ..models import Invoice, InvoiceLine


class InvoiceRefSerializer(serializers.Serializer):
    """An invoice as other client resources point to it: where to pay, and what is due now."""

    token = serializers.CharField()
    status = serializers.CharField()
    currency = serializers.CharField()
    total = serializers.IntegerField()
    next_payment = serializers.IntegerField(allow_null=True)


class InvoiceLineSerializer(serializers.ModelSerializer):
    amount = serializers.IntegerField(read_only=True)

    class Meta:
        model = InvoiceLine
        fields = ["kind", "description", "quantity", "unit_amount", "amount"]


class InstallmentSerializer(serializers.Serializer):
    kind = serializers.CharField(source="installment.kind")
    amount = serializers.IntegerField(source="installment.amount")
    due_date = serializers.DateField(source="installment.due_date")
    paid = serializers.IntegerField()
    outstanding = serializers.IntegerField()


class ClientInvoiceSerializer(serializers.ModelSerializer):
    studio = serializers.CharField(source="studio.name")
    client = serializers.CharField(source="client.name")
    lines = InvoiceLineSerializer(many=True)
    schedule = serializers.SerializerMethodField()
    amount_due = serializers.IntegerField()
    next_payment = serializers.SerializerMethodField()
    contract_to_sign = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "number",
            "status",
            "studio",
            "client",
            "currency",
            "issued_at",
            "due_date",
            "lines",
            "subtotal",
            "tax_rate_bps",
            "tax_amount",
            "total",
            "amount_paid",
            "amount_refunded",
            "amount_due",
            "schedule",
            "next_payment",
            "contract_to_sign",
            "notes",
        ]

    def get_schedule(self, invoice) -> list[dict]:
        return InstallmentSerializer(schedule_with_status(invoice), many=True).data

    def get_next_payment(self, invoice) -> int | None:
        """The amount a checkout started now would charge, or null when nothing can be paid."""
        return next_payment_amount(invoice) if invoice.is_open else None

    def get_contract_to_sign(self, invoice) -> str | None:
        """The token of the booking's contract while it awaits the client's signature: sign it before paying."""
        contract = unsigned_contract_for(invoice) if invoice.is_open else None
        return contract.token if contract else None


class CheckoutSerializer(serializers.Serializer):
    url = serializers.URLField()
