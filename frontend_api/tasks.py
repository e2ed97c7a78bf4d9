"""Celery tasks for outgoing webhooks. One attempt per task run; failures are
rescheduled by `retry_due_webhooks` (beat), so retries survive worker restarts
and eager mode never loops. And the purge of expired idempotency keys."""

import http.client
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from studios import rls
from studios.background import publish_quietly

from . import outbound
from .idempotency import expired_before
from .models import IdempotentRequest, WebhookDelivery
from .webhook_signing import MAX_ATTEMPTS, SIGNATURE_HEADER, encode, retry_delay, sign, standard_headers

TIMEOUT_SECONDS = 10
USER_AGENT = "FocusFlow-Webhooks/1.0"


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .exclude(status__in=[WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED])
            .first()
        )
        if delivery is None:  # already delivered, given up, or being sent by another worker
            return
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.save(update_fields=["attempts", "last_attempt_at"])

    body = encode(delivery.payload)
    url = delivery.endpoint.url
    if not outbound.scheme_allowed(url):  # registered before https was required, or edited in the database
        delivery.status, delivery.error = WebhookDelivery.Status.FAILED, outbound.scheme_message()
        delivery.save(update_fields=["status", "error"])
        return
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, body),
        "FocusFlow-Event": delivery.event,
        "FocusFlow-Delivery": str(delivery.pk),
        # The same body signed the Standard Webhooks way; the id is the event's, the same on every retry.
        **standard_headers(delivery.endpoint.secret, delivery.event_id, body),
    }
    started = time.perf_counter()
    code, excerpt, error = None, "", ""
    try:
        code, excerpt = outbound.post(url, body, headers, TIMEOUT_SECONDS)
    except outbound.AddressRefused:
        # Nothing was sent; the error does not say what the name resolved to.
        error = outbound.REFUSED
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    if code is not None and not 200 <= code < 300:
        error = f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    delivery.duration_ms = int((time.perf_counter() - started) * 1000)
    delivery.response_code, delivery.response_excerpt, delivery.error = code, excerpt, error

    if code is not None and 200 <= code < 300:
        delivery.status, delivery.next_attempt_at, delivery.error = WebhookDelivery.Status.SUCCEEDED, None, ""
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        delivery.status = WebhookDelivery.Status.RETRYING
        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=["status", "next_attempt_at", "response_code", "response_excerpt", "error", "duration_ms"]
    )


@shared_task(ignore_result=True)
def retry_due_webhooks() -> int:
    """Beat: queue failed deliveries whose time has come, and pending ones nobody sent: their publish after
    commit was lost (Redis down) or their worker died mid-attempt. This sweep, not the publish, is what
    guarantees a committed delivery is attempted."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.WEBHOOK_SWEEP_AFTER_SECONDS)
    never_sent = Q(status=WebhookDelivery.Status.PENDING, created_at__lte=stale) & (
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=stale)
    )
    # A retry in flight (begun after it fell due, within twice the HTTP timeout) is left to finish: no second POST.
    in_flight = Q(
        last_attempt_at__gte=F("next_attempt_at"), last_attempt_at__gt=now - timedelta(seconds=2 * TIMEOUT_SECONDS)
    )
    retry_due = Q(status=WebhookDelivery.Status.RETRYING, next_attempt_at__lte=now) & ~in_flight
    due = list(WebhookDelivery.objects.filter(retry_due | never_sent).values_list("pk", "studio_id")[:500])
    for pk, studio_id in due:
        with rls.studio(studio_id):  # the sweep sees every studio; each delivery only its own (studios/rls.py)
            publish_quietly(deliver_webhook, pk)
    return len(due)


@shared_task(ignore_result=True)
def purge_expired_idempotency_keys() -> int:
    """Stored answers older than IDEMPOTENCY_KEY_TTL_HOURS: their keys may be used again (frontend_api.idempotency)."""
    return IdempotentRequest.objects.filter(created_at__lt=expired_before()).delete()[0]
