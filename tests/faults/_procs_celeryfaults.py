"""Processes the fault tests start and break themselves: a private redis-server on a free port and Celery
workers (with an embedded beat) on it, sharing the test database. Never the machine's shared services."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server on PATH")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A throwaway redis-server (no persistence) that a test can stop and start again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="ff-faults-redis-")
        self.proc = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture
def private_redis():
    server = RedisServer()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


def _repoint(app, broker: str, backend: str) -> None:
    # Forget pooled connections and the result backend, as Celery itself does after a fork.
    app.conf.broker_url, app.conf.result_backend = broker, backend
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@pytest.fixture
def celery_on_private_redis(private_redis, transactional_db):
    """This test process publishes real tasks to the private Redis, on a queue of its own."""
    from config.celery_app import app

    queue = f"faults-{os.getpid()}-{time.time_ns()}"
    old = (app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager, app.conf.task_default_queue)
    _repoint(app, private_redis.url(0), private_redis.url(1))
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old[2], old[3]
        _repoint(app, old[0], old[1])


class Worker:
    """`celery worker -B` (beat embedded) in its own process group, so kill -9 takes the pool children too."""

    def __init__(self, redis_server: RedisServer, queue: str, **env):
        db = connection.settings_dict
        self.queue = queue
        self.env = dict(os.environ)
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            REDIS_URL=redis_server.url(0),
            CELERY_TASK_ALWAYS_EAGER="false",
            CELERY_TASK_DEFAULT_QUEUE=queue,
            **{k: str(v) for k, v in env.items()},
        )
        self.schedule_dir = tempfile.mkdtemp(prefix="ff-faults-beat-")
        self.proc = None
        self.log = None

    def start(self, concurrency: int = 1):
        self.log = open(os.path.join(self.schedule_dir, "worker.log"), "ab")  # noqa: SIM115 - kept open
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-B",
                "-s",
                os.path.join(self.schedule_dir, "beat-schedule"),
                f"--concurrency={concurrency}",
                "--pool=prefork",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{time.time_ns()}@{socket.gethostname()}",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill9(self):
        """The machine loses the worker: no warm shutdown, no acknowledgement, no requeue."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self.log is not None:
            self.log.close()

    def output(self) -> str:
        with open(os.path.join(self.schedule_dir, "worker.log"), "rb") as f:
            return f.read().decode(errors="replace")[-4000:]


@pytest.fixture
def start_worker(private_redis, celery_on_private_redis):
    """start_worker(**env) → a running Worker on the private Redis and the test's queue; all stopped after."""
    started = []

    def start(concurrency=1, **env):
        worker = Worker(private_redis, celery_on_private_redis, **env).start(concurrency)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
        shutil.rmtree(worker.schedule_dir, ignore_errors=True)


def wait_for(condition, timeout, what):
    """The value of condition() once it is truthy, polling; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
