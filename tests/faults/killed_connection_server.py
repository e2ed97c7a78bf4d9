"""Test-only settings of the server tests/faults/test_connection_killed.py runs (never imported by the tests):
the test settings, plus no cache, e-mails written to files the test counts, no kept connections, a name in
pg_stat_activity, and the middleware that holds a finished request so that its connection can be terminated."""

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES, MIDDLEWARE, env
from tests.faults.hold_after_commit import SERVER_APPLICATION_NAME

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("FAULT_MAIL_DIR")
DATABASES = {
    "default": {
        **DATABASES["default"],
        "CONN_MAX_AGE": 0,
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), "application_name": SERVER_APPLICATION_NAME},
    }
}
# Each test makes its studio anew (same host, new rows): no per-process cache may remember the last one.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# First: it runs after everything else has answered.
MIDDLEWARE = ["tests.faults.hold_after_commit.HoldAfterCommit", *MIDDLEWARE]
# The server's errors on its stderr, in the test's output.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
