"""A studio subscribes through Checkout (subscription mode, trial), manages it in the Billing Portal,
and webhooks keep its status and plan in step, whatever order they arrive in.

localstripe has customers and products but no /v1/prices, /v1/checkout/sessions or
/v1/billing_portal/sessions: those are answered by the fake in tests/billing/stripe_server.py."""

import io
import time

import pytest
import requests
from django.core.management import call_command

from billing import limits
from billing.models import StripeEvent, StudioSubscription
from billing.stripe_gateway import StripeUnavailable
from billing.stripe_gateway import client as stripe_client
from billing.subscriptions import SubscriptionError, open_billing_portal, start_subscription_checkout

from .conftest import make_event, public

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(stripe_api, plans):
    call_command("sync_stripe_plans", stdout=io.StringIO())
    for plan in plans.values():
        plan.refresh_from_db()
    return plans


def subscription_object(sub_id, customer, price_id, status, *, period_end=None, trial_end=None):
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": False,
        "trial_end": trial_end,
        "metadata": {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "object": "subscription_item",
                    "price": {"id": price_id, "object": "price"},
                    "current_period_end": period_end or int(time.time()) + 30 * 86400,
                }
            ],
        },
    }


def test_checkout_creates_a_customer_and_a_trial_subscription_session(studio, synced):
    url = start_subscription_checkout(
        studio, synced["professional"], success_url="https://a/ok", cancel_url="https://a/cancel"
    )
    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    sub = StudioSubscription.objects.get(studio=studio)
    assert sub.status == "incomplete" and sub.stripe_customer_id.startswith("cus_")
    customer = stripe_client().v1.customers.retrieve(sub.stripe_customer_id)
    assert customer["metadata"]["studio_id"] == str(studio.pk)
    assert limits.plan_for(studio).code == "starter"  # nothing until Stripe confirms


def test_subscription_checkout_completed_then_updates_keep_status_and_plan(deliver, studio, synced, stripe_api):
    start_subscription_checkout(studio, synced["professional"], success_url="https://a/ok", cancel_url="https://a/c")
    sub = StudioSubscription.objects.get(studio=studio)
    session_id = next(iter(_sessions(stripe_api)))
    session = requests.post(f"{stripe_api}/_config/fake/checkout/sessions/{session_id}/complete", timeout=5).json()
    assert session["_subscription_data"]["trial_period_days"] == "14"

    assert deliver(make_event("checkout.session.completed", public(session))).status_code == 200
    sub.refresh_from_db()
    assert (sub.status, sub.plan.code, sub.stripe_subscription_id) == (
        "trialing",
        "professional",
        session["subscription"],
    )
    assert limits.plan_for(studio).code == "professional"

    # The photographer upgrades in the portal; Stripe sends the new snapshot.
    obj = subscription_object(
        session["subscription"], sub.stripe_customer_id, synced["studio"].stripe_price_id, "active"
    )
    deliver(make_event("customer.subscription.updated", obj))
    sub.refresh_from_db()
    assert (sub.status, sub.plan.code) == ("active", "studio")
    assert sub.current_period_end is not None

    obj["status"] = "canceled"
    deliver(make_event("customer.subscription.deleted", obj))
    sub.refresh_from_db()
    assert sub.status == "cancelled"
    assert limits.is_read_only(studio)


def _sessions(base):
    return requests.get(f"{base}/_config/fake/checkout/sessions", timeout=5).json()


def test_events_out_of_order_end_in_the_right_state(deliver, studio, synced):
    """invoice.paid and subscription.updated arrive before checkout.session.completed; an older
    snapshot arriving last does not roll the status back."""
    start_subscription_checkout(studio, synced["professional"], success_url="https://a/ok", cancel_url="https://a/c")
    sub = StudioSubscription.objects.get(studio=studio)
    now = int(time.time())
    price = synced["professional"].stripe_price_id

    newer = subscription_object("sub_1", sub.stripe_customer_id, price, "active")
    older = subscription_object("sub_1", sub.stripe_customer_id, price, "trialing")
    invoice = {
        "id": "in_1",
        "object": "invoice",
        "customer": sub.stripe_customer_id,
        "subscription": "sub_1",
        "amount_paid": 4900,
        "lines": {"data": [{"period": {"end": now + 30 * 86400}}]},
    }
    session = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "subscription",
        "customer": sub.stripe_customer_id,
        "subscription": "sub_1",
        "metadata": {"studio_id": str(studio.pk), "plan": "professional"},
    }
    deliver(make_event("invoice.paid", invoice, created=now - 5))
    deliver(make_event("customer.subscription.updated", newer, created=now - 3))
    deliver(make_event("customer.subscription.created", older, created=now - 10))
    deliver(make_event("checkout.session.completed", session, created=now - 20))

    sub.refresh_from_db()
    assert (sub.status, sub.plan.code, sub.stripe_subscription_id) == ("active", "professional", "sub_1")
    assert StripeEvent.objects.filter(status="processed").count() == 4


def test_failed_renewal_makes_it_past_due_and_payment_restores_it(deliver, studio, synced):
    sub = StudioSubscription.objects.create(
        studio=studio, plan=synced["professional"], status="active", stripe_customer_id="cus_x"
    )
    now = int(time.time())
    deliver(make_event("invoice.payment_failed", {"id": "in_2", "customer": "cus_x"}, created=now))
    sub.refresh_from_db()
    assert sub.status == "past_due" and not limits.is_read_only(studio)
    deliver(make_event("invoice.paid", {"id": "in_2", "customer": "cus_x", "amount_paid": 4900}, created=now + 1))
    sub.refresh_from_db()
    assert sub.status == "active"


def test_billing_portal_url(studio, synced):
    with pytest.raises(SubscriptionError, match="Choose a plan first"):
        open_billing_portal(studio, return_url="https://a/back")
    start_subscription_checkout(studio, synced["starter"], success_url="https://a/ok", cancel_url="https://a/c")
    url = open_billing_portal(studio, return_url="https://a/back")
    assert url.startswith("https://billing.stripe.com/p/session/test_")


def test_a_plan_not_synced_to_stripe_cannot_be_bought(studio, plans, stripe_api):
    with pytest.raises(SubscriptionError, match="not on sale yet"):
        start_subscription_checkout(studio, plans["studio"], success_url="https://a", cancel_url="https://a")
    assert not StudioSubscription.objects.exists()


def test_stripe_down_is_a_clear_error(studio, synced, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(StripeUnavailable, match="try again"):
        start_subscription_checkout(studio, synced["studio"], success_url="https://a", cancel_url="https://a")
