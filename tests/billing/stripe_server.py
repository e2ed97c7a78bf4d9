"""localstripe on 127.0.0.1, plus a small fake of the Stripe endpoints it lacks (tests only).

Run as `python -m tests.billing.stripe_server --port N`. Everything localstripe has (customers,
products, payment methods, PaymentIntents, refunds…) is served by localstripe itself. It lacks
these, so this module answers them with objects shaped as in Stripe's API reference:

    /v1/prices                      (create, retrieve, list by lookup_keys)
    /v1/checkout/sessions           (create, retrieve)
    /v1/billing_portal/sessions     (create)
    /v1/accounts, /v1/account_links (Connect Express accounts and onboarding links)

Test-only controls live under /_config/fake/ (no API key needed, like localstripe's /_config/):
completing a Checkout Session (in payment mode it creates and confirms a real localstripe
PaymentIntent, so refunds go through localstripe) and finishing an account's onboarding."""

import argparse
import secrets
import time

from aiohttp import web
from localstripe import resources
from localstripe.errors import UserError

# One file per process would still be shared with other test runs: keep the store in memory.
resources.Store.dump_to_disk = lambda self: None
resources.Store.try_load_from_disk = lambda self: None

from localstripe import server  # noqa: E402 - after the patch above
from localstripe.server import get_post_data, json_response, unflatten_data  # noqa: E402

FAKE: dict[str, dict] = {}


def _id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def _get(kind: str, object_id: str) -> dict:
    obj = FAKE.get(f"{kind}:{object_id}")
    if obj is None:
        raise UserError(404, f"No such {kind}: '{object_id}'")
    return obj


def _account_header(request) -> str | None:
    return request.headers.get("Stripe-Account")


# --- Prices --------------------------------------------------------------------------


async def create_price(request):
    data = await get_post_data(request) or {}
    resources.Product._api_retrieve(data.get("product", ""))  # 404 for an unknown product
    try:
        amount = int(data["unit_amount"])
        assert amount >= 0 and data.get("currency")
    except (KeyError, ValueError, AssertionError) as exc:
        raise UserError(400, "unit_amount and currency are required") from exc
    lookup_key = data.get("lookup_key")
    if lookup_key:
        for other in [p for k, p in FAKE.items() if k.startswith("price:") and p["lookup_key"] == lookup_key]:
            if str(data.get("transfer_lookup_key")).lower() != "true":
                raise UserError(400, f"A price (`{other['id']}`) already uses that lookup key.")
            other["lookup_key"] = None
    recurring = data.get("recurring")
    price = {
        "id": _id("price_"),
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": int(time.time()),
        "currency": data["currency"].lower(),
        "livemode": False,
        "lookup_key": lookup_key,
        "metadata": data.get("metadata") or {},
        "nickname": data.get("nickname"),
        "product": data["product"],
        "recurring": {
            "interval": recurring["interval"],
            "interval_count": int(recurring.get("interval_count", 1)),
            "usage_type": "licensed",
        }
        if recurring
        else None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": amount,
    }
    FAKE[f"price:{price['id']}"] = price
    return json_response(price)


async def retrieve_price(request):
    return json_response(_get("price", request.match_info["id"]))


async def list_prices(request):
    query = unflatten_data(request.query)
    keys = query.get("lookup_keys")
    keys = list(keys.values()) if isinstance(keys, dict) else keys
    prices = [p for k, p in FAKE.items() if k.startswith("price:")]
    if keys is not None:
        prices = [p for p in prices if p["lookup_key"] in keys]
    if "active" in query:
        prices = [p for p in prices if p["active"] == (str(query["active"]).lower() == "true")]
    limit = int(query.get("limit", 10))
    return json_response(
        {"object": "list", "data": prices[:limit], "has_more": len(prices) > limit, "url": "/v1/prices"}
    )


# --- Checkout and the billing portal ------------------------------------------------


async def create_checkout_session(request):
    data = await get_post_data(request) or {}
    mode = data.get("mode")
    if mode not in ("payment", "subscription"):
        raise UserError(400, "mode must be payment or subscription")
    if not data.get("success_url"):
        raise UserError(400, "Missing required param: success_url.")
    if data.get("customer"):
        resources.Customer._api_retrieve(data["customer"])
    amount_total, currency = 0, None
    for item in data.get("line_items") or []:
        quantity = int(item.get("quantity", 1))
        if "price" in item:
            price = _get("price", item["price"])
            amount_total += price["unit_amount"] * quantity
            currency = price["currency"]
        else:
            price_data = item["price_data"]
            amount_total += int(price_data["unit_amount"]) * quantity
            currency = price_data["currency"].lower()
    session_id = _id("cs_test_")
    payment_intent_data = data.get("payment_intent_data") or {}
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount_total,
        "amount_total": amount_total,
        "cancel_url": data.get("cancel_url"),
        "client_reference_id": data.get("client_reference_id"),
        "created": int(time.time()),
        "currency": currency,
        "customer": data.get("customer"),
        "customer_email": data.get("customer_email"),
        "expires_at": int(time.time()) + 24 * 3600,
        "livemode": False,
        "metadata": data.get("metadata") or {},
        "mode": mode,
        "payment_intent": None,
        "payment_status": "unpaid",
        "status": "open",
        "subscription": None,
        "success_url": data["success_url"],
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        # Not in Stripe's session object; kept so tests can assert what was asked for.
        "_account": _account_header(request),
        "_payment_intent_data": payment_intent_data,
        "_subscription_data": data.get("subscription_data") or {},
    }
    FAKE[f"checkout_session:{session_id}"] = session
    return json_response(_public(session))


def _public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


async def retrieve_checkout_session(request):
    return json_response(_public(_get("checkout_session", request.match_info["id"])))


async def create_portal_session(request):
    data = await get_post_data(request) or {}
    resources.Customer._api_retrieve(data.get("customer", ""))
    session_id = _id("bps_")
    return json_response(
        {
            "id": session_id,
            "object": "billing_portal.session",
            "created": int(time.time()),
            "customer": data["customer"],
            "livemode": False,
            "return_url": data.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/test_{session_id}",
        }
    )


# --- Connect -----------------------------------------------------------------------------


async def create_account(request):
    data = await get_post_data(request) or {}
    if data.get("type") != "express":
        raise UserError(400, "Only Express accounts are faked here.")
    account_id = _id("acct_")[:21]
    account = {
        "id": account_id,
        "object": "account",
        "business_type": None,
        "capabilities": {name: "inactive" for name in (data.get("capabilities") or {})},
        "charges_enabled": False,
        "country": data.get("country", "US"),
        "created": int(time.time()),
        "default_currency": {"GB": "gbp", "US": "usd"}.get(data.get("country", "US"), "eur"),
        "details_submitted": False,
        "email": data.get("email"),
        "metadata": data.get("metadata") or {},
        "payouts_enabled": False,
        "requirements": {"currently_due": ["external_account", "tos_acceptance.date"], "disabled_reason": None},
        "type": "express",
    }
    FAKE[f"account:{account_id}"] = account
    return json_response(account)


async def retrieve_account(request):
    return json_response(_get("account", request.match_info["id"]))


async def create_account_link(request):
    data = await get_post_data(request) or {}
    account = _get("account", data.get("account", ""))
    if data.get("type") != "account_onboarding" or not data.get("return_url") or not data.get("refresh_url"):
        raise UserError(400, "type=account_onboarding, refresh_url and return_url are required")
    now = int(time.time())
    return json_response(
        {
            "object": "account_link",
            "created": now,
            "expires_at": now + 300,
            "url": f"https://connect.stripe.com/setup/e/{account['id']}/{secrets.token_urlsafe(12)}",
        }
    )


# --- Test controls ----------------------------------------------------------------------


async def complete_checkout_session(request):
    """What Stripe does when the customer pays: in payment mode a real localstripe PaymentIntent."""
    session = _get("checkout_session", request.match_info["id"])
    if session["mode"] == "payment":
        card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        method = resources.PaymentMethod(type="card", card=card)
        intent = resources.PaymentIntent._api_create(
            amount=session["amount_total"],
            currency=session["currency"],
            payment_method=method.id,
            metadata=session["_payment_intent_data"].get("metadata") or {},
            confirm=True,
        )
        assert intent.status == "succeeded", intent.status
        session["payment_intent"] = intent.id
    else:
        session["subscription"] = _id("sub_")
    session.update(status="complete", payment_status="paid")
    return json_response(
        {
            **_public(session),
            "_account": session["_account"],
            "_payment_intent_data": session["_payment_intent_data"],
            "_subscription_data": session["_subscription_data"],
        }
    )


async def finish_onboarding(request):
    account = _get("account", request.match_info["id"])
    account.update(charges_enabled=True, payouts_enabled=True, details_submitted=True)
    account["requirements"]["currently_due"] = []
    account["capabilities"] = {name: "active" for name in account["capabilities"]}
    return json_response(account)


async def list_checkout_sessions(request):
    return json_response([k.split(":", 1)[1] for k in FAKE if k.startswith("checkout_session:")])


async def reset(request):
    FAKE.clear()
    resources.store.clear()
    return web.Response()


def build_app():
    app = server.app
    app.router.add_post("/v1/prices", create_price)
    app.router.add_get("/v1/prices", list_prices)
    app.router.add_get("/v1/prices/{id}", retrieve_price)
    app.router.add_post("/v1/checkout/sessions", create_checkout_session)
    app.router.add_get("/v1/checkout/sessions/{id}", retrieve_checkout_session)
    app.router.add_post("/v1/billing_portal/sessions", create_portal_session)
    app.router.add_post("/v1/accounts", create_account)
    app.router.add_get("/v1/accounts/{id}", retrieve_account)
    app.router.add_post("/v1/account_links", create_account_link)
    app.router.add_post("/_config/fake/checkout/sessions/{id}/complete", complete_checkout_session)
    app.router.add_post("/_config/fake/accounts/{id}/finish_onboarding", finish_onboarding)
    app.router.add_get("/_config/fake/checkout/sessions", list_checkout_sessions)
    app.router.add_delete("/_config/fake/data", reset)
    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(build_app(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
