"""Outgoing webhooks: signed like Stripe's, delivered by Celery, retried with back-off.

Signature header: `FocusFlow-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
Receivers verify it with `verify_signature()` (or the snippet in docs/api.md)."""

import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from studios.models import Studio

from .models import WebhookDelivery, WebhookEndpoint

SIGNATURE_HEADER = "FocusFlow-Signature"
TOLERANCE_SECONDS = 300
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 6 * 60 * 60


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


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


def emit(studio: Studio, event: str, data) -> list[WebhookDelivery]:
    """Queue `event` for every endpoint of the studio that wants it; sending starts once the transaction
    commits. `data` may be a callable, built only when some endpoint wants the event."""
    endpoints = [e for e in WebhookEndpoint.objects.for_studio(studio).filter(is_active=True) if e.wants(event)]
    if not endpoints:
        return []
    if callable(data):
        data = data()
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {"id": event_id, "type": event, "created": timezone.now(), "studio": studio.slug, "data": data}
    # Round-trip through JSON so what is stored is exactly what is sent.
    payload = json.loads(encode(payload))
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(studio=studio, endpoint=e, event_id=event_id, event=event, payload=payload) for e in endpoints
    )
    from .tasks import deliver_webhook

    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: deliver_webhook.delay(pk))
    return deliveries


def resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again as a new attempt series (the admin's “Resend”)."""
    from .tasks import deliver_webhook

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=None, error=""
    )
    transaction.on_commit(lambda: deliver_webhook.delay(delivery.pk))
    delivery.refresh_from_db()
    return delivery


def on_domain_event(studio: Studio, event: str, obj, **context) -> None:
    """studios.events subscriber to every topic, inside the publisher's transaction: the delivery rows commit
    with what happened, and sending starts on commit (see `emit`)."""
    from .payloads import payload_for

    emit(studio, event, lambda: payload_for(event, obj))
