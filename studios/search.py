"""The search backend: Wagtail's database backend, with PostgreSQL's title norms kept per row (issue 18).

After indexing one object, the stock PostgreSQL index averages the title length of *every* entry on the
platform and then updates every entry whose norm is still 1.0 (no index on it): two scans of the whole
`wagtailsearch_indexentry` table on each page save, image upload and studio provisioning, growing with the
number of studios. Here the new rows' norms are set from an average that is cached (recomputed at most hourly,
and in full by `update_index`/`rebuild`), in one UPDATE of those rows by their unique key."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, F, Q
from django.db.models.functions import Length

AVERAGE_KEY = "studios:search-title-length-average:v1"
AVERAGE_SECONDS = 3600


_deferred_norms: ContextVar[list | None] = ContextVar("studios_search_deferred_norms", default=None)


@contextmanager
def title_norms_once():
    """Inside, each indexing call leaves its new rows' title norms for one UPDATE at the end (and one read of the
    cached average) instead of one each: provisioning indexes four page types (studios/site_tree.py). On SQLite,
    whose backend keeps no norms, it changes nothing."""
    pending = []
    token = _deferred_norms.set(pending)
    try:
        yield
    finally:
        _deferred_norms.reset(token)
    # Each model has its own index object, but they write one table per database.
    by_database = {}
    for index, added in pending:
        by_database.setdefault(index.write_connection.alias, (index, []))[1].append(added)
    for index, added in by_database.values():
        index.set_title_norms(added)


def SearchBackend(params):  # noqa: N802 - the name Wagtail's settings look up in a backend module
    if connection.vendor != "postgresql":
        from modelsearch.backends.database import SearchBackend as stock  # only PostgreSQL's needs this

        return stock(params)
    return _postgres_backend_class()(params)


def _postgres_backend_class():
    # Imported on first use: the PostgreSQL backend module needs psycopg and the app registry.
    from modelsearch.backends.database.postgres.postgres import PostgresIndex, PostgresSearchBackend
    from modelsearch.utils import get_content_type_pk

    class StudioPostgresIndex(PostgresIndex):
        def add_items(self, model, objs):
            self._just_added = (get_content_type_pk(model), [str(obj.pk) for obj in objs])
            try:
                super().add_items(model, objs)
            finally:
                self._just_added = None

        def _refresh_title_norms(self, full=False):
            added = getattr(self, "_just_added", None)
            if full or not added:
                super()._refresh_title_norms(full=full)
                cache.delete(AVERAGE_KEY)
                return
            pending = _deferred_norms.get()
            if pending is not None:
                pending.append((self, added))  # set at the end of title_norms_once()
                return
            self.set_title_norms([added])

        def set_title_norms(self, added: list[tuple[int, list[str]]]):
            """The norms of the new rows `added` ((content type, object ids) pairs), in one UPDATE."""
            average = cache.get(AVERAGE_KEY)
            if average is None:
                average = (
                    self.entries.annotate(title_length=Length("title"))
                    .filter(title_length__gt=0)
                    .aggregate(Avg("title_length"))["title_length__avg"]
                )
                cache.set(AVERAGE_KEY, average or 0, AVERAGE_SECONDS)
            which = Q(pk__in=[])
            for content_type_pk, object_ids in added:
                which |= Q(content_type_id=content_type_pk, object_id__in=object_ids)
            rows = self.entries.filter(which, title_norm=1.0)
            rows.annotate(title_length=Length("title")).filter(title_length__gt=0).update(
                title_norm=(average or 1.0) / F("title_length")
            )

    class StudioPostgresSearchBackend(PostgresSearchBackend):
        index_class = StudioPostgresIndex

    return StudioPostgresSearchBackend
