"""Billing endpoints: the Stripe webhook (issue: Stripe billing)."""

app_name = "billing"

urlpatterns: list = []
