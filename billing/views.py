"""The Stripe webhook endpoint: verify, store in the ledger, hand to Celery, answer at once."""

import logging

import stripe
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from studios import rls

from . import webhooks
from .models import StripeEvent
from .tasks import process_stripe_event

logger = logging.getLogger(__name__)


def _enqueue(event_pk: int) -> None:
    try:
        process_stripe_event.delay(event_pk)
    except Exception:
        # The event is in the ledger; Stripe's redelivery or the next replay picks it up again.
        logger.exception("Could not apply Stripe event %s now", event_pk)


# Every studio's rows: an event names its studio (account, payment, subscription) only once it is read, and
# applying it finds the payment by Stripe's ids; its task inherits this scope.
@rls.across_studios
@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event, created = webhooks.record_event(request.body, request.headers.get("Stripe-Signature"))
    except webhooks.InvalidEvent as exc:
        logger.warning("Refused a signed Stripe webhook: %s", exc)
        return JsonResponse({"error": {"code": "invalid_event", "message": f"Event refused: {exc}."}}, status=400)
    except (ValueError, KeyError, stripe.SignatureVerificationError) as exc:
        logger.warning("Rejected a Stripe webhook: %s", exc)
        return JsonResponse(
            {"error": {"code": "bad_signature", "message": "Signature missing, wrong or stale."}}, status=400
        )
    if created or event.status in (StripeEvent.Status.RECEIVED, StripeEvent.Status.FAILED):
        transaction.on_commit(lambda: _enqueue(event.pk))
    return JsonResponse({"received": True, "duplicate": not created})
