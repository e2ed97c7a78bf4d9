"""Fixtures of the durable-intake fault tests: a private redis-server that a test can stop and start again on
the same port, and a real Celery worker with embedded beat (the sweepers every second) on it.

Never the machine's shared Redis: the test process's Celery app is pointed at the private server for the
test and back afterwards."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery_app import app

ROOT = Path(__file__).resolve().parents[2]

# The durable settings, short so that a test sees retries within seconds (given to the worker and beat).
FAST = {
    "DURABLE_SWEEP_SECONDS": "1",
    "EMAIL_OUTBOX_RETRY_SECONDS": "1",
    "EMAIL_OUTBOX_RETRY_MAX_SECONDS": "2",
    "EMAIL_OUTBOX_SWEEP_AFTER_SECONDS": "2",
    "EMAIL_OUTBOX_LEASE_SECONDS": "30",
    "EMAIL_OUTBOX_MAX_ATTEMPTS": "3",
    "STRIPE_EVENT_RETRY_SECONDS": "1",
    "STRIPE_EVENT_RETRY_MAX_SECONDS": "2",
    "STRIPE_EVENT_SWEEP_AFTER_SECONDS": "2",
    "WEBHOOK_SWEEP_AFTER_SECONDS": "2",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class PrivateRedis:
    """A throw-away redis-server on 127.0.0.1:<free port>, no persistence; `stop()` and `start()` it at will."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc = None
        self.stops = 0

    def start(self):
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        wait_until(lambda: self._pings(client), timeout=10, what="redis-server to start")

    def stop(self):
        if self.proc is not None:
            self.proc.kill()  # as an outage looks to its clients: the connections drop
            self.proc.wait(timeout=10)
            self.proc = None
            self.stops += 1

    @staticmethod
    def _pings(client) -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server on PATH")
    server = PrivateRedis(tmp_path)
    server.start()
    old = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = server.url, False
    _forget_connections()
    try:
        yield server
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old
        _forget_connections()
        server.stop()


def _forget_connections():
    # Celery caches its connection and producer pools (kombu keeps them per broker URL, open): look them up again.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def mail_log(tmp_path, monkeypatch, settings):
    """Every e-mail try (in this process or the worker) lands in this file (tests.mail_backends)."""
    log = tmp_path / "mail.log"
    monkeypatch.setenv("FLAKY_EMAIL_LOG", str(log))
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    return log


@pytest.fixture
def durable_settings(settings):
    for name, value in FAST.items():
        setattr(settings, name, int(value) if name.endswith("ATTEMPTS") else float(value))
    return settings


@pytest.fixture
def durable_worker(transactional_db, private_redis, mail_log, durable_settings, tmp_path):
    """`celery worker -B` (the beat schedule of config/settings/base.py, sweeping every second) on the private
    Redis and the test database. Returns a function that starts it again after `stop_worker()`."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        FAST,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        REDIS_URL=private_redis.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        TEST_EMAIL_BACKEND="tests.mail_backends.FlakyBackend",
        FLAKY_EMAIL_LOG=str(mail_log),
        FLAKY_EMAIL_FAILURES="2",  # every message fails twice, then goes: each one is retried
    )
    procs = []

    def start():
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "-s", str(tmp_path / "beat-schedule"),
             "--concurrency=2", "--pool=prefork", "-n", f"durable-{time.time_ns()}@%h", "--without-heartbeat",
             "--without-gossip", "--without-mingle", "-l", "WARNING"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )  # fmt: skip
        procs.append(proc)
        wait_until(lambda: app.control.inspect(timeout=1).ping() or proc.poll() is not None, timeout=60,
                   what="the Celery worker to start")  # fmt: skip
        if proc.poll() is not None:
            raise RuntimeError("the Celery worker did not start")
        return proc

    # The worker runs under a supervisor, as in production (docker-compose `restart: unless-stopped`, Render
    # restarts a crashed worker): kombu 5.7 can crash a worker whose channel closes while Redis is gone
    # with a message unacked ("'NoneType' object has no attribute 'hostname'"); that message waits in Redis
    # for the visibility timeout and the sweepers re-send the work from PostgreSQL, so a restart loses nothing.
    stopping = threading.Event()

    def supervise():
        while not stopping.wait(0.5):
            if procs and procs[-1].poll() is not None:
                restarts.append(procs[-1].returncode)
                # Not up yet (Redis still down)? The next round looks again.
                with contextlib.suppress(AssertionError, RuntimeError):
                    start()

    restarts: list[int] = []
    start()
    supervisor = threading.Thread(target=supervise, daemon=True)
    supervisor.start()
    yield start
    stopping.set()
    supervisor.join(timeout=5)
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
