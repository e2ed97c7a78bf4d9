"""CRM background work: e-mails off the request path."""

from celery import shared_task

from studios.mail import send_studio_mail

from .clients import photographer_addresses
from .models import Inquiry


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def notify_photographer_of_inquiry(inquiry_id: int) -> bool:
    inquiry = Inquiry.objects.select_related("client", "studio", "session_type").filter(pk=inquiry_id).first()
    if inquiry is None:
        return False
    recipients = photographer_addresses(inquiry.studio)
    if not recipients:
        return False
    context = {"inquiry": inquiry, "client": inquiry.client, "studio": inquiry.studio}
    send_studio_mail(inquiry.studio, recipients, "crm_inquiry", context, reply_to=[inquiry.client.email])
    return True
