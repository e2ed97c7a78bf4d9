"""Test-only settings for the server that tests/faults/test_connection_killed.py runs (never used elsewhere):
the test settings, plus e-mails written to files the test can count, no kept connections, a name in
pg_stat_activity, and a middleware that holds a finished request so its connection can be terminated."""

import time

from django.db import connection

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES, MIDDLEWARE, env

SERVER_APPLICATION_NAME = "ff-fault-server"
HELD_APPLICATION_NAME = "ff-fault-held"
HOLD_HEADER = "X-Fault-Hold-After-Commit"

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("FAULT_MAIL_DIR")
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = SERVER_APPLICATION_NAME


class HoldAfterCommit:
    """With `X-Fault-Hold-After-Commit: <seconds>`, a request whose view has answered (its transaction committed,
    its e-mails and webhooks queued) renames its connection and waits for the test to terminate it, then uses
    it as a late step of the request would: the client gets a 500 for a booking that was made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if hold := request.headers.get(HOLD_HEADER):
            with connection.cursor() as cursor:
                cursor.execute(f"SET application_name = '{HELD_APPLICATION_NAME}'")
            time.sleep(float(hold))
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        return response


MIDDLEWARE = ["tests.faults.killed_connection_server.HoldAfterCommit", *MIDDLEWARE]
