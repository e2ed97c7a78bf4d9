"""A studio's request costs the same however many studios the platform hosts (issue 18): it loads only its own
site's root path (studios/site_roots.py), and its host → studio lookup is one cache read (studios/tenancy.py).
Platform staff keep Wagtail's multi-site behaviour."""

import pytest
from wagtail.models import Page, Site

from studios import site_roots
from studios.models import StudioDomain
from studios.tenancy import studio_for_host
from tests.factories import photographer_for

pytestmark = pytest.mark.django_db

EXTRA_SITES = 30


@pytest.fixture
def many_sites(studio, other_studio):
    """Thirty more sites, each with its own root page, beside the two studios."""
    root = Page.get_first_root_node()
    for i in range(EXTRA_SITES):
        page = root.add_child(instance=Page(title=f"Other {i}", slug=f"other-{i}"))
        Site.objects.create(hostname=f"other{i}.example", port=80, root_page=page)
    Site.clear_site_root_paths_cache()
    return Site.objects.count()


@pytest.fixture
def wagtail_calls(monkeypatch):
    """Counts calls of Wagtail's own (every site) Site.get_site_root_paths."""
    calls = []
    original = site_roots._wagtail_get_site_root_paths

    def counted():
        result = original()
        calls.append(len(result))
        return result

    monkeypatch.setattr(site_roots, "_wagtail_get_site_root_paths", counted)
    return calls


@pytest.mark.parametrize("path", ["/", "/portfolio/", "/book/", "/api/v2/pages/"])
def test_a_studio_request_loads_only_its_own_site_root_path(client, studio, many_sites, wagtail_calls, path):
    response = client.get(path, HTTP_HOST=studio.hostname)

    assert response.status_code == 200
    assert wagtail_calls == []  # Wagtail's list of every site's root path was never read
    loaded = response.wsgi_request._wagtail_cached_site_root_paths
    assert [p.site_id for p in loaded] == [studio.site_id]
    assert many_sites > EXTRA_SITES


def test_studio_pages_link_to_their_own_site(client, studio, other_studio, many_sites):
    home = client.get("/", HTTP_HOST=studio.hostname)
    assert b'href="/portfolio/"' in home.content  # the menu, relative on the studio's own host

    pages = client.get("/api/v2/pages/", HTTP_HOST=studio.hostname).json()["items"]
    urls = {p["meta"]["html_url"] for p in pages}
    assert "http://northlight.localhost/portfolio/" in urls
    assert not any("harbour" in u or "example" in u for u in urls)


def test_a_photographers_admin_loads_only_their_studio_and_links_to_its_host(
    client, studio, other_studio, many_sites, wagtail_calls
):
    client.force_login(photographer_for(studio))
    response = client.get(f"/admin/pages/{studio.home_page_id}/", HTTP_HOST="localhost")

    assert response.status_code == 200
    assert wagtail_calls == []
    loaded = {p.site_id for p in response.wsgi_request._wagtail_cached_site_root_paths}
    default_site = Site.objects.get(is_default_site=True)
    assert loaded == {studio.site_id, default_site.pk}
    # "View live" on the platform host goes to the studio's own host.
    assert b"http://northlight.localhost/portfolio/" in response.content


def test_platform_staff_keep_every_site(client, studio, other_studio, many_sites, wagtail_calls, django_user_model):
    staff = django_user_model.objects.create_superuser(username="root@x.test", email="root@x.test", password="pw")
    client.force_login(staff)
    response = client.get(f"/admin/pages/{other_studio.home_page_id}/", HTTP_HOST="localhost")

    assert response.status_code == 200
    assert wagtail_calls and wagtail_calls[0] == many_sites
    assert b"http://harbour.localhost/portfolio/" in response.content


def test_outside_a_request_wagtail_sees_every_site(studio, other_studio, many_sites):
    assert len(Site.get_site_root_paths()) == many_sites
    portfolio = Page.objects.get(url_path=f"{studio.home_page.url_path}portfolio/")
    assert portfolio.full_url == "http://northlight.localhost/portfolio/"
    with site_roots.narrow([site_roots.root_path_of(studio.site)]):
        assert [p.site_id for p in Site.get_site_root_paths()] == [studio.site_id]
        assert Page.objects.get(pk=portfolio.pk).get_url() == "/portfolio/"


def test_host_to_studio_is_one_cache_read(studio, django_assert_num_queries):
    assert studio_for_host(studio.hostname) == studio  # looked up once
    with django_assert_num_queries(0):
        cached = studio_for_host(studio.hostname.upper())
        assert cached == studio
        assert site_roots.root_path_of(cached.site).root_path == studio.home_page.url_path


def test_the_cached_studio_follows_changes(client, studio):
    assert client.get("/", HTTP_HOST=studio.hostname).wsgi_request.studio.name == "Northlight Photography"
    studio.name = "Northlight & Co"
    studio.save()
    assert client.get("/", HTTP_HOST=studio.hostname).wsgi_request.studio.name == "Northlight & Co"

    # A host no studio answered at is cached too, and forgotten when a domain there is verified.
    assert client.get("/", HTTP_HOST="photos.example").status_code == 404
    domain = StudioDomain.objects.create(studio=studio, hostname="photos.example", is_verified=False)
    assert client.get("/", HTTP_HOST="photos.example").status_code == 404
    domain.is_verified = True
    domain.save()
    assert client.get("/", HTTP_HOST="photos.example").wsgi_request.studio == studio

    # The home page's slug is the site root path: changing it is seen on the next request.
    home = studio.home_page.specific
    home.slug = "northlight-home"
    home.save()
    response = client.get("/portfolio/", HTTP_HOST=studio.hostname)
    assert response.status_code == 200
    assert response.wsgi_request._wagtail_cached_site_root_paths[0].root_path == "/northlight-home/"


def test_the_studio_api_loads_only_the_keys_studio_site(client, studio, other_studio, many_sites, wagtail_calls):
    from billing.models import Plan, StudioSubscription
    from frontend_api.models import ApiKey

    StudioSubscription.objects.update_or_create(
        studio=studio, defaults={"plan": Plan.objects.get(code="studio"), "status": "active"}
    )
    secret = ApiKey.issue(studio=studio, name="Client site")[1]
    response = client.get("/api/studio/galleries/", HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 200
    assert wagtail_calls == []
    assert [p.site_id for p in response.wsgi_request._wagtail_cached_site_root_paths] == [studio.site_id]
