"""What a client sees of an invoice through its secret link."""

from rest_framework import serializers

from ..invoicing import next_payment_amount, schedule_with_status
from ..models import Invoice, InvoiceLine


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
            "notes",
        ]

    def get_schedule(self, invoice) -> list[dict]:
        return InstallmentSerializer(schedule_with_status(invoice), many=True).data

    def get_next_payment(self, invoice) -> int | None:
        """The amount a checkout started now would charge, or null when nothing can be paid."""
        return next_payment_amount(invoice) if invoice.is_open else None


class CheckoutSerializer(serializers.Serializer):
    url = serializers.URLField()
