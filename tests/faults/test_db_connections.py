"""`make run` on PostgreSQL (issue 13): runserver's threads each kept a persistent connection (CONN_MAX_AGE
60), so a burst of requests left one open per request until the shared server ran out. Development now
closes each request's connection (config/settings/dev.py); production keeps one per gunicorn worker."""

import concurrent.futures
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection

from tests.faults._procs_celeryfaults import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BURST = 24
# The dev server's connections carry this name, so processes of the neighbouring fault tests (workers still
# shutting down) are not counted against it.
APP_NAME = "ff_burst_runserver"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def server_connections() -> int:
    with connection.cursor() as c:
        c.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            [APP_NAME],
        )
        return c.fetchone()[0]


@pytest.fixture
def make_run():
    """`make run`'s server (runserver, threaded, development settings) on the test database."""
    db = connection.settings_dict
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CONN_MAX_AGE", "DEV_CONN_MAX_AGE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        f"?application_name={APP_NAME}",
    )
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()  # noqa: S310 - our own loopback server
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("runserver did not start") from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_a_burst_of_requests_to_the_dev_server_leaves_no_connections_open(make_run):
    def get(_):
        with urllib.request.urlopen(make_run, timeout=30) as response:  # noqa: S310 - loopback
            response.read()
            return response.status

    with concurrent.futures.ThreadPoolExecutor(BURST) as pool:
        statuses = list(pool.map(get, range(BURST)))
    assert statuses == [200] * BURST  # /healthz asks the database each time

    deadline = time.monotonic() + 3
    while (held := server_connections()) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    print(f"\n{BURST} parallel requests to runserver: {held} database connections held afterwards")
    assert held <= 1, f"{held} connections held after {BURST} requests"
