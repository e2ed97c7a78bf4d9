"""Lead capture: an inquiry from the studio's site creates or updates the client and tells the photographer."""

from datetime import date

from django.db import transaction

from studios import events
from studios.models import Studio

from .activity import record_activity
from .clients import client_for_contact
from .models import Activity, Inquiry
from .tasks import mail_photographer_about_inquiry


def receive_inquiry(
    studio: Studio,
    *,
    name: str,
    email: str,
    message: str,
    phone: str = "",
    event_date: date | None = None,
    session_type=None,
    source: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> Inquiry:
    with transaction.atomic():
        client = client_for_contact(studio, name=name, email=email, phone=phone, source=source or "website")
        inquiry = Inquiry.objects.create(
            studio=studio,
            client=client,
            message=message,
            event_date=event_date,
            session_type=session_type,
            source=source,
            ip_address=ip_address,
            user_agent=user_agent[:300],
        )
        record_activity(
            client,
            Activity.Kind.INQUIRY_RECEIVED,
            message[:120],
            data={"inquiry": inquiry.pk, "event_date": event_date.isoformat() if event_date else None},
        )
        events.publish(studio, "inquiry.created", inquiry)
        # In the outbox with the inquiry: committed together, sent after commit, retried if the mail fails.
        mail_photographer_about_inquiry(inquiry)
    return inquiry
