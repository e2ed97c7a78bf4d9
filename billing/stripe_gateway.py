"""The one place FocusFlow talks to Stripe (official SDK, `StripeClient`).

Everything else calls these functions with our models and gets plain values back,
so tests point `STRIPE_API_BASE` at localstripe and the rest of the code never knows."""

import logging
from typing import Any

import stripe
from django.conf import settings

from studios.errors import UNAVAILABLE, DomainMessageError

logger = logging.getLogger(__name__)


class StripeUnavailable(DomainMessageError):
    """Stripe refused or could not be reached; the message is safe to show a user."""

    code = "payment_provider_unavailable"
    kind = UNAVAILABLE


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise StripeUnavailable("Payments are not configured on this server (STRIPE_SECRET_KEY is empty).")
    base = {"api": settings.STRIPE_API_BASE, "connect": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2)


def _call(what: str, fn, *args, **kwargs) -> dict[str, Any]:
    try:
        return fn(*args, **kwargs).to_dict(for_json=True)
    except stripe.StripeError as exc:
        logger.warning("Stripe %s failed: %s", what, exc)
        message = "Stripe could not complete the request; try again shortly."
        if isinstance(exc, stripe.CardError | stripe.InvalidRequestError) and exc.user_message:
            message = exc.user_message
        raise StripeUnavailable(message) from exc


def _on(account_id: str | None) -> dict:
    return {"stripe_account": account_id} if account_id else {}


# --- Plans (products and prices) ----------------------------------------------


def retrieve_product(product_id: str) -> dict | None:
    try:
        return client().v1.products.retrieve(product_id).to_dict(for_json=True)
    except stripe.InvalidRequestError:
        return None


def create_product(product_id: str, name: str, metadata: dict) -> dict:
    return _call("product create", client().v1.products.create, {"id": product_id, "name": name, "metadata": metadata})


def update_product(product_id: str, name: str) -> dict:
    return _call("product update", client().v1.products.update, product_id, {"name": name})


def find_price_by_lookup_key(lookup_key: str) -> dict | None:
    found = _call("price list", client().v1.prices.list, {"lookup_keys": [lookup_key], "active": True, "limit": 1})
    return found["data"][0] if found["data"] else None


def create_monthly_price(product_id: str, amount: int, currency: str, lookup_key: str) -> dict:
    params = {
        "product": product_id,
        "unit_amount": amount,
        "currency": currency,
        "recurring": {"interval": "month"},
        "lookup_key": lookup_key,
        # A changed price takes the key over, so the old one stops being found.
        "transfer_lookup_key": True,
    }
    return _call("price create", client().v1.prices.create, params)


# --- Studio subscriptions -------------------------------------------------------


def create_customer(email: str, name: str, metadata: dict) -> str:
    params = {"email": email, "name": name, "metadata": metadata} if email else {"name": name, "metadata": metadata}
    return _call("customer create", client().v1.customers.create, params)["id"]


def create_subscription_checkout(
    *, customer_id: str, price_id: str, trial_days: int, metadata: dict, success_url: str, cancel_url: str
) -> dict:
    params = {
        "mode": "subscription",
        "customer": customer_id,
        "line_items": [{"price": price_id, "quantity": 1}],
        "client_reference_id": metadata["studio_id"],
        "metadata": metadata,
        "subscription_data": {"metadata": metadata, **({"trial_period_days": trial_days} if trial_days else {})},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    return _call("checkout session create", client().v1.checkout.sessions.create, params)


def create_billing_portal_session(customer_id: str, return_url: str) -> str:
    params = {"customer": customer_id, "return_url": return_url}
    return _call("billing portal session", client().v1.billing_portal.sessions.create, params)["url"]


# --- Connect ----------------------------------------------------------------------


def create_express_account(email: str, country: str, metadata: dict) -> dict:
    params = {
        "type": "express",
        "country": country,
        "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
        "metadata": metadata,
    }
    if email:
        params["email"] = email
    return _call("account create", client().v1.accounts.create, params)


def retrieve_account(account_id: str) -> dict:
    return _call("account retrieve", client().v1.accounts.retrieve, account_id)


def create_account_link(account_id: str, refresh_url: str, return_url: str) -> str:
    params = {"account": account_id, "refresh_url": refresh_url, "return_url": return_url, "type": "account_onboarding"}
    return _call("account link", client().v1.account_links.create, params)["url"]


# --- Client payments ----------------------------------------------------------------


def create_payment_checkout(
    *,
    account_id: str,
    amount: int,
    currency: str,
    description: str,
    application_fee_amount: int,
    customer_email: str,
    metadata: dict,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> dict:
    """A Checkout Session in payment mode on the studio's connected account (a direct charge)."""
    params = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {"currency": currency, "unit_amount": amount, "product_data": {"name": description}},
                "quantity": 1,
            }
        ],
        "payment_intent_data": {"application_fee_amount": application_fee_amount, "metadata": metadata},
        "metadata": metadata,
        "client_reference_id": metadata["invoice_id"],
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if customer_email:
        params["customer_email"] = customer_email
    options = {**_on(account_id), "idempotency_key": idempotency_key}
    return _call("checkout session create", client().v1.checkout.sessions.create, params, options)


def retrieve_checkout_session(session_id: str, account_id: str | None) -> dict:
    return _call("checkout session retrieve", client().v1.checkout.sessions.retrieve, session_id, None, _on(account_id))


def refund_payment(*, account_id: str, payment_intent_id: str, amount: int, idempotency_key: str) -> dict:
    params = {"payment_intent": payment_intent_id, "amount": amount}
    options = {**_on(account_id), "idempotency_key": idempotency_key}
    return _call("refund create", client().v1.refunds.create, params, options)


# --- Webhooks -----------------------------------------------------------------------


def verify_webhook(payload: bytes, signature: str | None) -> dict:
    """The verified event as a dict; raises ValueError or SignatureVerificationError when it is not Stripe's."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise stripe.SignatureVerificationError("No webhook secret is configured.", signature)
    event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    return event.to_dict(for_json=True)
