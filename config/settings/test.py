"""Tests: `make test`. Fast hashing, in-memory e-mail, files in a temporary folder."""

import tempfile

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-key"
DEBUG = False
DEFAULT_STUDIO_SLUG = ""
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A Celery worker started by the tests is given the same folder through the environment.
MEDIA_ROOT = env("MEDIA_ROOT", default="") or tempfile.mkdtemp(prefix="focusflow-test-media-")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests run tasks in-process; the pipeline tests start a real worker on
# REDIS_URL themselves (tests/conftest.py: celery_worker fixture).
CELERY_TASK_ALWAYS_EAGER = True
# Worker processes started by the fault tests publish for real (the sweeper's re-queues): they set it off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The webhook tests deliver to a receiver on http://127.0.0.1; tests of refusals set these back.
WEBHOOKS_ALLOW_HTTP = True
WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.0/8"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
