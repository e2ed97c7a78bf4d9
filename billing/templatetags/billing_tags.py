"""Money in templates: integer minor units shown as 1,234.50 GBP; a rate in basis points as a percentage."""

from django import template

from studios.formatting import format_amount
from studios.money import bps_to_percent

register = template.Library()


@register.filter
def money(amount, currency="") -> str:
    return format_amount(amount, currency)


@register.filter
def percent(bps) -> str:
    """2000 → "20 %", 1250 → "12.5 %": photographers read rates as percentages, never basis points."""
    return f"{bps_to_percent(bps)} %"
