"""Wagtail admin views outside the listings (its JSON API, reports, autocompletes, chooser and move/preview
steps) never show studio A's photographer anything of studio B's (issue 12)."""

import pytest
from django.contrib.messages import get_messages
from wagtail.models import Task

from tests.studios.conftest import SECRET, assert_nothing_of_b

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/api/main/images/",
        "/admin/api/main/images/?limit=20&offset=20",
        "/admin/api/main/images/?tags=harbour-secret-tag",
        "/admin/api/main/images/?search=Harbour",
        "/admin/api/main/documents/",
        "/admin/api/main/documents/?tags=harbour-secret-tag",
        "/admin/api/main/pages/",
        "/admin/api/main/pages/?search=Harbour",
        "/admin/api/main/pages/?type=cms.PortfolioPage",
    ],
)
def test_admin_api_lists_only_own_studio(a_admin, b_content, url):
    assert_nothing_of_b(a_admin.get(url, HTTP_HOST="localhost"))


@pytest.mark.parametrize("kind", ["image", "document", "page"])
def test_admin_api_detail_of_other_studio_is_404(a_admin, b_content, kind):
    url = f"/admin/api/main/{kind}s/{b_content[kind].pk}/"
    response = a_admin.get(url, HTTP_HOST="localhost")
    assert response.status_code == 404
    assert_nothing_of_b(response)


def test_admin_api_still_lists_own_images(a_admin, studio, b_content):
    from galleries.models import StudioImage

    own = StudioImage.objects.create(
        title="Northlight Own Image", collection=studio.collection, file=b_content["image"].file
    )
    data = a_admin.get("/admin/api/main/images/", HTTP_HOST="localhost").json()
    assert [item["id"] for item in data["items"]] == [own.pk]
    assert data["meta"]["total_count"] == 1


def test_chosen_multiple_reveals_nothing_of_other_studio(a_admin, b_content):
    response = a_admin.get(f"/admin/choose-page/chosen-multiple/?id={b_content['page'].pk}", HTTP_HOST="localhost")
    assert_nothing_of_b(response)


@pytest.mark.parametrize(
    "url",
    ["/admin/reports/page-types-usage/", "/admin/reports/page-types-usage/results/"],
)
def test_page_types_usage_report_counts_only_own_studio(a_admin, b_content, other_studio, url):
    response = a_admin.get(url, HTTP_HOST="localhost")
    assert_nothing_of_b(response)
    assert other_studio.name.encode() not in response.content  # the site filter
    assert other_studio.hostname.encode() not in response.content


def test_workflow_preview_of_other_studios_page_is_refused(a_admin, b_content):
    task = Task.objects.first()
    response = a_admin.get(f"/admin/pages/workflow/preview/{b_content['page'].pk}/{task.pk}/", HTTP_HOST="localhost")
    assert response.status_code in (403, 404)
    assert SECRET not in response.content


@pytest.mark.parametrize("method", ["get", "post"])
def test_moving_other_studios_page_into_own_is_refused(a_admin, b_content, studio, method):
    target = studio.home_page.get_children().first()
    url = f"/admin/pages/{b_content['page'].pk}/move/{target.pk}/confirm/"
    response = getattr(a_admin, method)(url, HTTP_HOST="localhost")
    assert response.status_code in (403, 404), response.status_code
    assert SECRET not in response.content
    assert not any("Harbour Secret" in str(m) for m in get_messages(response.wsgi_request))
    b_content["page"].refresh_from_db()
    assert b_content["page"].get_parent().pk != target.pk


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tag-autocomplete/?term=harb",
        "/admin/tag-autocomplete/wagtailimages/image/?term=harb",
        "/admin/tag-autocomplete/galleries/studioimage/?term=harb",
        "/admin/tag-autocomplete/wagtaildocs/document/?term=harb",
    ],
)
def test_tag_autocomplete_offers_no_other_studios_tags(a_admin, b_content, url):
    response = a_admin.get(url, HTTP_HOST="localhost")
    assert_nothing_of_b(response)


def test_tag_autocomplete_still_offers_own_tags(a_admin, studio, b_content):
    from galleries.models import StudioImage

    own = StudioImage.objects.create(title="Own", collection=studio.collection, file=b_content["image"].file)
    own.tags.add("harbour-view")
    response = a_admin.get("/admin/tag-autocomplete/?term=harb", HTTP_HOST="localhost")
    assert response.json() == ["harbour-view"]


def test_page_types_usage_report_counts_own_pages(a_admin, studio, b_content):
    from cms.models import PortfolioPage

    index = studio.home_page.get_children().first()
    index.add_child(instance=PortfolioPage(title="Northlight Portfolio", slug="own"))
    response = a_admin.get("/admin/reports/page-types-usage/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"Northlight Portfolio" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/admin/bulk/wagtailcore/page/delete/?id=all",
        "/admin/bulk/wagtailcore/page/publish/?id=all&q=Harbour",
        "/admin/bulk/galleries/studioimage/delete/?id=all",
        "/admin/bulk/wagtaildocs/document/delete/?id=all",
    ],
)
def test_bulk_actions_on_all_list_only_own_rows(a_admin, b_content, url):
    assert_nothing_of_b(a_admin.get(url, HTTP_HOST="localhost"))


def test_bulk_actions_refuse_other_studios_ids_and_parents(a_admin, b_content, other_photographer, studio):
    own_page = studio.home_page.get_children().first()
    for url in [
        f"/admin/bulk/wagtailcore/page/delete/?id={own_page.pk}&id={b_content['page'].pk}",
        f"/admin/bulk/wagtailcore/page/delete/?id=all&childOf={b_content['page'].get_parent().pk}",
        f"/admin/bulk/galleries/studioimage/add_tags/?id={b_content['image'].pk}",
        f"/admin/bulk/accounts/user/delete/?id={other_photographer.pk}",
    ]:
        response = a_admin.get(url, HTTP_HOST="localhost")
        assert response.status_code == 404, url
        assert_nothing_of_b(response)
    page = b_content["page"]
    a_admin.post(f"/admin/bulk/wagtailcore/page/unpublish/?id={page.pk}", HTTP_HOST="localhost")
    page.refresh_from_db()
    assert page.live
