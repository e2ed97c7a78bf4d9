"""Provisioning costs the same number of queries however many studios exist (issue 18), and the search index
still finds the new studio's pages (its title norms are set per new row, studios/search.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from studios.provisioning import create_studio
from tests.factories import ensure_wagtail_roots

pytestmark = pytest.mark.django_db


def queries_of_one_more(slug: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        create_studio(name=f"Studio {slug}", slug=slug)
    return len(captured)


def test_provisioning_queries_do_not_grow_with_studios():
    ensure_wagtail_roots()
    create_studio(name="First", slug="first")
    early = queries_of_one_more("early")
    for i in range(12):
        create_studio(name=f"Filler {i}", slug=f"filler{i}")
    late = queries_of_one_more("late")
    assert late == early
    # A ceiling, not a count (33 on PostgreSQL, 44 on SQLite): the four pages in one insert plus one per page
    # type, their log entries in one, the search index (an insert per page type, one update of the title norms),
    # the site, the collection, the group and its permissions, the "Session planning" questionnaire (crm) and the
    # workflow recipes (one insert). Wagtail's add_child per page took 122 (studios/site_tree.py).
    assert late <= 45


def test_a_new_studios_pages_are_searchable():
    ensure_wagtail_roots()
    create_studio(name="Harbour Portraits", slug="harbour")
    studio = create_studio(name="Lighthouse Weddings", slug="lighthouse")
    found = list(Page.objects.filter(path__startswith=studio.home_page.path).search("Lighthouse"))
    assert [p.pk for p in found] == [studio.home_page_id]
