"""Fixtures shared by every test folder: studios, photographers, hosts, services."""

import functools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import StudioFactory, photographer_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _draw_each_demo_picture_once():
    """studios.demo_images.landscape_jpeg is a pure function of its arguments, and drawing one (a gradient line by
    line, then a blur) costs more than uploading it: the tests' photos, the demo's portfolio and its 24-photo
    wedding gallery (seed_demo, run by several tests) ask for the same pictures again and again. Same bytes,
    drawn once per test process; every module that imported the function gets the cached one."""
    from studios import demo_images

    original = getattr(demo_images.landscape_jpeg, "__wrapped__", demo_images.landscape_jpeg)
    cached = functools.lru_cache(maxsize=256)(original)
    for module in list(sys.modules.values()):
        if getattr(module, "landscape_jpeg", None) is original:
            module.landscape_jpeg = cached
    demo_images.landscape_jpeg = cached


_draw_each_demo_picture_once()


# With pytest-xdist (`-n 3 --dist loadgroup`, as .ci/run runs the suite), tests that share a costly per-process
# setup stay together on one worker:
# - faults: one group for the whole folder. Each test starts and breaks its own redis-server, Celery workers and
#   server processes on free ports, but they kill backends and wait on recovery deadlines: two side by side
#   would make those deadlines measure each other (kept apart on purpose, even at the cost of the longer tail);
# - browser: one Chromium per worker while it runs the package's tests (tests/browser/conftest.py), launched once
#   for a file's tests rather than once per test (each test opens its own context and live server data);
# - the generated-client checks: their session fixture runs `npm ci` into one shared node_modules folder.
XDIST_GROUP_PER_FILE = ("tests/browser/",)
XDIST_GROUPS = {"tests/faults/": "faults", "tests/frontend_api/test_generated_clients.py": "node-tools"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = os.path.relpath(str(item.path), ROOT).replace(os.sep, "/")
        if path.startswith(XDIST_GROUP_PER_FILE):
            item.add_marker(pytest.mark.xdist_group(path))
        for prefix, group in XDIST_GROUPS.items():
            if path.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    skip_worker = pytest.mark.skip(reason="needs a Celery worker: set REDIS_URL and DATABASE_URL (PostgreSQL)")
    skip_browser = pytest.mark.skip(reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    has_chromium = os.access("/usr/bin/chromium", os.X_OK)
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "celery_worker" in item.keywords and not (settings.REDIS_URL and on_postgres):
            item.add_marker(skip_worker)
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(skip_browser)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """On PostgreSQL: create the row-level security role (studios/rls.py) once, and with xdist make each worker's
    test database a copy of one migrated template."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg

    params = {k: v for k, v in {"host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER")}.items() if v}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    _create_rls_role(psycopg, params)
    worker = getattr(request.config, "workerinput", None)
    if worker is not None:
        db.setdefault("TEST", {})["TEMPLATE"] = _migrated_template(psycopg, params, db, worker["testrunuid"])


def _create_rls_role(psycopg, params):
    """Under a lock, before the test databases are migrated: roles belong to the whole cluster, and two xdist
    workers migrating at the same moment would otherwise race to create it (a unique violation that CREATE
    ROLE's duplicate_object handler misses)."""
    role = settings.ROW_LEVEL_SECURITY_ROLE
    quoted, literal = '"' + role.replace('"', '""') + '"', "'" + role.replace("'", "''") + "'"
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(
                "DO $$ BEGIN IF (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN "
                "PERFORM pg_advisory_xact_lock(7311); "
                f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {literal}) THEN CREATE ROLE {quoted} NOLOGIN; "
                "END IF; END IF; END $$"
            )
    except psycopg.Error:
        pass  # not allowed here: the migrations create it as before


def _migrated_template(psycopg, params, db, run_id):
    """The first worker of a run migrates `test_<name>_template` (about 100 s of the run's first minutes, and
    most of it PostgreSQL's DDL); the others wait on a lock and each copies it in a fraction of a second
    (CREATE DATABASE … TEMPLATE), where each used to run every migration itself. The template is marked with
    the run's id, so a later run with other migrations never copies a stale one; `migrate` still runs on each
    copy (nothing to apply: it re-applies what post_migrate does, such as the row-level security policies)."""
    from psycopg import sql

    template = f"test_{db['NAME']}_template"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
        try:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [template]
            ).fetchone()
            if row is None or row[0] != run_id:
                name = sql.Identifier(template)
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
                url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{template}").geturl()
                env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=url)
                migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
                subprocess.run(migrate, cwd=ROOT, env=env, check=True)
                conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(name, sql.Literal(run_id)))
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
    return template


@pytest.fixture(autouse=True)
def _clear_cache():
    # Wagtail caches rendition and site look-ups in the default cache.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def studio(db):
    return StudioFactory(name="Northlight Photography", slug="northlight")


@pytest.fixture
def other_studio(db):
    return StudioFactory(name="Harbour Studio", slug="harbour")


@pytest.fixture
def photographer(studio):
    return photographer_for(studio, email="owner@northlight.test")


@pytest.fixture
def other_photographer(other_studio):
    return photographer_for(other_studio, email="owner@harbour.test")


@pytest.fixture
def admin_client_for(client):
    """Log a user into the real Wagtail admin through the Django test client."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def studio_host(studio):
    return studio.hostname


@pytest.fixture
def celery_worker(transactional_db):
    """A real `celery worker` process on REDIS_URL, sharing the test database and media folder.

    Marks the test `celery_worker` (skipped without Redis + PostgreSQL). Tasks
    sent inside the test go to the broker instead of running eagerly."""
    from celery.result import allow_join_result

    from config.celery_app import app

    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        REDIS_URL=settings.REDIS_URL,
    )
    queue = f"test-{os.getpid()}-{time.time_ns()}"
    node = f"{queue}@{socket.gethostname()}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--pool=prefork",
            "-Q",
            queue,
            "-n",
            node,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    old = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 30
        while not app.control.inspect(destination=[node], timeout=1).ping():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start")
        # This process is the test, never a worker: waiting for a result here is what the test is for. Celery
        # keeps a process-wide "joins would block" flag, seen left set by an earlier test in one full run
        # (result.get() then refused: "Never call result.get() within a task").
        with allow_join_result():
            yield app
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


class _OutboxAsCommitted(list):
    """`django.core.mail.outbox` as a user would see it once the test's transaction committed.

    E-mails are outbox rows sent after commit (studios.outbox); a test's own transaction never commits, so
    reading this list first sends the rows that are new (never attempted), as the after-commit task would.
    Rows scheduled for a retry are left to the test. Rolled-back rows are gone, so they are never sent."""

    def _deliver_new(self):
        if getattr(self, "_delivering", False) or not getattr(self, "db_allowed", False):
            return
        from studios import outbox
        from studios.models import OutgoingEmail

        self._delivering = True
        try:
            new = OutgoingEmail.objects.filter(state=OutgoingEmail.State.PENDING, attempts=0).order_by("pk")
            for email_id in new.values_list("pk", flat=True):
                outbox.deliver(email_id)
        finally:
            self._delivering = False

    def __iter__(self):
        self._deliver_new()
        return super().__iter__()

    def __len__(self):
        self._deliver_new()
        return super().__len__()

    def __bool__(self):
        return len(self) > 0

    def __getitem__(self, index):
        self._deliver_new()
        return super().__getitem__(index)

    def __contains__(self, item):
        self._deliver_new()
        return super().__contains__(item)

    def __eq__(self, other):
        self._deliver_new()
        return super().__eq__(other)

    __hash__ = None


@pytest.fixture(autouse=True)
def _mail_outbox_as_committed(request, _dj_autoclear_mailbox):
    from django.core import mail

    marker = request.node.get_closest_marker("django_db")
    outbox = _OutboxAsCommitted()
    outbox.db_allowed = marker is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if outbox.db_allowed:
        # Django's test case setup replaces mail.outbox: set ours after it.
        request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "_django_db_helper")
    mail.outbox = outbox
    yield outbox
    mail.outbox = []


@pytest.fixture
def mailoutbox(_mail_outbox_as_committed, django_mail_patch_dns):
    return _mail_outbox_as_committed


@pytest.fixture(autouse=True)
def _platform_plans(request):
    """billing's data migration creates the plans; the flush after every transactional (e.g. live-server)
    test empties them, and the plan is asked by uploads, invoices and API keys. Put them back if gone."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "_django_db_helper")
    import importlib

    from django.apps import apps

    from billing.models import Plan

    if not Plan.objects.exists():
        importlib.import_module("billing.migrations.0002_plans").create_plans(apps, None)


@pytest.fixture
def wedding_template(studio):
    """A contract template using every kind of block and the common variables (shared by several apps' tests)."""
    from contracts.models import ContractTemplate

    return ContractTemplate.objects.create(
        studio=studio,
        title="Photography agreement — {{ client.name }}",
        body=[
            ("heading", "Agreement between {{ studio.name }} and {{ client.name }}"),
            ("paragraph", "Session: {{ package.name }} on {{ booking.start }} at {{ booking.location }}."),
            ("list", ["Fee: {{ package.price }}", "Deposit: {{ package.deposit }}", "Length: {{ package.duration }}"]),
            ("paragraph", "Cancellations within 30 days forfeit the deposit."),
            ("signature", {"party": "client", "label": "The client"}),
            ("signature", {"party": "photographer", "label": "The studio"}),
        ],
    )
