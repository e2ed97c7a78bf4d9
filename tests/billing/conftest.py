"""Billing fixtures: localstripe (+ the fake of what it lacks) on loopback, signed webhooks, factories."""

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from billing.models import ConnectedAccount, Plan
from tests.factories import ClientFactory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEBHOOK_SECRET = "whsec_test_" + "x" * 24
WEBHOOK_URL = "/billing/stripe/webhook/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stripe_server():
    """localstripe (with tests/billing/stripe_server.py's fake endpoints) in a subprocess on 127.0.0.1."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-m", "tests.billing.stripe_server", "--port", str(port)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.delete(f"{base}/_config/fake/data", timeout=1)
            break
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"localstripe did not start: {proc.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.1)
    yield base
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


@pytest.fixture
def stripe_api(stripe_server, settings):
    """Settings pointed at a fresh localstripe; returns its base URL."""
    requests.delete(f"{stripe_server}/_config/fake/data", timeout=5).raise_for_status()
    settings.STRIPE_SECRET_KEY = "sk_test_focusflow"
    settings.STRIPE_API_BASE = stripe_server
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return stripe_server


@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header exactly as Stripe builds it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def make_event(event_type: str, obj: dict, *, account: str | None = None, created: int | None = None, event_id=None):
    event = {
        "id": event_id or "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": "2025-10-29.clover",
        "created": created or int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    if account:
        event["account"] = account
    return event


def post_event(client, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    payload = json.dumps(event).encode()
    return client.post(
        WEBHOOK_URL,
        data=payload,
        content_type="application/json",
        HTTP_HOST="localhost",
        HTTP_STRIPE_SIGNATURE=sign(payload, secret, timestamp),
    )


def public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


@pytest.fixture
def plans(db):
    return {plan.code: plan for plan in Plan.objects.all()}


def connect(studio, account_id: str = "", **flags) -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        studio=studio,
        stripe_account_id=account_id or "acct_" + secrets.token_hex(8),
        charges_enabled=flags.get("charges_enabled", True),
        payouts_enabled=flags.get("payouts_enabled", True),
        details_submitted=True,
    )


@pytest.fixture
def client_of(db):
    def make(studio, **kwargs):
        return ClientFactory(studio=studio, **kwargs)

    return make


@pytest.fixture
def deliver(client, webhook_secret, django_capture_on_commit_callbacks):
    """Post a signed event as Stripe would, running what the endpoint queued on commit (eager Celery)."""

    def send(event: dict, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_event(client, event, **kwargs)

    return send
