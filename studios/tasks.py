"""Background work of the core: the e-mail outbox's sender and its beat sweeper, defined in studios/outbox.py
beside what they run and imported here so that Celery's autodiscovery registers them; offboarding a studio."""

from celery import shared_task

from . import rls
from .outbox import deliver_email, retry_due_emails

__all__ = ["deliver_email", "offboard_studio_task", "retry_due_emails"]


@shared_task(acks_late=True)
def offboard_studio_task(studio_id: int) -> dict | None:
    """Offboard a studio (studios/offboarding.py); a studio already gone is nothing to do (a redelivery)."""
    from .models import Studio  # noqa: I001 - models load with the app registry, after Celery's autodiscovery
    from .offboarding import offboard_studio  # imports Wagtail's models: the app registry must be ready

    with rls.platform():
        studio = Studio.objects.filter(pk=studio_id).first()
        if studio is None:
            return None
        return offboard_studio(studio)
