"""Background work of billing: applying Stripe events and e-mailing invoices, off the request path."""

import logging

from celery import shared_task

from studios.background import publish_quietly

from . import webhooks
from .invoicing import send_invoice_email  # noqa: F401 - registered with every worker that loads billing.tasks

logger = logging.getLogger(__name__)


# ignore_result: publishing then never waits on the result backend (a Redis outage would hold it for 20 s).
@shared_task(acks_late=True, ignore_result=True)
def process_stripe_event(event_pk: int) -> str:
    """One attempt at applying a ledger row; idempotent (the row is locked and applied once).

    A failure is recorded on the row with its next attempt time, and `retry_due_stripe_events` queues it again.
    Recording is itself guarded: when the database is what failed, the row keeps its old schedule and the
    sweeper still finds it, so nothing here can stop a retry."""
    try:
        return webhooks.process_event(event_pk)
    except Exception as exc:
        logger.warning("Stripe event %s failed; it will be retried", event_pk, exc_info=True)
        try:
            return webhooks.record_failure(event_pk, repr(exc)) or "failed"
        except Exception:
            logger.exception("Could not record the failure of Stripe event %s; the sweeper retries it", event_pk)
            return "failed"


@shared_task(ignore_result=True)
def retry_due_stripe_events() -> int:
    """Beat: queue the ledger rows that are due (see webhooks.claim_due_events)."""
    due = webhooks.claim_due_events()
    for event_pk in due:
        publish_quietly(process_stripe_event, event_pk)
    return len(due)
