"""Background work of studio settings: e-mails that should not hold up an admin request."""

from celery import shared_task
from django.contrib.auth import get_user_model

from studios.models import Membership

from .invitations import send_invitation


@shared_task(acks_late=True, ignore_result=True)
def send_team_invitation(membership_id: int, invited_by_id: int) -> None:
    """Kept for messages queued before the outbox (invite_member now queues the e-mail itself; the outbox key
    makes a repeat a no-op)."""
    membership = Membership.objects.select_related("studio", "user").filter(pk=membership_id).first()
    if membership is not None:  # removed again before the mail went out: nothing to say
        send_invitation(membership, invited_by=get_user_model().objects.get(pk=invited_by_id))
