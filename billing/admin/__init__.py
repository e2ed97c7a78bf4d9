"""Billing in the Wagtail admin: invoices, plan and usage, Stripe Connect, revenue, the Stripe event
ledger, and a lapsed studio's read-only pages. `billing/wagtail_hooks.py` registers them."""
