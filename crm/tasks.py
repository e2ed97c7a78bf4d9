"""CRM e-mails: written to the outbox (studios.outbox) in the transaction that records the inquiry."""

from celery import shared_task

from studios.outbox import queue_studio_mail

from .clients import photographer_addresses
from .models import Inquiry


def mail_photographer_about_inquiry(inquiry: Inquiry) -> bool:
    """Queue "a new inquiry" for the photographer; once per inquiry however often it is called."""
    recipients = photographer_addresses(inquiry.studio)
    if not recipients:
        return False
    context = {"inquiry": inquiry, "client": inquiry.client, "studio": inquiry.studio}
    queue_studio_mail(
        inquiry.studio,
        recipients,
        "crm_inquiry",
        context,
        key=f"inquiry:{inquiry.pk}:crm_inquiry",
        about=inquiry,
        reply_to=[inquiry.client.email],
    )
    return True


@shared_task(acks_late=True, ignore_result=True)
def notify_photographer_of_inquiry(inquiry_id: int) -> bool:
    """Kept for messages queued before the outbox: the outbox key makes it a no-op if the e-mail exists."""
    inquiry = Inquiry.objects.select_related("client", "studio", "session_type").filter(pk=inquiry_id).first()
    return inquiry is not None and mail_photographer_about_inquiry(inquiry)
