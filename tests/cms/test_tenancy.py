"""The studio comes from the Host header; unknown hosts get 404."""

import pytest

from studios.models import StudioDomain

pytestmark = pytest.mark.django_db


def test_subdomain_serves_that_studios_site(client, studio, other_studio):
    response = client.get("/", HTTP_HOST=studio.hostname)
    assert response.status_code == 200
    assert b"Northlight Photography" in response.content
    assert b"Harbour Studio" not in response.content

    response = client.get("/", HTTP_HOST=f"{other_studio.hostname}:8000")
    assert response.status_code == 200
    assert b"Harbour Studio" in response.content


def test_verified_custom_domain_serves_the_studio(client, studio):
    StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example", is_verified=True)

    response = client.get("/portfolio/", HTTP_HOST="Photos.Northlight.example")

    assert response.status_code == 200
    assert response.wsgi_request.studio == studio


def test_unverified_custom_domain_is_not_served(client, studio):
    StudioDomain.objects.create(studio=studio, hostname="pending.example", is_verified=False)
    assert client.get("/", HTTP_HOST="pending.example").status_code == 404


@pytest.mark.parametrize("host", ["unknown.example", "nosuchstudio.localhost", "a.b.localhost", "placeholder.invalid"])
def test_unknown_hosts_get_404(client, studio, host):
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 404
    assert b"Northlight" not in response.content


def test_unknown_host_on_api_gets_json_404(client, studio):
    response = client.get("/api/client/galleries/1/", HTTP_HOST="unknown.example")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_site"


def test_api_accepts_site_parameter(client, studio):
    response = client.get("/api/client/nothing/", {"site": studio.hostname}, HTTP_HOST="localhost")
    assert response.wsgi_request.studio == studio
    response = client.get("/api/client/nothing/", {"site": "unknown.example"}, HTTP_HOST="localhost")
    assert response.json()["error"]["code"] == "unknown_site"


def test_platform_host_serves_the_admin_but_no_studio_pages(client, studio, settings):
    settings.DEFAULT_STUDIO_SLUG = ""
    assert client.get("/admin/login/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/", HTTP_HOST="localhost").status_code == 404


def test_development_platform_host_answers_as_the_demo_studio(client, studio, settings):
    settings.DEFAULT_STUDIO_SLUG = "northlight"
    response = client.get("/", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.wsgi_request.studio == studio


def test_healthz_answers_on_any_host(client, db):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json()["checks"]["database"]["ok"] is True


def test_custom_domain_cannot_claim_a_platform_address(studio):
    from django.core.exceptions import ValidationError

    domain = StudioDomain(studio=studio, hostname="harbour.localhost")
    with pytest.raises(ValidationError, match="platform address"):
        domain.full_clean()


def test_a_custom_domain_needs_a_plan_that_includes_one(studio):
    from django.core.exceptions import ValidationError

    from studio_settings.domains import add_domain
    from tests.frontend_api.conftest import on_plan

    # The plan is checked by the service that adds a domain, not by the model.
    on_plan(studio, "starter")
    with pytest.raises(ValidationError, match="does not include a custom domain"):
        add_domain(studio, "photos.northlight.example")
    assert not StudioDomain.objects.filter(hostname="photos.northlight.example").exists()
    on_plan(studio, "professional")
    add_domain(studio, "photos.northlight.example")
