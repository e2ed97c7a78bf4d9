"""Publishing the plans to Stripe as Products and monthly Prices (idempotent)."""

from . import stripe_gateway
from .models import Plan


def product_id_for(plan: Plan) -> str:
    return f"focusflow_{plan.code}"


def lookup_key_for(plan: Plan) -> str:
    return f"focusflow_{plan.code}_monthly"


def sync_plan(plan: Plan) -> list[str]:
    """Make Stripe match the plan; returns what changed (empty when it already matched)."""
    changes = []
    product_id = product_id_for(plan)
    product = stripe_gateway.retrieve_product(product_id)
    if product is None:
        stripe_gateway.create_product(product_id, f"FocusFlow {plan.name}", {"plan": plan.code})
        changes.append(f"created product {product_id}")
    elif product.get("name") != f"FocusFlow {plan.name}":
        stripe_gateway.update_product(product_id, f"FocusFlow {plan.name}")
        changes.append(f"renamed product {product_id}")

    price = stripe_gateway.find_price_by_lookup_key(lookup_key_for(plan))
    same = (
        price is not None
        and price.get("unit_amount") == plan.monthly_price
        and price.get("currency") == plan.currency
        and (price.get("recurring") or {}).get("interval") == "month"
        and price.get("product") == product_id
    )
    if not same:
        # Stripe prices are immutable: a new amount is a new price that takes over the lookup key.
        price = stripe_gateway.create_monthly_price(product_id, plan.monthly_price, plan.currency, lookup_key_for(plan))
        changes.append(f"created price {price['id']} ({plan.monthly_price} {plan.currency}/month)")
    if (plan.stripe_product_id, plan.stripe_price_id) != (product_id, price["id"]):
        plan.stripe_product_id, plan.stripe_price_id = product_id, price["id"]
        plan.save(update_fields=["stripe_product_id", "stripe_price_id"])
    return changes
