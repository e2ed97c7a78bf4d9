"""The Stripe webhook endpoint: verify, commit to the ledger, hand to Celery, answer at once.

Stripe does not redeliver an event it got 200 for, so 200 means "committed": the ledger row is written in its
own transaction before the answer. Queueing the task cannot fail or hold up the answer (a broker outage leaves
the row `received` and the sweeper, `billing.tasks.retry_due_stripe_events`, applies it later)."""

import logging

import stripe
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from studios import rls
from studios.background import queue_after_commit

from . import webhooks
from .tasks import process_stripe_event

logger = logging.getLogger(__name__)


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
    if created or event.status in webhooks.UNFINISHED:
        queue_after_commit(process_stripe_event, event.pk)
    return JsonResponse({"received": True, "duplicate": not created})
