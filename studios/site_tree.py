"""A new studio's place in Wagtail's trees, written in a fixed number of queries (issue 18).

Wagtail's `add_child` costs, per page, a lock and re-read of the parent, a full_clean that asks the database
whether the locale, content type, path and translation key exist, a site-root check, one log entry insert and one
search-index insert and update: about 30 queries a page. A studio's pages are all new and their place is known, so
here the home page and its children are inserted in one statement for `wagtailcore_page`, one per page type for
the specific tables, one for their log entries, one per page type for the search index and one for its title
norms: the same rows Wagtail's own path writes (tests/studios/test_provisioning_same_rows.py compares them, so
an upgrade of Wagtail or treebeard that changes what a new page gets fails there; the private helpers used here,
`_inc_path`, `_get_path`, `_slug_is_available` and the manager's `_insert`, are the ones their own code uses).

Collections are ordered by name among their siblings in Wagtail (`node_order_by`): inserting a studio's
collection under the platform root in name order rewrites the path of every studio collection whose name sorts
after it, a cost that grows with the number of studios. A studio's collection is appended last instead
(creation order), as its home page is among the pages; a studio only ever sees its own collection subtree."""

from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import F
from django.utils import timezone
from modelsearch.backends import get_search_backends
from wagtail.log_actions import get_active_log_context
from wagtail.models import Collection, Page, PageLogEntry

from .search import title_norms_once


def _next_child_path(node_cls, parent) -> str:
    last = parent.get_children().order_by("-path").values_list("path", flat=True).first()
    if last is None:
        return node_cls._get_path(parent.path, parent.depth + 1, 1)
    return node_cls(path=last)._inc_path()  # raises treebeard's PathOverflow past the last key


def add_site_root(home: Page, children: list[Page]) -> Page:
    """Insert `home` as the last child of Wagtail's root page and `children` under it, in their order, live,
    logged ("wagtail.create") and indexed for search. Returns `home`, saved. The pages are not full_clean'ed:
    the home page's title and slug are the studio's name and slug, which Studio.full_clean has validated, and the
    children are the apps' fixed pages; the one check that needs the database, the slug among the root's
    children, is made here."""
    # Locked as treebeard's add_child locks the parent: two studios made at once queue for the next path.
    root = Page.objects.select_for_update().filter(depth=1).order_by("path").first()
    if not Page._slug_is_available(home.slug, root):
        raise ValidationError({"slug": f"The slug '{home.slug}' is already in use within the parent page at '/'."})

    home.depth, home.path, home.numchild = 2, _next_child_path(Page, root), len(children)
    for position, child in enumerate(children, start=1):
        child.depth, child.path, child.numchild = 3, Page._get_path(home.path, 3, position), 0
    pages = [home, *children]
    for page in pages:
        # What Page.full_clean and Page.save set on a new page (`_set_core_field_defaults`, `set_url_path`).
        page.draft_title = page.draft_title or page.title
        page.locale_id = root.locale_id
    home.url_path = f"{root.url_path}{home.slug}/"
    for child in children:
        child.url_path = f"{home.url_path}{child.slug}/"
        child._cached_parent_obj = home
    home._cached_parent_obj = root

    base_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    rows = Page.objects.bulk_create([Page(**{f.attname: getattr(p, f.attname) for f in base_fields}) for p in pages])
    db = router.db_for_write(Page)
    for page, row in zip(pages, rows, strict=True):
        page.id = page.pk = row.pk  # the specific model's pk is its page_ptr
        model = type(page)
        model._base_manager._insert([page], fields=model._meta.local_concrete_fields, using=db, raw=True)
        page._state.adding, page._state.db = False, db
    Page.objects.filter(pk=root.pk).update(numchild=F("numchild") + 1)

    _log_created(pages)
    _index(pages)
    return home


def _log_created(pages: list[Page]) -> None:
    # As Page.save logs a new page: action "wagtail.create", the acting user and uuid of the log context.
    context = get_active_log_context()
    now = timezone.now()
    PageLogEntry.objects.bulk_create(
        PageLogEntry(
            page_id=page.pk,
            content_type_id=page.content_type_id,
            label=PageLogEntry.objects.get_instance_title(page),
            action="wagtail.create",
            data={},
            timestamp=now,
            user=page.owner or context.user,
            uuid=context.uuid,
            content_changed=True,
        )
        for page in pages
    )


def _index(pages: list[Page]) -> None:
    """What modelsearch's post_save handler does for each page (insert_or_update_object), one call per page type."""
    by_model: dict[type, list[Page]] = {}
    for page in pages:
        if getattr(type(page), "search_auto_update", True):
            by_model.setdefault(type(page), []).append(page)
    with title_norms_once():
        for backend in get_search_backends(with_auto_update=True):
            for model, objs in by_model.items():
                backend.add_bulk(model, objs)


def add_root_collection(name: str) -> Collection:
    """A collection under the platform's root collection, appended last (see the module's note)."""
    root = Collection.objects.select_for_update().filter(depth=1).order_by("path").first()
    path = _next_child_path(Collection, root)
    Collection.objects.filter(pk=root.pk).update(numchild=F("numchild") + 1)
    return Collection.objects.create(name=name, path=path, depth=2, numchild=0)
