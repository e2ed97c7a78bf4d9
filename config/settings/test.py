"""Tests: `make test`. Fast hashing, in-memory e-mail, files in a temporary folder."""

import tempfile

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-key"
DEBUG = False
DEFAULT_STUDIO_SLUG = ""
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The fault suite's worker sends through tests.mail_backends.FlakyBackend (tests/faults/).
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# A Celery worker started by the tests is given the same folder through the environment.
MEDIA_ROOT = env("MEDIA_ROOT", default="") or tempfile.mkdtemp(prefix="focusflow-test-media-")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests run tasks in-process; the pipeline tests start a real worker on
# REDIS_URL themselves (tests/conftest.py: celery_worker fixture).
# The fault suite's workers and beat publish for real (CELERY_TASK_ALWAYS_EAGER=false in their environment).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "studios.media.LocalMediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The webhook tests deliver to a receiver on http://127.0.0.1; tests of refusals set these back.
WEBHOOKS_ALLOW_HTTP = True
WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.0/8"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Test databases are thrown away: a commit need not wait for its WAL flush (migrations, transactional tests'
# flushes, the workers' commits). Visibility and isolation are unchanged; only a PostgreSQL crash could lose them.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c synchronous_commit=off").strip()
