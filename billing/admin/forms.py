"""The invoice form: the photographer's own clients and bookings, lines that cannot total below zero."""

from studios.admin_viewsets import StudioOwnedAdminForm
from studios.models import studio_currency
from studios.money import use_money_fields

from ..models import InvoiceLine


class _MoneyLineMixin:
    """A line of the invoice: its unit amount typed in the invoice's currency (the formset passes it)."""

    def __init__(self, *args, currency="USD", **kwargs):
        super().__init__(*args, **kwargs)
        use_money_fields(self, currency, money=("unit_amount",))


class InvoiceAdminForm(StudioOwnedAdminForm):
    """Clients and bookings to choose from are the photographer's own (StudioOwnedAdminForm)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        booking = self.fields["booking"]
        booking.queryset = booking.queryset.select_related("client", "session_type")
        # Amounts in pounds (the invoice's currency, else the studio's) and tax as a percentage; stored as today
        # in minor units and basis points.
        currency = self.instance.currency or studio_currency(self.studio_id)
        use_money_fields(self, currency, percent_bps=("tax_rate_bps",))
        lines = self.formsets["lines"]
        lines.form = type("InvoiceLineMoneyForm", (_MoneyLineMixin, lines.form), {})
        lines.form_kwargs = {**lines.form_kwargs, "currency": currency}

    def is_valid(self):
        # The lines are formsets, validated after the form's own clean(): check the total once both are.
        if not super().is_valid():
            return False
        total = 0
        for form in self.formsets["lines"].forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE") and data.get("unit_amount") is not None:
                sign = -1 if data.get("kind") == InvoiceLine.Kind.DISCOUNT else 1
                total += sign * data["unit_amount"] * (data.get("quantity") or 0)
        if total < 0:
            self.add_error(None, "Discounts are larger than the invoice; the total cannot be negative.")
            return False
        return True

    def clean(self):
        cleaned = super().clean()
        booking, client = cleaned.get("booking"), cleaned.get("client")
        if booking and client and booking.client_id != client.pk:
            self.add_error("booking", "This booking is for another client.")
        return cleaned
