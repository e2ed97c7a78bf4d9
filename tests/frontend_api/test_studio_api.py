"""The studio API: API keys (hashed, scoped, revocable), isolation, throttling."""

import pytest

from frontend_api.models import ApiKey, WebhookEndpoint
from tests.frontend_api.conftest import bearer

pytestmark = pytest.mark.django_db
URL = "/api/studio/webhook-endpoints/"


def test_key_is_stored_hashed_with_a_visible_prefix(studio):
    key, secret = ApiKey.issue(studio=studio, name="Site")
    assert secret.startswith(f"ff_{key.prefix}_")
    assert secret.split("_", 2)[2] not in key.secret_hash
    assert key.secret_hash == ApiKey.hash_secret(secret.split("_", 2)[2])


def test_a_write_key_creates_and_lists_webhook_endpoints(client, studio, api_key):
    response = client.post(
        URL,
        {"url": "https://hooks.example/ff", "events": ["booking.created"]},
        content_type="application/json",
        **bearer(api_key),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert WebhookEndpoint.objects.get().studio == studio
    listing = client.get(URL, **bearer(api_key)).json()
    assert [e["url"] for e in listing["results"]] == ["https://hooks.example/ff"]
    assert "next" in listing


def test_unknown_event_names_are_field_errors(client, api_key):
    response = client.post(
        URL,
        {"url": "https://hooks.example/ff", "events": ["booking.exploded"]},
        content_type="application/json",
        **bearer(api_key),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "events" in response.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_read_key_cannot_write(client, read_key):
    response = client.post(
        URL, {"url": "https://hooks.example/ff"}, content_type="application/json", **bearer(read_key)
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]["message"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("header", ["", "Bearer ff_nope_nope", "Bearer something-else", "Basic Zm9vOmJhcg=="])
def test_missing_or_wrong_keys_get_401(client, api_key, header):
    kwargs = {"HTTP_HOST": "localhost"}
    if header:
        kwargs["HTTP_AUTHORIZATION"] = header
    response = client.get(URL, **kwargs)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}


def test_a_tampered_secret_is_refused(client, api_key):
    response = client.get(URL, **bearer(api_key[:-2] + "xx"))
    assert response.status_code == 401


def test_revoked_key_gets_401_saying_so(client, studio, api_key):
    ApiKey.objects.get(studio=studio).revoke()
    response = client.get(URL, **bearer(api_key))
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


def test_other_studios_key_sees_nothing_of_this_studio(client, studio, api_key, other_api_key):
    endpoint = WebhookEndpoint.objects.create(studio=studio, url="https://northlight.example/hook")

    assert client.get(URL, **bearer(other_api_key)).json()["results"] == []
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(
            f"{URL}{endpoint.pk}/", content_type="application/json", **bearer(other_api_key)
        )
        assert response.status_code == 404, method
    endpoint.refresh_from_db()
    assert endpoint.url == "https://northlight.example/hook"


def test_the_key_decides_the_studio_not_the_host(client, studio, other_studio, other_api_key):
    WebhookEndpoint.objects.create(studio=studio, url="https://northlight.example/hook")
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {other_api_key}", HTTP_HOST=studio.hostname)
    assert response.json()["results"] == []


def test_each_key_is_throttled_on_its_own(client, api_key, other_api_key, monkeypatch):
    from django.core.cache import cache

    from frontend_api.auth import ApiKeyRateThrottle

    monkeypatch.setattr(
        ApiKeyRateThrottle, "THROTTLE_RATES", {**ApiKeyRateThrottle.THROTTLE_RATES, "studio_api": "3/min"}
    )
    cache.clear()
    statuses = [client.get(URL, **bearer(api_key)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(URL, **bearer(api_key))
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["error"]["code"] == "throttled"
    assert client.get(URL, **bearer(other_api_key)).status_code == 200


def test_a_plan_without_api_access_gets_403_naming_the_plan_that_has_it(client, studio, api_key):
    from tests.frontend_api.conftest import on_plan

    on_plan(studio, "professional")
    response = client.get(URL, **bearer(api_key))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "plan_limit"
    assert "Studio" in response.json()["error"]["message"]


def test_a_lapsed_subscription_reads_but_does_not_write(client, studio, api_key):
    from tests.frontend_api.conftest import on_plan

    WebhookEndpoint.objects.create(studio=studio, url="https://northlight.example/hook")
    on_plan(studio, "studio", status="cancelled")
    assert client.get(URL, **bearer(api_key)).status_code == 200
    response = client.post(URL, {"url": "https://x.example/h"}, content_type="application/json", **bearer(api_key))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "subscription_lapsed"
    assert WebhookEndpoint.objects.count() == 1
