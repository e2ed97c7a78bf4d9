"""Background work of the core: the e-mail outbox's sender and its beat sweeper, defined in studios/outbox.py
beside what they run and imported here so that Celery's autodiscovery registers them."""

from .outbox import deliver_email, retry_due_emails

__all__ = ["deliver_email", "retry_due_emails"]
