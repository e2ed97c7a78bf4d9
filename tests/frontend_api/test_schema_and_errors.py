"""The OpenAPI schema is committed and true to the code; docs examples work; errors have one shape."""

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from frontend_api import webhooks

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate")
    committed = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    assert yaml.safe_load(generated.read_text()) == committed, (
        "API changed: run `make schema` and commit docs/openapi.yaml"
    )


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_HOST="localhost")
    assert schema.status_code == 200
    assert b"/api/v2/pages/" in schema.content and b"FocusFlow-Signature" in schema.content
    docs = client.get("/api/docs/", HTTP_HOST="localhost")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"https?://(cdn|unpkg|fonts)\.", html)


def test_the_python_verification_snippet_in_the_docs_accepts_our_signatures():
    guide = (ROOT / "docs" / "api.md").read_text()
    code = re.search(r"```python\n(.*?)```", guide, re.S).group(1)
    namespace = {}
    exec(code, namespace)  # noqa: S102 - our own documentation
    body = b'{"id":"evt_1","type":"invoice.paid"}'
    assert namespace["verify"]("whsec_abc", body, webhooks.sign("whsec_abc", body))
    assert not namespace["verify"]("whsec_abc", body + b" ", webhooks.sign("whsec_abc", body))


def test_unknown_api_path_is_a_json_404(client, studio, settings):
    settings.DEBUG = False
    response = client.get("/api/client/no-such-thing/", HTTP_HOST=studio.hostname)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_json_405(client, api_key):
    from tests.frontend_api.conftest import bearer

    response = client.put("/api/studio/webhook-endpoints/", **bearer(api_key))
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_server_errors_on_the_api_are_json(client, studio, settings, monkeypatch):
    from frontend_api import wagtail_api

    def explode(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(wagtail_api.StudioPagesAPIViewSet, "get_base_queryset", explode)
    client.raise_request_exception = False
    response = client.get("/api/v2/pages/", HTTP_HOST=studio.hostname)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "boom" not in response.content.decode()  # no internals leak


def test_healthz_reports_each_part(client, settings, monkeypatch):
    ok = client.get("/healthz", HTTP_HOST="localhost").json()
    assert ok["status"] == "ok" and set(ok["checks"]) == {"database", "broker", "storage"}

    # Redis down: degraded but serving (200), or the load balancer would pull every instance at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz", HTTP_HOST="localhost")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True

    # The database down: this instance cannot serve pages; out of rotation.
    def refuse():
        raise OSError("connection refused")

    monkeypatch.setattr("config.health._database", refuse)
    response = client.get("/healthz", HTTP_HOST="localhost")
    assert response.status_code == 503 and response.json()["status"] == "down"


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_paths_are_json_404s_for_every_method_even_without_csrf(studio, method):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = getattr(browser, method)("/api/client/galleries/not-a-number/comments/", HTTP_HOST=studio.hostname)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "/api/client/galleries/99999999999999999999999999/",
        "/api/client/photos/-1/download/",
        "/api/studio/galleries/157423691493196285844092092416/",
    ],
)
def test_ids_too_large_for_the_database_are_404s(client, studio, path):
    response = client.get(path, HTTP_HOST=studio.hostname)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_offset_too_large_for_the_database_is_a_400(client, studio):
    response = client.get(
        "/api/v2/documents/", {"offset": "1773083282287010460487869530112"}, HTTP_HOST=studio.hostname
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"


def _operations():
    committed = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    for path, operations in committed["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_operation_has_a_summary_and_a_json_or_multipart_body():
    for path, method, operation in _operations():
        assert operation.get("summary"), f"{method.upper()} {path} has no summary (frontend_api/schema.py SUMMARIES)"
        body = operation.get("requestBody", {}).get("content", {})
        assert list(body) in ([], ["application/json"], ["multipart/form-data"]), (method, path, list(body))


def test_the_schema_says_what_the_server_answers():
    ops = {(method, path): operation for path, method, operation in _operations()}
    photos = ops[("get", "/api/studio/galleries/{id}/photos/")]["responses"]["200"]["content"]["application/json"]
    assert photos["schema"] == {"$ref": "#/components/schemas/PaginatedPhotoStatusList"}  # a page, not one photo
    assert "201" in ops[("post", "/api/studio/galleries/{id}/photos/")]["responses"]
    assert "201" in ops[("post", "/api/studio/galleries/{id}/uploads/")]["responses"]
    for path in ("/api/client/galleries/{gallery_id}/favorites/", "/api/client/galleries/{gallery_id}/selection/"):
        delete = ops[("delete", path)]
        assert "requestBody" not in delete and "200" in delete["responses"]
        photo = next(p for p in delete["parameters"] if p["name"] == "photo")
        assert photo["in"] == "query" and photo["required"] is True


@pytest.mark.parametrize(
    "path",
    [
        "/api/%0A",
        "/api/client/%0A/",
        "/api/client/galleries/1%0A/",
        "/api/studio/clients/%0D%0A",
        "/api/v2/pages/%0A/",
        "/api/client/%00",
        "/api/%E2%80%A8",
        "/api/%FF/",
    ],
)
def test_odd_encodings_under_the_api_are_json_404s(client, studio, path):
    """Every unknown path under /api/ answers in the API's error shape, even one with an encoded line break (a
    regex's `.` does not match it), a NUL or bytes that are not UTF-8."""
    response = client.get(path, HTTP_HOST=studio.hostname)
    assert response.status_code in (400, 404), path
    assert response["Content-Type"] == "application/json", path
    assert response.json()["error"]["code"] in ("not_found", "bad_request"), path
