"""Money as people write it: amounts typed and shown in major units ("250" or "249.99" pounds, "5000" yen), stored
as integer minor units in the currency's own exponent; tax typed as a percentage, stored in basis points.

Decimal throughout, never float. The exponents are ISO 4217's (as Stripe uses them: JPY has no minor unit)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

# Currencies with no minor unit, and those with three decimals (Stripe lists the same).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def decimals(currency: str) -> int:
    currency = (currency or "").upper()
    if currency in ZERO_DECIMAL_CURRENCIES:
        return 0
    if currency in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def to_minor(amount, currency: str) -> int:
    """Decimal('249.99'), 'GBP' → 24999; Decimal('5000'), 'JPY' → 5000. Refuses more decimals than the currency has."""
    amount = Decimal(amount)
    places = decimals(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"{currency.upper()} amounts have at most {places} decimal places.")
    return int((amount * (10**places)).to_integral_value())


def to_major(minor_units: int, currency: str) -> Decimal:
    """24999, 'GBP' → Decimal('249.99'); 5000, 'JPY' → Decimal('5000')."""
    places = decimals(currency)
    return (Decimal(int(minor_units)) / (10**places)).quantize(Decimal(1).scaleb(-places))


def bps_to_percent(bps: int) -> Decimal:
    """2000 → Decimal('20'); 1250 → Decimal('12.5')."""
    percent = Decimal(int(bps or 0)) / 100
    return percent.quantize(Decimal(1)) if percent == percent.to_integral_value() else percent.normalize()


def percent_to_bps(percent) -> int:
    return int((Decimal(percent) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class MoneyField(forms.DecimalField):
    """A form field in the currency's major units whose cleaned value is integer minor units (the model's)."""

    def __init__(self, currency: str, **kwargs):
        self.currency = (currency or "USD").upper()
        places = decimals(self.currency)
        kwargs.setdefault("min_value", Decimal(0))
        example = "25000" if places == 0 else "250 or 249.99"
        kwargs.setdefault("help_text", f"In {self.currency}, e.g. {example}.")
        super().__init__(max_digits=14, decimal_places=places, **kwargs)

    def prepare_value(self, value):
        # The model's integer (initial) shows in major units; what the photographer typed shows as typed.
        if isinstance(value, int) and not isinstance(value, bool):
            return to_major(value, self.currency)
        return value

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else to_minor(amount, self.currency)

    def has_changed(self, initial, data):
        try:
            amount = forms.DecimalField.to_python(self, data)
        except ValidationError:
            return True
        try:
            new = None if amount is None else to_minor(amount, self.currency)
        except (ValueError, InvalidOperation):
            return True
        return initial != new


class PercentBpsField(forms.DecimalField):
    """A percentage typed as people write it ("20", "12.5") whose cleaned value is basis points (2000, 1250)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(100))
        kwargs.setdefault("help_text", "A percentage, e.g. 20 for 20 %.")
        super().__init__(max_digits=5, decimal_places=2, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return bps_to_percent(value)
        return value

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else percent_to_bps(percent)

    def has_changed(self, initial, data):
        try:
            percent = forms.DecimalField.to_python(self, data)
        except ValidationError:
            return True
        return initial != (None if percent is None else percent_to_bps(percent))


def use_money_fields(form, currency: str, money=(), percent_bps=()):
    """Swap a model form's integer fields for MoneyField / PercentBpsField, keeping label, required and help."""
    for name in money:
        old = form.fields.get(name)
        if old is not None:
            form.fields[name] = MoneyField(
                currency, label=f"{old.label} ({currency.upper()})", required=old.required, initial=old.initial
            )
    for name in percent_bps:
        old = form.fields.get(name)
        if old is not None:
            form.fields[name] = PercentBpsField(label="Tax rate (%)", required=old.required, initial=old.initial)
