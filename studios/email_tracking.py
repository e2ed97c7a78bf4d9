"""Bounces and complaints from the e-mail provider (django-anymail's tracking webhooks, `/anymail/<esp>/
tracking/`, authenticated by ANYMAIL's WEBHOOK_SECRET): the address gets nothing more from the studio that
sent the message (studios.suppression), and the client's timeline shows it (crm, `email.suppressed`).

Which studio: the metadata the outbox sends with every message (`{"studio", "outbox"}`, returned by the
provider's webhook), else the provider's message id stored when it was sent. An event no studio owns is
logged and dropped: a bounce is per studio, never platform-wide."""

import logging

from anymail.signals import EventType

from . import rls, suppression
from .models import EmailRecipient, OutgoingEmail, Studio

logger = logging.getLogger(__name__)

SUPPRESSING = {
    EventType.BOUNCED: EmailRecipient.Reason.BOUNCED,
    EventType.COMPLAINED: EmailRecipient.Reason.COMPLAINED,
    EventType.REJECTED: EmailRecipient.Reason.REJECTED,
}


def _outbox_row(event) -> OutgoingEmail | None:
    metadata = event.metadata or {}
    outbox_id, studio_id = str(metadata.get("outbox", "")), str(metadata.get("studio", ""))
    if outbox_id.isdigit() and studio_id.isdigit():
        row = OutgoingEmail.objects.filter(pk=int(outbox_id), studio_id=int(studio_id)).first()
        if row is not None:
            return row
    if event.message_id:
        return OutgoingEmail.objects.filter(provider_message_id=str(event.message_id)[:200]).first()
    return None


def on_tracking(sender, event, esp_name, **kwargs) -> None:
    """anymail.signals.tracking receiver (connected in StudiosConfig.ready)."""
    reason = SUPPRESSING.get(event.event_type)
    if reason is None and event.event_type != EventType.UNSUBSCRIBED:
        return
    if not event.recipient:
        return
    # The webhook comes to a platform host (no studio in scope): find the message across studios, then act
    # for its studio only.
    with rls.platform():
        row = _outbox_row(event)
    if row is None:
        logger.warning("%s %s event for %s matches no message; ignored", esp_name, event.event_type, event.recipient)
        return
    recipients = {address.lower() for address in row.to}
    if event.recipient.lower() not in recipients:
        logger.warning("%s event names %s, not a recipient of e-mail %s; ignored", esp_name, event.recipient, row.pk)
        return
    with rls.studio(row.studio_id):
        studio = Studio.objects.get(pk=row.studio_id)
        if reason is None:
            suppression.unsubscribe(studio, event.recipient)
        else:
            detail = event.description or event.mta_response or event.reject_reason or ""
            suppression.suppress(studio, event.recipient, reason, str(detail))
