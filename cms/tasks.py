"""Background work of the cms app: e-mails that should not hold up an admin request."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_team_invitation(membership_id: int, invited_by_id: int) -> None:
    """cms.team.invite_member queues this once the new member is committed."""
    from django.contrib.auth import get_user_model

    from .models import Membership
    from .team import send_invitation

    membership = Membership.objects.select_related("studio", "user").filter(pk=membership_id).first()
    if membership is not None:  # removed again before the mail went out: nothing to say
        send_invitation(membership, invited_by=get_user_model().objects.get(pk=invited_by_id))
