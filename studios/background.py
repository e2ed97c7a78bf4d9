"""Queueing background work so that a broker outage never fails or holds up the request that caused it.

The work itself is a committed row (a Stripe ledger entry, a webhook delivery, an outgoing e-mail); the
Celery message only says "do it now". When Redis is down the message is lost, the row is not, and the
app's beat sweeper queues it again (docs/architecture.md, "Work that must not be lost")."""

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def publish_quietly(task, *args) -> bool:
    """Send `task(*args)` to the broker at once, without Kombu's publish retries; False when it could not.

    Eager mode (tests, development without Redis) runs the task here and lets its errors through, as before."""
    if task.app.conf.task_always_eager:
        task.apply_async(args)
        return True
    try:
        task.apply_async(args, retry=False)
    except Exception:  # kombu's OperationalError and friends: anything here means the message did not leave
        logger.warning("Could not queue %s%r; its row waits for the sweeper", task.name, args, exc_info=True)
        return False
    return True


def queue_after_commit(task, *args) -> None:
    """Publish `task(*args)` once the current transaction commits (nothing on rollback), never raising."""
    transaction.on_commit(partial(publish_quietly, task, *args))


def retry_delay(attempts: int, *, base_seconds: float, max_seconds: float) -> timedelta:
    """Exponential back-off after `attempts` failed tries: base, 2×base, 4×base … at most max_seconds."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), max_seconds))
