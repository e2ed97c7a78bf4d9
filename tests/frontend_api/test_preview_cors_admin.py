"""Headless preview, per-studio CORS, and the Developers admin, each tried by the other studio."""

import re
import time
from types import SimpleNamespace
from unittest import mock
from urllib.parse import unquote

import pytest
from django.core import signing
from django.core.signing import TimestampSigner

from cms.models import PortfolioPage
from frontend_api.models import ApiKey, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def draft_portfolio(studio, title="Weddings"):
    index = studio.home_page.get_children().first()
    page = index.add_child(instance=PortfolioPage(title=title, slug="weddings", live=True))
    return page


def preview_token(response):
    return unquote(re.search(r"token=([^&\"']+)", response.content.decode()).group(1))


def start_preview(admin, page, title):
    return admin.post(
        f"/admin/pages/{page.pk}/edit/preview/",
        {"title": title, "slug": page.slug, "body-count": 0},
        HTTP_HOST="localhost",
    )


@pytest.fixture
def previewing(studio, photographer, admin_client_for):
    studio.preview_url = "https://www.northlight.example/preview"
    studio.save()
    page = draft_portfolio(studio)
    admin = admin_client_for(photographer)
    assert start_preview(admin, page, "Weddings (draft)").json()["is_valid"]
    response = admin.get(f"/admin/pages/{page.pk}/edit/preview/", HTTP_HOST="localhost")
    return page, response


def test_preview_opens_the_studios_own_client_site(previewing):
    page, response = previewing
    assert response.status_code == 200
    assert "https://www.northlight.example/preview/?content_type=cms.portfoliopage" in response.content.decode()


def test_client_site_fetches_the_draft_by_token(client, studio, previewing):
    page, response = previewing
    token = preview_token(response)

    data = client.get(
        "/api/v2/page_preview/", {"content_type": "cms.portfoliopage", "token": token}, HTTP_HOST=studio.hostname
    ).json()

    assert data["title"] == "Weddings (draft)"
    page.refresh_from_db()
    assert page.title == "Weddings"  # the live page is untouched


def test_another_studios_host_cannot_read_the_draft(client, other_studio, previewing):
    token = preview_token(previewing[1])
    response = client.get(
        "/api/v2/page_preview/", {"content_type": "cms.portfoliopage", "token": token}, HTTP_HOST=other_studio.hostname
    )
    assert response.status_code == 404
    assert "Weddings" not in response.content.decode()


def test_stale_or_forged_preview_tokens_are_refused(client, studio, previewing, settings):
    token = preview_token(previewing[1])
    settings.HEADLESS_PREVIEW_MAX_AGE_SECONDS = 3600
    # An hour and a second later on the signer's clock (django.core.signing's own `time`), not a real wait.
    an_hour_later = time.time() + 3601
    with mock.patch.object(signing, "time", SimpleNamespace(time=lambda: an_hour_later)):
        expired = client.get(
            "/api/v2/page_preview/", {"content_type": "cms.portfoliopage", "token": token}, HTTP_HOST=studio.hostname
        )
    assert expired.status_code == 410
    assert expired.json()["error"]["code"] == "preview_expired"

    forged = TimestampSigner(salt="something-else").sign("id=1")
    response = client.get(
        "/api/v2/page_preview/", {"content_type": "cms.portfoliopage", "token": forged}, HTTP_HOST=studio.hostname
    )
    assert response.status_code == 404


def test_studio_without_client_site_previews_in_the_built_in_theme(studio, photographer, admin_client_for):
    page = draft_portfolio(studio)
    admin = admin_client_for(photographer)
    start_preview(admin, page, "Weddings (draft)")
    response = admin.get(f"/admin/pages/{page.pk}/edit/preview/", HTTP_HOST="localhost")
    assert b"Weddings (draft)" in response.content
    assert b"Northlight Photography" in response.content


def test_cors_allows_exactly_the_studios_own_domains(client, studio, other_studio):
    from studios.models import StudioDomain

    StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example", is_verified=True)

    def allowed(origin):
        response = client.get("/api/v2/pages/", HTTP_HOST=studio.hostname, HTTP_ORIGIN=origin)
        return response.get("Access-Control-Allow-Origin")

    assert allowed(f"http://{studio.hostname}") == f"http://{studio.hostname}"
    assert allowed("https://photos.northlight.example") == "https://photos.northlight.example"
    assert allowed(f"http://{other_studio.hostname}") is None
    assert allowed("https://evil.example") is None


@pytest.mark.parametrize(
    "path",
    ["/api/client/galleries/1/favorites/", "/api/client/bookings/", "/api/studio/bookings/", "/api/nowhere/"],
)
def test_a_browsers_preflight_allows_the_documented_headers(client, studio, path):
    """A client site on the studio's domain sends the gallery token in `X-Gallery-Token` and a retry key in
    `Idempotency-Key` (docs/api.md): the browser asks first (OPTIONS), and must be allowed both."""
    from studios.models import StudioDomain

    StudioDomain.objects.create(studio=studio, hostname="www.northlight.example", is_verified=True)
    asked = "authorization, content-type, idempotency-key, x-gallery-token"
    response = client.options(
        path,
        HTTP_HOST=studio.hostname,
        HTTP_ORIGIN="https://www.northlight.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=asked,
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://www.northlight.example"
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert set(asked.split(", ")) <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]

    # Another site's browser is told nothing.
    refused = client.options(
        path,
        HTTP_HOST=studio.hostname,
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=asked,
    )
    assert "Access-Control-Allow-Origin" not in refused


def test_browsers_may_read_the_retry_headers(client, studio):
    """`Retry-After` (429, 503 download_preparing) and `Idempotent-Replayed` are not CORS-safelisted: a
    cross-origin script sees them only when exposed."""
    response = client.get("/api/client/packages/", HTTP_HOST=studio.hostname, HTTP_ORIGIN=f"http://{studio.hostname}")
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"retry-after", "idempotent-replayed"} <= exposed


@pytest.fixture
def b_developer_objects(other_studio):
    key, _ = ApiKey.issue(studio=other_studio, name="Harbour Secret Key")
    endpoint = WebhookEndpoint.objects.create(studio=other_studio, url="https://harbour-secret.example/hook")
    delivery = WebhookDelivery.objects.create(
        studio=other_studio, endpoint=endpoint, event_id="evt_1", event="invoice.paid", payload={"id": "evt_1"}
    )
    return {"key": key, "endpoint": endpoint, "delivery": delivery}


def test_photographer_creates_an_api_key_and_sees_it_once(studio, photographer, admin_client_for):
    admin = admin_client_for(photographer)
    response = admin.post(
        "/admin/developers/api-keys/new/", {"name": "Vercel site", "scope": "write"}, HTTP_HOST="localhost"
    )

    key = ApiKey.objects.get(studio=studio)
    secret = re.search(r"ff_[0-9a-f]{8}_[\w-]+", response.content.decode()).group(0)
    assert key.secret_hash == ApiKey.hash_secret(secret.split("_", 2)[2])
    listing = admin.get("/admin/developers/api-keys/", HTTP_HOST="localhost").content.decode()
    assert "Vercel site" in listing and secret not in listing


@pytest.mark.parametrize(
    "url",
    [
        "/admin/developers/api-keys/edit/{key}/",
        "/admin/developers/api-keys/delete/{key}/",
        "/admin/developers/webhook-endpoints/edit/{endpoint}/",
        "/admin/developers/webhook-endpoints/inspect/{endpoint}/",
        "/admin/developers/webhook-endpoints/delete/{endpoint}/",
        "/admin/developers/webhook-deliveries/inspect/{delivery}/",
        "/admin/developers/webhook-deliveries/resend/{delivery}/",
    ],
)
def test_developers_admin_never_opens_another_studios_objects(photographer, admin_client_for, b_developer_objects, url):
    admin = admin_client_for(photographer)
    url = url.format(**{k: v.pk for k, v in b_developer_objects.items()})
    for method in ("get", "post"):
        response = getattr(admin, method)(url, HTTP_HOST="localhost")
        assert response.status_code in (403, 404), (method, response.status_code)
    assert ApiKey.objects.get(pk=b_developer_objects["key"].pk).is_active
    assert WebhookEndpoint.objects.filter(pk=b_developer_objects["endpoint"].pk).exists()


@pytest.mark.parametrize(
    "url",
    ["/admin/developers/api-keys/", "/admin/developers/webhook-endpoints/", "/admin/developers/webhook-deliveries/"],
)
def test_developers_listings_show_only_own_studio(photographer, admin_client_for, b_developer_objects, url):
    response = admin_client_for(photographer).get(url, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"Harbour Secret Key" not in response.content and b"harbour-secret" not in response.content


def test_revoking_a_key_in_the_admin(studio, photographer, admin_client_for):
    key, _ = ApiKey.issue(studio=studio, name="Old site")
    admin_client_for(photographer).post(f"/admin/developers/api-keys/delete/{key.pk}/", HTTP_HOST="localhost")
    key.refresh_from_db()
    assert not key.is_active


def test_api_keys_need_a_plan_with_api_access(studio, photographer, admin_client_for):
    from tests.frontend_api.conftest import on_plan

    on_plan(studio, "starter")
    response = admin_client_for(photographer).post(
        "/admin/developers/api-keys/new/", {"name": "Site", "scope": "read"}, HTTP_HOST="localhost"
    )
    assert response.status_code == 200
    assert b"does not include API keys" in response.content
    assert not ApiKey.objects.filter(studio=studio).exists()
