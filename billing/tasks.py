"""Background work of billing: applying Stripe events and e-mailing invoices, off the request path."""

from celery import shared_task

from . import webhooks
from .invoicing import send_invoice_email  # noqa: F401 - registered with every worker that loads billing.tasks


@shared_task(bind=True, acks_late=True, max_retries=8)
def process_stripe_event(self, event_pk: int) -> str:
    """Idempotent: the ledger row is locked and applied once; a failure retries with backoff."""
    try:
        return webhooks.process_event(event_pk)
    except Exception as exc:
        webhooks.record_failure(event_pk, repr(exc))
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=min(2**self.request.retries * 5, 600)) from exc
