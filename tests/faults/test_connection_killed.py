"""`pg_terminate_backend` on a real server's connection in the middle of a booking request (issue 13).

A gunicorn server runs on the test database (PostgreSQL). Its connection is terminated while the booking is
inserted, while the transaction commits (a trigger on the bookings table sleeps so the test can strike), and
after the commit but before the answer (tests/faults/hold_after_commit.py holds the request). Each request
either committed and can be learnt by a retry with the same `Idempotency-Key`, or rolled back with nothing sent:
no e-mail, no webhook delivery, no key used up. One booking at the end, never two."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from billing.models import Invoice
from bookings.models import Booking
from crm.models import Client
from frontend_api.models import IdempotentRequest, WebhookDelivery, WebhookEndpoint
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory
from tests.faults.hold_after_commit import (
    HELD_APPLICATION_NAME,
    HOLD_HEADER,
    SERVER_APPLICATION_NAME,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
BOOKINGS = "/api/client/bookings/"
FIGURES = {"faults injected": 0, "duplicate bookings": 0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """gunicorn (2 sync workers, as in production) on the test database; e-mails land in `server.mail_dir`."""
    db = connection.settings_dict
    port, mail_dir = free_port(), tmp_path_factory.mktemp("mail")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # eager tasks: nothing shared is touched
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.killed_connection_server",
        DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        FAULT_MAIL_DIR=str(mail_dir),
    )
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "-t", "120"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # two cold Django processes on a busy CI machine
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=60)
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.3)
        yield type("Server", (), {"url": base, "mail_dir": mail_dir})
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        print(f"\nconnection-killed faults: {FIGURES}")


@pytest.fixture
def booking_setup(server, studio):
    for path in server.mail_dir.iterdir():  # count this test's e-mails only
        path.unlink()
    weekly_hours(studio, clock(9), clock(17))
    session_type = SessionTypeFactory(studio=studio, duration=timedelta(hours=1), minimum_notice=timedelta(hours=1))
    # Deliveries are rows written in the booking's transaction; nobody listens on port 9, which is fine.
    WebhookEndpoint.objects.create(studio=studio, url="http://127.0.0.1:9/hook", events=["booking.created"])
    day = (timezone.now() + timedelta(days=7)).astimezone(studio.tz).date()
    start = timezone.make_aware(timezone.datetime.combine(day, clock(10)), studio.tz)
    return {
        "session_type": session_type.pk,
        "start": start.isoformat(),
        "name": "Mia Hart",
        "email": "mia@example.test",
    }


def send(server, studio, data, key=None, **headers):
    if key:
        headers["Idempotency-Key"] = key
    return requests.post(f"{server.url}{BOOKINGS}", json=data, headers={"Host": studio.hostname, **headers}, timeout=90)


def mails_sent(server) -> int:
    return sum(path.read_text().count("Message-ID:") for path in server.mail_dir.iterdir())


def effects(studio) -> dict:
    return {
        "bookings": Booking.objects.for_studio(studio).count(),
        "clients": Client.objects.for_studio(studio).count(),
        "invoices": Invoice.objects.for_studio(studio).count(),
        "webhook deliveries": WebhookDelivery.objects.for_studio(studio).count(),
        "stored answers": IdempotentRequest.objects.for_studio(studio).count(),
    }


def terminate_when(where: str, timeout: float = 30) -> int:
    """Terminate the server's connections matching `where` (pg_stat_activity) as soon as one shows up."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = current_database() AND pid <> pg_backend_pid() AND {where}"
            )
            killed = sum(1 for (ok,) in cursor.fetchall() if ok)
            if killed:
                FIGURES["faults injected"] += killed
                return killed
            time.sleep(0.05)
    raise AssertionError(f"no server connection matched {where!r} in {timeout} s")


def in_background(fn, *args, **kwargs):
    result = {}

    def run():
        try:
            result["response"] = fn(*args, **kwargs)
        except requests.RequestException as exc:  # the client saw the connection fail: as good as a 500
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.fixture
def sleeping_trigger():
    """`install(deferred)`: inserting a booking sleeps, in the INSERT or (deferred) in the COMMIT, until killed."""
    table = Booking._meta.db_table

    def install(deferred: bool):
        timing = "DEFERRABLE INITIALLY DEFERRED" if deferred else ""
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE OR REPLACE FUNCTION ff_fault_sleep() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$"
            )
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER ff_fault_sleep AFTER INSERT ON {table} {timing} "
                "FOR EACH ROW EXECUTE FUNCTION ff_fault_sleep()"
            )

    def remove():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS ff_fault_sleep ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS ff_fault_sleep()")

    yield type("Trigger", (), {"install": staticmethod(install), "remove": staticmethod(remove)})
    remove()


def assert_one_booking_from_the_retries(server, studio, data, key):
    """The client retries with its key until it hears an answer: it learns of one booking, made once."""
    retry = send(server, studio, data, key)
    assert retry.status_code == 201, retry.text
    booking = Booking.objects.for_studio(studio).get()
    assert retry.json()["id"] == booking.pk
    sent, deliveries = mails_sent(server), WebhookDelivery.objects.for_studio(studio).count()

    again = send(server, studio, data, key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == retry.json()
    assert Booking.objects.for_studio(studio).count() == 1
    assert (mails_sent(server), WebhookDelivery.objects.for_studio(studio).count()) == (sent, deliveries)
    assert sent > 0 and deliveries == 1
    FIGURES["duplicate bookings"] += Booking.objects.for_studio(studio).count() - 1


@pytest.mark.parametrize("during", ["insert", "commit"])
def test_killed_before_the_commit_rolls_back_sends_nothing_and_frees_the_key(
    server, studio, booking_setup, sleeping_trigger, during
):
    key = str(uuid.uuid4())
    sleeping_trigger.install(deferred=during == "commit")
    thread, result = in_background(send, server, studio, booking_setup, key)

    terminate_when(f"application_name = '{SERVER_APPLICATION_NAME}' AND wait_event = 'PgSleep'")
    thread.join(timeout=60)
    sleeping_trigger.remove()

    assert "error" in result or result["response"].status_code == 500, result["response"].text
    # Rolled back: nothing made, nothing sent, the key not used up.
    assert effects(studio) == dict.fromkeys(effects(studio), 0)
    assert mails_sent(server) == 0
    assert_one_booking_from_the_retries(server, studio, booking_setup, key)


def test_killed_after_the_commit_the_retry_returns_the_booking(server, studio, booking_setup):
    key = str(uuid.uuid4())
    thread, result = in_background(send, server, studio, booking_setup, key, **{HOLD_HEADER: "10"})

    terminate_when(f"application_name = '{HELD_APPLICATION_NAME}'")
    thread.join(timeout=60)

    # The client heard a failure, but the booking was made and told (e-mails, webhook) once.
    assert "error" in result or result["response"].status_code == 500, result["response"].text
    assert effects(studio) | {"mails": mails_sent(server) > 0} == {
        "bookings": 1,
        "clients": 1,
        "invoices": 1,
        "webhook deliveries": 1,
        "stored answers": 1,
        "mails": True,
    }
    # Without the key a retry cannot learn it: the slot is taken (by this very client).
    assert send(server, studio, booking_setup).json()["error"]["code"] == "slot_taken"
    assert_one_booking_from_the_retries(server, studio, booking_setup, key)
