"""Billing endpoints: the Stripe webhook (issue: Stripe billing)."""

from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook")]
