"""Signing and scheduling outgoing webhooks. Each delivery carries two signatures of the same body:

- Stripe's way: `FocusFlow-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`;
- the Standard Webhooks way (https://www.standardwebhooks.com): `webhook-id` (the event id, the same on
  every retry), `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<t>.<body>")>`,
  where the key is the base64 after `whsec_` in the signing secret, so `standardwebhooks.Webhook(secret)`
  verifies it as it is.

Shared by the queueing side (webhooks) and the sending side (tasks)."""

import base64
import binascii
import hashlib
import hmac
import json
import time
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder

SIGNATURE_HEADER = "FocusFlow-Signature"
TOLERANCE_SECONDS = 300
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 6 * 60 * 60


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def standard_key(secret: str) -> bytes:
    """The Standard Webhooks signing key of a secret: the base64 after `whsec_`, decoded. Secrets made before
    these headers were sent are URL-safe base64 (with `-` or `_`); those sign with the secret's own bytes,
    which a receiver passes as `Webhook(secret.encode())`."""
    body = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return secret.encode()


def standard_headers(secret: str, message_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp`, `webhook-signature` of the Standard Webhooks specification."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = base64.b64encode(hmac.new(standard_key(secret), signed, hashlib.sha256).digest()).decode()
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": f"v1,{digest}"}


def verify_signature(secret: str, body: bytes, header: str, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when `header` signs `body` with `secret` and is at most `tolerance` seconds old."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … doubling, at most 6 h."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def encode(payload: dict) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode()
