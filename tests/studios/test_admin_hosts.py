"""In production the admin answers on the platform's hosts only (studios/admin_hosts.py, issue 12): /admin/ and
/django-admin/ on a studio's subdomain or custom domain are the site's ordinary 404, for every admin URL the
project serves. Development keeps the admin on every host (`make run`)."""

import re

import pytest
from django.core.exceptions import ValidationError

from cms.models import PortfolioPage
from studios import url_registry
from studios.models import Studio, StudioDomain
from studios.provisioning import create_studio

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_on_platform_only(settings):
    settings.ADMIN_ON_PLATFORM_HOSTS_ONLY = True
    settings.ADMIN_HOSTS = ["localhost"]
    settings.DEFAULT_STUDIO_SLUG = ""


@pytest.fixture
def custom_domain(studio):
    return StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example", is_verified=True).hostname


def admin_urls():
    """Every admin pattern the project serves (Wagtail's, ours, Django's), its parameters filled with 1."""
    urls = []
    for pattern in url_registry.served_patterns():
        if not pattern.route.startswith(("admin/", "django-admin/")):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", "1", pattern.route)
        url = re.sub(r"\(\?P<\w+>[^)]*\)", "1", url)
        urls.append("/" + url.replace("^", "").replace("$", "").replace("\\", ""))
    return sorted(set(urls))


def ordinary_404(client, host):
    response = client.get("/no-such-page-here/", HTTP_HOST=host)
    assert response.status_code == 404
    return response.content


@pytest.mark.parametrize("host_kind", ["subdomain", "custom domain"])
def test_every_admin_url_is_the_sites_ordinary_404_on_a_studio_host(
    admin_on_platform_only, admin_client_for, photographer, studio, custom_domain, host_kind, capsys
):
    host = studio.hostname if host_kind == "subdomain" else custom_domain
    admin = admin_client_for(photographer)  # signed in: the session cookie must not open the admin either
    expected = ordinary_404(admin, host)
    urls = admin_urls()
    answered = []
    for url in urls:
        for method in ("get", "post"):
            response = getattr(admin, method)(url, HTTP_HOST=host)
            if response.status_code != 404 or response.content != expected:
                answered.append(f"{method.upper()} {url}: {response.status_code}")
    with capsys.disabled():
        print(f"\nadmin URLs refused on a studio {host_kind}: {len(urls)} URLs x GET/POST = {2 * len(urls)} requests")
    assert len(urls) >= 400, len(urls)
    assert not answered, f"{len(answered)} admin requests answer on {host}:\n" + "\n".join(answered[:40])


@pytest.mark.parametrize(
    "url",
    [
        "/admin",
        "/admin/",
        "/admin/login/",
        "/admin/password_reset/",
        "/admin/api/main/pages/",
        "/django-admin",
        "/django-admin/",
        "/django-admin/login/",
    ],
)
def test_no_sign_in_form_or_redirect_on_a_studio_host(admin_on_platform_only, client, studio, url):
    response = client.get(url, HTTP_HOST=studio.hostname)
    assert response.status_code == 404
    assert "Location" not in response
    assert b"password" not in response.content.lower() and b"admin" not in response.content.lower()


def test_signing_in_on_a_studio_host_is_refused(admin_on_platform_only, client, studio, photographer):
    photographer.set_password("correct horse battery")
    photographer.save()
    response = client.post(
        "/admin/login/",
        {"username": photographer.email, "password": "correct horse battery"},
        HTTP_HOST=studio.hostname,
    )
    assert response.status_code == 404
    assert "_auth_user_id" not in client.session


def test_the_platform_host_serves_the_admin(admin_on_platform_only, client, admin_client_for, photographer, studio):
    assert client.get("/admin/login/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/django-admin/login/", HTTP_HOST="localhost").status_code == 200
    admin = admin_client_for(photographer)
    assert admin.get("/admin/", HTTP_HOST="localhost").status_code == 200
    assert admin.get("/admin/", HTTP_HOST="LOCALHOST:8000").status_code == 200
    # the studio's site itself is untouched
    assert client.get("/", HTTP_HOST=studio.hostname).status_code == 200


def test_the_admin_links_to_the_studios_own_site_from_the_platform_host(
    admin_on_platform_only, admin_client_for, photographer, studio
):
    index = studio.home_page.get_children().first()
    page = index.add_child(instance=PortfolioPage(title="Weddings", slug="weddings"))
    page.save_revision().publish()
    admin = admin_client_for(photographer)

    listing = admin.get(f"/admin/pages/{index.pk}/", HTTP_HOST="localhost")
    edit = admin.get(f"/admin/pages/{page.pk}/edit/", HTTP_HOST="localhost")

    # Site URLs are absolute per studio (its Site's hostname), so "View live" leaves the platform host.
    live = f"http://{studio.hostname}/{index.slug}/weddings/".encode()
    assert live in listing.content and live in edit.content


def test_the_built_in_preview_works_from_the_platform_host(
    admin_on_platform_only, admin_client_for, photographer, studio
):
    index = studio.home_page.get_children().first()
    page = index.add_child(instance=PortfolioPage(title="Weddings", slug="weddings"))
    admin = admin_client_for(photographer)

    started = admin.post(
        f"/admin/pages/{page.pk}/edit/preview/",
        {"title": "Weddings (draft)", "slug": page.slug, "body-count": 0},
        HTTP_HOST="localhost",
    )
    preview = admin.get(f"/admin/pages/{page.pk}/edit/preview/", HTTP_HOST="localhost")

    assert started.json()["is_valid"]
    assert preview.status_code == 200
    assert b"Weddings (draft)" in preview.content and b"Northlight Photography" in preview.content


def test_development_keeps_the_admin_on_every_host(client, studio, settings):
    assert settings.ADMIN_ON_PLATFORM_HOSTS_ONLY is False
    assert client.get("/admin/login/", HTTP_HOST=studio.hostname).status_code == 200


def test_a_studio_cannot_take_the_admins_host(settings, db):
    settings.ADMIN_HOSTS = ["app.localhost"]
    with pytest.raises(ValidationError) as caught:
        create_studio(name="App", slug="app")
    assert "reserved for the platform" in str(caught.value)
    assert not Studio.objects.filter(slug="app").exists()


def test_a_custom_domain_cannot_be_the_admins_host(settings, studio):
    settings.ADMIN_HOSTS = ["admin.focusflow.example"]
    with pytest.raises(ValidationError):
        StudioDomain(studio=studio, hostname="Admin.FocusFlow.example").full_clean()
