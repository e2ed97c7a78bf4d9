"""Outgoing webhooks: signed like Stripe's, delivered by Celery, retried with back-off.

Signature header: `FocusFlow-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
Receivers verify it with `verify_signature()` (or the snippet in docs/api.md)."""

import json
import uuid

from django.utils import timezone

from studios.background import queue_after_commit
from studios.models import Studio

from .models import WebhookDelivery, WebhookEndpoint
from .payloads import payload_for
from .tasks import deliver_webhook
from .webhook_signing import MAX_ATTEMPTS, SIGNATURE_HEADER, encode, sign, verify_signature

__all__ = ["MAX_ATTEMPTS", "SIGNATURE_HEADER", "emit", "encode", "resend", "sign", "verify_signature"]


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
    for delivery in deliveries:
        # Never fails the caller: with Redis down the row stays pending and retry_due_webhooks sends it.
        queue_after_commit(deliver_webhook, delivery.pk)
    return deliveries


def resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again as a new attempt series (the admin's “Resend”)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=None, error=""
    )
    queue_after_commit(deliver_webhook, delivery.pk)
    delivery.refresh_from_db()
    return delivery


def on_domain_event(studio: Studio, event: str, obj, **context) -> None:
    """studios.events subscriber to every topic, inside the publisher's transaction: the delivery rows commit
    with what happened, and sending starts on commit (see `emit`)."""
    emit(studio, event, lambda: payload_for(event, obj))
