"""create_studio writes a studio's pages in a fixed number of queries (studios/site_tree.py) rather than through
Wagtail's add_child: the rows must be the ones add_child writes. Each test builds the reference tree Wagtail's way
inside a transaction it rolls back, then provisions the same studio for real, and compares row by row."""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail import hooks
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, PageLogEntry, Site
from wagtail.search.models import IndexEntry

from crm.models import Questionnaire
from studios.provisioning import STUDIO_PAGES_HOOK, create_studio
from tests.factories import ensure_wagtail_roots
from workflows.models import Workflow
from workflows.recipes import RECIPES

pytestmark = pytest.mark.django_db

# Differ between any two inserts of the same page: the row id and the random translation key.
UNIQUE_PER_INSERT = {"id", "page_ptr", "translation_key"}


class Rollback(Exception):
    pass


def page_rows(home: Page) -> list[dict]:
    rows = []
    for page in Page.objects.filter(path__startswith=home.path).order_by("path").specific():
        fields = type(page)._meta.concrete_fields
        rows.append(
            {f.attname: getattr(page, f.attname) for f in fields if f.name not in UNIQUE_PER_INSERT}
            | {"class": type(page).__name__}
        )
    return rows


def index_rows(home: Page) -> list[dict]:
    pages = Page.objects.filter(path__startswith=home.path).order_by("path")
    ids = [str(pk) for pk in pages.values_list("pk", flat=True)]
    entries = {e.object_id: e for e in IndexEntry.objects.filter(object_id__in=ids)}
    # Every column but the row's own id and the page id (SQLite's and PostgreSQL's entries differ in columns).
    fields = [f for f in IndexEntry._meta.concrete_fields if f.name not in ("id", "object_id")]
    return [{f.attname: str(getattr(entries[i], f.attname)) for f in fields} for i in ids if i in entries]


def log_rows(home: Page) -> list[tuple]:
    logs = PageLogEntry.objects.filter(page__path__startswith=home.path).order_by("page__path")
    return list(logs.values_list("action", "label", "content_type_id", "content_changed", "deleted", "user_id", "data"))


def wagtails_own_way(name: str, slug: str) -> tuple[list, list, list]:
    """The studio's pages as the add_child calls before issue 18 made them, then rolled back."""
    try:
        with transaction.atomic():
            home_model = apps.get_model(settings.STUDIOS_HOME_PAGE_MODEL)
            home = Page.get_first_root_node().add_child(instance=home_model(title=name, slug=slug))
            for studio_pages in hooks.get_hooks(STUDIO_PAGES_HOOK):
                for page in studio_pages(None):
                    home.add_child(instance=page)
            found = page_rows(home), index_rows(home), log_rows(home)
            raise Rollback
    except Rollback:
        return found


def test_a_studios_pages_are_the_rows_wagtails_add_child_writes():
    ensure_wagtail_roots()
    create_studio(name="Harbour Portraits", slug="harbour")  # not the first child of the root
    pages, index, logs = wagtails_own_way("Lighthouse Weddings", "lighthouse")
    assert [row["class"] for row in pages] == [
        "StudioHomePage",
        "PortfolioIndexPage",
        "ClientGalleryIndexPage",
        "BookingPage",
    ]
    assert [row["url_path"] for row in pages] == [
        "/lighthouse/",
        "/lighthouse/portfolio/",
        "/lighthouse/galleries/",
        "/lighthouse/book/",
    ]

    studio = create_studio(name="Lighthouse Weddings", slug="lighthouse")

    home = studio.home_page
    assert page_rows(home) == pages  # paths, depth, numchild, url paths, titles, locale, live, content types…
    assert index_rows(home) == index and len(index) == 4
    assert log_rows(home) == logs and len(logs) == 4
    # the treebeard tree stays consistent (numchild, depths, paths)
    assert Page.find_problems() == ([], [], [], [], [])
    assert Collection.find_problems() == ([], [], [], [], [])


def test_what_a_new_studio_gets():
    ensure_wagtail_roots()
    first = create_studio(name="Zephyr Studio", slug="zephyr")
    studio = create_studio(name="Aurora Studio", slug="aurora")

    assert Page.objects.filter(path__startswith=studio.home_page.path).count() == 4
    assert studio.home_page.get_parent() == Page.get_first_root_node()
    assert Site.objects.get(root_page=studio.home_page).hostname == f"aurora.{settings.BASE_DOMAIN}"
    # Appended after the earlier studio's collection (creation order, not name order: studios/site_tree.py).
    assert studio.collection.get_parent() == Collection.get_first_root_node()
    assert studio.collection.path > first.collection.path and studio.collection.numchild == 0
    assert Collection.get_first_root_node().get_children().filter(pk=studio.collection_id).exists()
    assert GroupPagePermission.objects.filter(group=studio.group).count() == 6
    assert GroupCollectionPermission.objects.filter(group=studio.group).count() == 8
    assert studio.group.permissions.count() == 1
    assert Group.objects.filter(name="Studio aurora").count() == 1
    assert Workflow.objects.filter(studio=studio, active=False).count() == len(RECIPES)
    assert list(Questionnaire.objects.filter(studio=studio).values_list("name", flat=True)) == ["Session planning"]


def test_a_home_page_slug_taken_under_the_root_is_refused():
    ensure_wagtail_roots()
    Page.get_first_root_node().add_child(instance=Page(title="Taken", slug="taken"))
    pages = Page.objects.count()
    with pytest.raises(Exception, match="slug"):
        create_studio(name="Taken", slug="taken")
    assert Page.objects.count() == pages
