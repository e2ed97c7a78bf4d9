"""Money in templates: integer minor units shown as 1,234.50 GBP."""

from django import template

register = template.Library()


@register.filter
def money(amount, currency="") -> str:
    amount = int(amount or 0)
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole:,}.{cents:02d} {str(currency).upper()}".strip()
