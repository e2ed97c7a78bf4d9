"""`/api/studio/invoices/`: the studio's invoices, read-only (they are built and sent in the admin)."""

import django_filters
from rest_framework import serializers

from frontend_api.studio_api import IdFilter, StudioReadOnlyApiViewSet

from ..models import Invoice


class StudioInvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "client",
            "booking",
            "status",
            "currency",
            "subtotal",
            "tax_rate_bps",
            "tax_amount",
            "total",
            "amount_paid",
            "amount_refunded",
            "due_date",
            "issued_at",
            "paid_at",
            "created_at",
        ]
        read_only_fields = fields


class InvoiceFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    booking = IdFilter(field_name="booking_id")

    class Meta:
        model = Invoice
        fields = ["status", "client", "booking"]


class InvoiceViewSet(StudioReadOnlyApiViewSet):
    model = Invoice
    queryset = Invoice.objects.none()
    serializer_class = StudioInvoiceSerializer
    filterset_class = InvoiceFilter
    ordering_fields = ["id", "due_date", "created_at", "total"]
