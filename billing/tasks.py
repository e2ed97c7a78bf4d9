"""Background work of billing: applying Stripe events and e-mailing invoices, off the request path."""

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


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_invoice_email(invoice_id: int, link: str) -> None:
    """The e-mail with the invoice's secret link (billing.invoicing.send_invoice queues it on commit)."""
    from .invoicing import mail_invoice

    mail_invoice(invoice_id, link)
