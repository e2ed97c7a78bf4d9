"""Test-only middleware of the server tests/faults/test_connection_killed.py runs (killed_connection_server.py)."""

import time

from django.db import connection

SERVER_APPLICATION_NAME = "ff-fault-server"
HELD_APPLICATION_NAME = "ff-fault-held"
HOLD_HEADER = "X-Fault-Hold-After-Commit"


class HoldAfterCommit:
    """With `X-Fault-Hold-After-Commit: <seconds>`, a request whose view has answered (its transaction committed,
    its e-mails and webhooks queued) renames its connection and waits for the test to terminate it, then uses
    it as a late step of the request would: the client gets a 500 for a booking that was made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Between tests the database is flushed and its content types made anew, with new ids.
        # Imported here: the settings module imports this one before the app registry is ready.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
        response = self.get_response(request)
        if hold := request.headers.get(HOLD_HEADER):
            with connection.cursor() as cursor:
                cursor.execute(f"SET application_name = '{HELD_APPLICATION_NAME}'")
            time.sleep(float(hold))
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        return response
