"""The studio's platform subscription: Checkout to subscribe, the Billing Portal to manage it,
and applying Stripe's subscription snapshots from webhooks."""

from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction

from studios.errors import CONFLICT, DomainMessageError
from studios.models import Studio

from . import stripe_gateway
from .models import Plan, StudioSubscription

STRIPE_STATUS = {
    "incomplete": StudioSubscription.Status.INCOMPLETE,
    "incomplete_expired": StudioSubscription.Status.CANCELLED,
    "trialing": StudioSubscription.Status.TRIALING,
    "active": StudioSubscription.Status.ACTIVE,
    "past_due": StudioSubscription.Status.PAST_DUE,
    # Stripe stopped retrying the card: read-only like a pause until it is paid.
    "unpaid": StudioSubscription.Status.PAUSED,
    "paused": StudioSubscription.Status.PAUSED,
    "canceled": StudioSubscription.Status.CANCELLED,
}


class SubscriptionError(DomainMessageError):
    """A subscription action the photographer asked for cannot be done; the message says why."""

    code = "subscription_error"
    kind = CONFLICT


def from_timestamp(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def subscription_for(studio: Studio) -> StudioSubscription:
    """The studio's subscription row, created (incomplete, on the default plan) on first use."""
    subscription, _ = StudioSubscription.objects.get_or_create(
        studio=studio, defaults={"plan": Plan.objects.get(code=settings.BILLING_DEFAULT_PLAN)}
    )
    return subscription


def ensure_customer(studio: Studio) -> StudioSubscription:
    subscription = subscription_for(studio)
    if not subscription.stripe_customer_id:
        # Created before Checkout, so every later event finds the studio by its customer id,
        # whichever order the events arrive in.
        subscription.stripe_customer_id = stripe_gateway.create_customer(
            studio.contact_email, studio.name, {"studio_id": str(studio.pk)}
        )
        subscription.save(update_fields=["stripe_customer_id", "updated_at"])
    return subscription


def start_subscription_checkout(studio: Studio, plan: Plan, *, success_url: str, cancel_url: str) -> str:
    """A Stripe Checkout URL (subscription mode, with the plan's trial) for `plan`."""
    if not plan.stripe_price_id:
        raise SubscriptionError(f"The {plan.name} plan is not on sale yet (run manage.py sync_stripe_plans).")
    subscription = ensure_customer(studio)
    if subscription.stripe_subscription_id and subscription.status != StudioSubscription.Status.CANCELLED:
        raise SubscriptionError("You already have a subscription; change plans in the billing portal.")
    trial = plan.trial_days if subscription.trial_end is None else 0  # one trial per studio
    session = stripe_gateway.create_subscription_checkout(
        customer_id=subscription.stripe_customer_id,
        price_id=plan.stripe_price_id,
        trial_days=trial,
        metadata={"studio_id": str(studio.pk), "plan": plan.code},
        success_url=success_url,
        cancel_url=cancel_url,
    )
    return session["url"]


def open_billing_portal(studio: Studio, *, return_url: str) -> str:
    subscription = StudioSubscription.objects.filter(studio=studio).exclude(stripe_customer_id="").first()
    if subscription is None:
        raise SubscriptionError("Choose a plan first; the billing portal opens once you have subscribed.")
    return stripe_gateway.create_billing_portal_session(subscription.stripe_customer_id, return_url)


# --- Webhook side ---------------------------------------------------------------


def locked_subscription(*, customer_id: str = "", studio_id: str = "") -> StudioSubscription | None:
    qs = StudioSubscription.objects.select_for_update()
    found = qs.filter(stripe_customer_id=customer_id).first() if customer_id else None
    if found is None and studio_id:
        found = qs.filter(studio_id=studio_id).first()
    return found


def _plan_from_items(obj: dict) -> Plan | None:
    for item in (obj.get("items") or {}).get("data", []):
        price = item.get("price") or {}
        plan = Plan.objects.filter(stripe_price_id=price.get("id")).first()
        if plan is not None:
            return plan
    return None


def _period_end(obj: dict):
    # API versions from 2025 carry the period on the items; older ones on the subscription.
    end = obj.get("current_period_end")
    for item in (obj.get("items") or {}).get("data", []):
        end = end or item.get("current_period_end")
    return from_timestamp(end)


@transaction.atomic
def apply_subscription_snapshot(subscription: StudioSubscription, obj: dict, event_created: datetime) -> bool:
    """Apply a Stripe Subscription object unless a newer one was applied already. Returns whether it applied."""
    if subscription.stripe_state_at and event_created < subscription.stripe_state_at:
        return False
    subscription.stripe_subscription_id = obj["id"]
    subscription.status = STRIPE_STATUS.get(obj.get("status"), subscription.status)
    subscription.plan = _plan_from_items(obj) or subscription.plan
    subscription.current_period_end = _period_end(obj) or subscription.current_period_end
    subscription.trial_end = from_timestamp(obj.get("trial_end")) or subscription.trial_end
    subscription.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    subscription.stripe_state_at = event_created
    subscription.save()
    return True
