"""Stripe Connect: the studio's Express account, its onboarding link and its status."""

from datetime import datetime

from django.conf import settings

from studios.models import Studio

from . import stripe_gateway
from .models import ConnectedAccount


def start_onboarding(studio: Studio, *, refresh_url: str, return_url: str) -> str:
    """An Express onboarding URL; creates the connected account on first use."""
    account = ConnectedAccount.objects.filter(studio=studio).first()
    if account is None:
        created = stripe_gateway.create_express_account(
            studio.contact_email, settings.STRIPE_CONNECT_COUNTRY, {"studio_id": str(studio.pk)}
        )
        account = ConnectedAccount.objects.create(studio=studio, stripe_account_id=created["id"])
        apply_account_snapshot(account, created)
    return stripe_gateway.create_account_link(account.stripe_account_id, refresh_url, return_url)


def refresh_account(account: ConnectedAccount) -> ConnectedAccount:
    """Ask Stripe for the account's state (on return from onboarding)."""
    apply_account_snapshot(account, stripe_gateway.retrieve_account(account.stripe_account_id))
    return account


def apply_account_snapshot(account: ConnectedAccount, obj: dict, event_created: datetime | None = None) -> bool:
    if event_created and account.stripe_state_at and event_created < account.stripe_state_at:
        return False
    account.charges_enabled = bool(obj.get("charges_enabled"))
    account.payouts_enabled = bool(obj.get("payouts_enabled"))
    account.details_submitted = bool(obj.get("details_submitted"))
    account.country = obj.get("country") or account.country
    account.default_currency = obj.get("default_currency") or account.default_currency
    if event_created:
        account.stripe_state_at = event_created
    account.save()
    return True
