"""PostgreSQL row-level security: the second line of tenant isolation, behind `for_studio()` (DESIGN.md §11).

Every table with a studio key gets a policy: a row is visible (and writable) when its `studio_id` is one of the
studios the connection acts for (`app.studio_ids`), or when the platform flag is on (`app.rls_bypass`). Every tenant
table has that key (a gallery's favourites and an invoice's lines too: `studios.models.StudioKeyedChild`,
tests/studios/test_studio_key_everywhere.py); a table that reached its tenant only through a parent would, as a
fallback, be visible when its parent row is. `apply_policies()` derives the tables from the models, so a new model
gets its policy at the next `migrate` (post_migrate) with nothing to remember.

Which studios the code acts for is a *scope*, held in a context variable and sent to the connection lazily, just
before the next query that needs it (one `SELECT set_config(…)`; nothing when it is already in place):

- a request acts for the studio of its host (`StudioMiddleware`), or, in the admin, for the signed-in photographer's
  studios; a superuser in the admin, and a view marked `@across_studios`, for the platform; anything else for nobody;
- a Celery task acts for the scope it was queued in (a message header); a beat-scheduled sweeper for the platform;
- code outside a request or a task (migrations, `seed_demo`, management commands, the shell, the tests' set-up)
  acts for the platform; the web server and the worker set their own default to nobody (`fail_closed_by_default`).

PostgreSQL never applies policies to a superuser or a BYPASSRLS role, and table owners skip them unless the table
has FORCE ROW LEVEL SECURITY. So the tables are forced (an ordinary owner role is filtered too), and when the
connection's user is privileged (the `postgres` of CI and development) a scoped connection also switches to the
NOLOGIN role `ROW_LEVEL_SECURITY_ROLE`, which has table privileges but no bypass. The settings are session-level
(`set_config(…, false)`, not SET LOCAL: Django runs in autocommit); behind a transaction-pooling PgBouncer they
would leak between clients, so the app must keep session pooling or direct connections."""

import hashlib
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from psycopg.pq import TransactionStatus

from .models import Membership, Studio

logger = logging.getLogger(__name__)

POLICY = "focusflow_studio"
STUDIO_IDS = "app.studio_ids"
BYPASS = "app.rls_bypass"
# The admin paths whose scope comes from the signed-in user rather than from the host.
# (Documents and private media on the platform host are the admin's links: served to the signed-in member.)
ADMIN_PREFIXES = ("/admin/", "/django-admin/", "/documents/", "/private-media/")
TASK_HEADER = "focusflow_rls_scope"


# --- Scopes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whom the database connection acts for: the platform (every row) or a set of studios (maybe none)."""

    studio_ids: tuple[int, ...] = ()
    platform: bool = False

    def encode(self) -> str:
        return "platform" if self.platform else ",".join(map(str, self.studio_ids))

    @classmethod
    def decode(cls, value: str) -> "Scope":
        if value == "platform":
            return PLATFORM
        return cls(tuple(int(part) for part in value.split(",") if part))

    def __str__(self):
        return "platform" if self.platform else f"studios {list(self.studio_ids)}"


PLATFORM = Scope(platform=True)
NOBODY = Scope()


def for_studios(studios: Iterable) -> Scope:
    """The scope of some studios (Studio objects or ids)."""
    return Scope(tuple(sorted({getattr(s, "pk", s) for s in studios if s is not None})))


_scope: ContextVar[Scope | None] = ContextVar("focusflow_rls_scope", default=None)
_default = PLATFORM


def current() -> Scope:
    scope = _scope.get()
    return _default if scope is None else scope


def fail_closed_by_default() -> None:
    """In the web server and the Celery worker nothing should run outside a request or a task's own scope."""
    global _default
    _default = NOBODY


@contextmanager
def scoped(scope: Scope):
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def platform():
    """Act for every studio for a moment: a look-up that precedes knowing the studio (host, API key, membership)."""
    return scoped(PLATFORM)


def studio(studio_or_id):
    """Act for one studio: a cross-studio sweeper working on one studio's item."""
    return scoped(for_studios([studio_or_id]))


# --- Requests ----------------------------------------------------------------------------------------------


def across_studios(view):
    """Mark a view that must read every studio's rows before it knows which one it serves (a provider's
    webhook names its studio only inside the payload). Platform scope for that view alone."""

    @wraps(view)
    def view_across_studios(*args, **kwargs):
        return view(*args, **kwargs)

    view_across_studios.rls_across_studios = True
    return view_across_studios


@contextmanager
def request_scope(request, studio):
    """The scope of a request while the middleware chain runs: its host's studio, or nobody."""
    request.rls_scope = for_studios([studio]) if studio is not None else NOBODY
    with scoped(request.rls_scope):
        yield


def narrow_request(request, scope: Scope) -> None:
    """Replace the running request's scope (undone with the request's own, by `request_scope`)."""
    request.rls_scope = scope
    _scope.set(scope)


def keep_scope_while_streaming(request, response):
    """A streamed body (a ZIP of photos) is produced after the middleware returned: give it the request's scope.
    A file's bytes need no database, and wrapping them would take the file from the server's sendfile."""
    if getattr(response, "file_to_stream", None) is not None:
        return response
    if getattr(response, "streaming", False) and not getattr(response, "is_async", False):
        response.streaming_content = _iterate_in_scope(request.rls_scope, response.streaming_content)
    return response


def _iterate_in_scope(scope: Scope, content: Iterable) -> Iterator:
    iterator = iter(content)
    while True:
        with scoped(scope):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


def admin_scope(user) -> Scope:
    """Platform staff see every studio in the admin; a photographer their own studios; nobody else anything."""
    if user is None or not user.is_authenticated:
        return NOBODY
    if user.is_superuser:
        return PLATFORM
    with platform():  # the memberships say which studios; they are what we are about to scope by
        return for_studios(Membership.objects.filter(user=user).values_list("studio_id", flat=True))


class RowLevelSecurityMiddleware:
    """After authentication: the admin acts for the signed-in user's studios (or the platform for superusers);
    views marked `@across_studios` for the platform. `StudioMiddleware` opened the request's scope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(ADMIN_PREFIXES) and hasattr(request, "rls_scope"):
            narrow_request(request, admin_scope(getattr(request, "user", None)))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "rls_across_studios", False) and hasattr(request, "rls_scope"):
            narrow_request(request, PLATFORM)


# --- Celery --------------------------------------------------------------------------------------------------


def _add_scope_header(sender=None, headers=None, **kwargs):
    if headers is not None:
        headers.setdefault(TASK_HEADER, current().encode())


def _scope_for_task(task) -> Scope | None:
    """The scope the task was queued in; a sweeper beat sends works across studios; None: keep the caller's."""
    # A beat sweeper works across studios whoever sent it: beat embedded in a worker (`worker -B`) sends it
    # from a process whose default scope is nobody, and that header must not blind the sweep.
    if task.name in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}:
        return PLATFORM
    value = getattr(task.request, TASK_HEADER, None) or (task.request.headers or {}).get(TASK_HEADER)
    if value is not None:
        return Scope.decode(value)
    if task.request.is_eager:
        return None  # run in-process (tests, development without a broker): the caller's scope
    logger.warning("Task %s arrived without a studio scope; it sees no studio's rows", task.name)
    return NOBODY


_task_tokens: dict[str, object] = {}


def _enter_task(task_id=None, task=None, **kwargs):
    scope = _scope_for_task(task)
    if scope is not None and task_id:
        _task_tokens[task_id] = _scope.set(scope)


def _leave_task(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _scope.reset(token)


def _worker_fails_closed(**kwargs):
    fail_closed_by_default()


# --- The connection --------------------------------------------------------------------------------------------


def _is_postgres(connection) -> bool:
    return connection.vendor == "postgresql"


def _on_connect(sender, connection, **kwargs):
    if not _is_postgres(connection):
        return
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user")
        row = cursor.fetchone()
    connection.rls_privileged = bool(row and row[0])
    connection.rls_applied = None
    connection.rls_tentative = False
    if _send_scope not in connection.execute_wrappers:
        connection.execute_wrappers.append(_send_scope)


_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
_tenant_table_names: tuple[str, ...] | None = None


def _reads_tenant_rows(sql) -> bool:
    """Whether the statement names a table with a policy (by substring: a false positive only costs a round trip)."""
    global _tenant_table_names
    if _tenant_table_names is None:
        _tenant_table_names = tuple(t.table for t in tenant_tables())
    return not isinstance(sql, str) or any(name in sql for name in _tenant_table_names)


def _send_scope(execute, sql, params, many, context):
    """Before a query: make the connection act for the current scope, if it does not already."""
    connection = context["connection"]
    raw = connection.connection
    idle = raw.info.transaction_status == TransactionStatus.IDLE
    if connection.rls_tentative and idle:
        # Set inside a transaction that has ended since: a rollback would have undone it.
        connection.rls_applied, connection.rls_tentative = None, False
    statement = sql.lstrip()[:24].upper() if isinstance(sql, str) else ""
    scope = current()
    if (
        connection.rls_applied != scope
        # A query on no tenant table (the host's studio, the session, the user, Wagtail's pages) runs the same in
        # every scope: it need not wait for a round trip. The platform's is always sent (it may need the
        # privileges of the connection's own role: DDL, TRUNCATE).
        and (scope.platform or _reads_tenant_rows(sql))
        and not statement.startswith(_TRANSACTION_CONTROL)
        and not connection.needs_rollback
        and raw.info.transaction_status != TransactionStatus.INERROR  # the query fails anyway: keep its error
    ):
        role = settings.ROW_LEVEL_SECURITY_ROLE if connection.rls_privileged and not scope.platform else "none"
        with raw.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('role', %s, false), set_config(%s, %s, false), set_config(%s, %s, false)",
                [role, STUDIO_IDS, ",".join(map(str, scope.studio_ids)), BYPASS, "on" if scope.platform else ""],
            )
        connection.rls_applied = scope
        connection.rls_tentative = connection.in_atomic_block or raw.info.transaction_status != TransactionStatus.IDLE
    try:
        return execute(sql, params, many, context)
    finally:
        if statement.startswith("ROLLBACK TO SAVEPOINT"):
            connection.rls_applied = None  # the savepoint may predate what was set


# --- The policies --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantTable:
    table: str
    column: str  # the studio key, or the foreign key to the parent
    parent_table: str = ""  # set when the tenant is reached through a parent row
    parent_pk: str = ""

    def condition(self) -> str:
        # Each setting in a scalar subquery: PostgreSQL evaluates it once per query (an InitPlan), not once per
        # row. Written bare, the studio list was parsed from its text for every row scanned: a cold photo page
        # scanning a few thousand images spent ~30 ms there (issue 14). The same condition either way.
        bypass = f"(SELECT current_setting('{BYPASS}', true)) = 'on'"
        if not self.parent_table:
            studios = f"(SELECT string_to_array(current_setting('{STUDIO_IDS}', true), ',')::bigint[])::bigint[]"
            return f'{bypass} OR "{self.column}" = ANY ({studios})'
        # The parent's own policy applies inside the subquery: a child is visible exactly when its parent is.
        # Table and column names come from the models, never from input.
        parent = f'SELECT 1 FROM "{self.parent_table}" AS parent'  # noqa: S608
        return f'{bypass} OR EXISTS ({parent} WHERE parent."{self.parent_pk}" = "{self.table}"."{self.column}")'

    def fingerprint(self) -> str:
        return hashlib.sha256(self.condition().encode()).hexdigest()[:16]


def tenant_tables() -> list[TenantTable]:
    """Every table holding one studio's rows: those with a studio key (today every tenant table), then, as a
    fallback for a table without one, those whose non-null foreign key leads (through any number of parents) to
    one. A table with a studio key is always filtered by it, never through its parent."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    found: dict[str, TenantTable] = {}
    for model in models:
        for field in model._meta.local_concrete_fields:
            if field.many_to_one and field.related_model is Studio and field.name == "studio":
                found[model._meta.db_table] = TenantTable(model._meta.db_table, field.column)
    grew = True
    while grew:
        grew = False
        for model in models:
            if model._meta.db_table in found:
                continue
            for field in model._meta.local_concrete_fields:
                target = field.related_model._meta.db_table if field.is_relation and field.related_model else ""
                if (field.many_to_one or field.one_to_one) and not field.null and target in found:
                    pk = field.target_field.column
                    found[model._meta.db_table] = TenantTable(model._meta.db_table, field.column, target, pk)
                    grew = True
                    break
    return sorted(found.values(), key=lambda t: t.table)


def apply_policies(using: str = "default") -> list[str]:
    """Enable, force and (re)create the policy on every tenant table whose policy is missing or stale; grant the
    scoped role its table privileges. Idempotent and cheap when nothing changed. Returns the tables changed."""
    connection = connections[using]
    if not _is_postgres(connection):
        return []
    role = settings.ROW_LEVEL_SECURITY_ROLE
    tables = tenant_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = session_user")
        superuser = cursor.fetchone()[0]
        if superuser:
            # Roles belong to the whole cluster: a NOLOGIN role with no rights of its own beyond these grants.
            quoted = connection.ops.quote_name(role)
            create = f"CREATE ROLE {quoted} NOLOGIN"
            cursor.execute(f"DO $$ BEGIN {create}; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            quoted = connection.ops.quote_name(role)
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
            cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        cursor.execute(
            """
            SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity, obj_description(p.oid, 'pg_policy')
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = %s
            WHERE c.relkind = 'r'
            """,
            [POLICY],
        )
        existing = {name: (forced, comment) for name, forced, comment in cursor.fetchall()}
        changed = []
        for table in tables:
            if table.table not in existing:
                continue  # an unmigrated app: its turn comes at its own migrate
            if existing[table.table] == (True, table.fingerprint()):
                continue
            name = connection.ops.quote_name(table.table)
            condition = table.condition()
            cursor.execute(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {name}")
            cursor.execute(f"CREATE POLICY {POLICY} ON {name} USING ({condition}) WITH CHECK ({condition})")
            cursor.execute(f"COMMENT ON POLICY {POLICY} ON {name} IS '{table.fingerprint()}'")
            changed.append(table.table)
    if changed:
        logger.info("Row-level security policies applied to %s", ", ".join(changed))
    return changed


def _after_migrate(sender, using="default", **kwargs):
    with platform():
        apply_policies(using)


# --- Wiring ------------------------------------------------------------------------------------------------------


def install(app_config) -> None:
    """Connect the signals (from StudiosConfig.ready)."""
    # Inside a function: Celery's signals are only needed once the app registry is ready.
    from celery import signals as celery_signals
    from django.db.models.signals import post_migrate

    connection_created.connect(_on_connect, dispatch_uid="focusflow-rls-connect")
    post_migrate.connect(_after_migrate, sender=app_config, dispatch_uid="focusflow-rls-policies")
    celery_signals.before_task_publish.connect(_add_scope_header, dispatch_uid="focusflow-rls-publish")
    celery_signals.task_prerun.connect(_enter_task, dispatch_uid="focusflow-rls-prerun")
    celery_signals.task_postrun.connect(_leave_task, dispatch_uid="focusflow-rls-postrun")
    celery_signals.worker_init.connect(_worker_fails_closed, dispatch_uid="focusflow-rls-worker")
    # A connection opened before the signal was connected (none in practice) gets its wrapper now.
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _on_connect(None, connection)
