"""Celery tasks for outgoing webhooks. One attempt per task run; failures are
rescheduled by `retry_due_webhooks` (beat), so retries survive worker restarts
and eager mode never loops."""

import time
import urllib.error
import urllib.request

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .models import WebhookDelivery
from .webhook_signing import MAX_ATTEMPTS, SIGNATURE_HEADER, encode, retry_delay, sign

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
    if not delivery.endpoint.url.startswith(("https://", "http://")):
        delivery.status, delivery.error = WebhookDelivery.Status.FAILED, "Only http(s) addresses receive webhooks."
        delivery.save(update_fields=["status", "error"])
        return
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(delivery.endpoint.secret, body),
            "FocusFlow-Event": delivery.event,
            "FocusFlow-Delivery": str(delivery.pk),
        },
    )
    started = time.perf_counter()
    code, excerpt, error = None, "", ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            code, excerpt = response.status, response.read(2000).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        code, excerpt, error = exc.code, exc.read(2000).decode(errors="replace"), f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
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
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.RETRYING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:500]
    )
    for pk in due:
        deliver_webhook.delay(pk)
    return len(due)
