"""Money in templates: integer minor units shown as 1,234.50 GBP."""

from django import template

from studios.formatting import format_amount

register = template.Library()


@register.filter
def money(amount, currency="") -> str:
    return format_amount(amount, currency)
