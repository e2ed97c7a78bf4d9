"""Background work of billing: applying Stripe events off the request path."""

from celery import shared_task

from . import webhooks


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
