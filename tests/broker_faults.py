"""`broker_refusing(*tasks)`: inside it, Celery is not eager and publishing those tasks fails as it does when
Redis refuses connections (kombu's OperationalError), without a real broker. The fault suite (tests/faults/)
stops a real redis-server instead."""

from contextlib import contextmanager
from unittest import mock

from kombu.exceptions import OperationalError

from config.celery_app import app


def _refuse(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@contextmanager
def broker_refusing(*tasks):
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with _patch_each(tasks):
            yield
    finally:
        app.conf.task_always_eager = eager


def _real(task):
    return task._get_current_object() if hasattr(task, "_get_current_object") else task


@contextmanager
def _patch_each(tasks):
    # A shared_task is a proxy: patch the task object behind it.
    patches = [mock.patch.object(_real(task), "apply_async", _refuse) for task in tasks]
    for patch in patches:
        patch.start()
    try:
        yield
    finally:
        for patch in patches:
            patch.stop()
