"""Billing in the Wagtail admin: invoices, plan and usage, Stripe Connect, revenue, the Stripe event
ledger, and a lapsed studio's read-only pages. `billing/wagtail_hooks.py` registers them."""

# The platform admin's (/django-admin/) view of the Stripe ledger: Django's admin autodiscovers this package.
from . import platform  # noqa: E402, F401
