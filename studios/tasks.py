"""Background work of the core: the e-mail outbox's sender and its beat sweeper (studios/outbox.py)."""

import logging

from celery import shared_task

from . import outbox
from .background import publish_quietly

logger = logging.getLogger(__name__)


# ignore_result: publishing then never waits on the result backend (a Redis outage would hold it for 20 s).
@shared_task(acks_late=True, ignore_result=True)
def deliver_email(email_id: int) -> str:
    """One attempt; a failure is recorded on the row and the sweeper retries it. Even when recording fails
    (the database is down), the row keeps its lease and the sweeper sends it once the lease ends."""
    try:
        return outbox.deliver(email_id)
    except Exception:
        logger.exception("Could not send or record e-mail %s; the sweeper retries it", email_id)
        return "error"


@shared_task(ignore_result=True)
def retry_due_emails() -> int:
    """Beat: queue every e-mail that is due (new and missed, retrying, or abandoned by a dead worker)."""
    due = outbox.due_for_sending()
    for email_id in due:
        publish_quietly(deliver_email, email_id)
    return len(due)
