"""Issue 14: HTML and JSON go out gzipped, except responses that carry a secret an attacker could guess with
BREACH (config/compression.py): answers to POSTs (but the gallery unlock's, whose token is new every time and
which reads no cookie), pages with a CSRF token or a new cookie, and anything a signed-in photographer is
shown."""

import gzip
import json

import pytest

from tests.billing.factories import invoice_for
from tests.galleries.factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def wedding(studio):
    gallery = make_gallery(studio, access_code="WEDDING24")
    for n in range(3):
        upload(gallery, jpeg(n), f"IMG_{n}.jpg")
    return gallery


def unlock(client, studio, **data) -> tuple:
    response = client.post(
        "/api/client/galleries/unlock/",
        {"code": "WEDDING24", **data},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
        **GZIP,
    )
    return response, json.loads(gzip.decompress(response.content))["token"]


def test_the_gallery_page_and_its_photos_json_are_gzipped(client, studio, wedding):
    page = client.get("/galleries/", HTTP_HOST=studio.hostname, **GZIP)
    assert page.status_code == 200
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    html = gzip.decompress(page.content).decode()
    assert "data-gallery-app" in html
    assert int(page["Content-Length"]) == len(page.content) < len(html.encode())

    # the unlock's answer with its first photos is compressed: its token is new every time (nothing fixed for
    # BREACH to guess) and nothing the sender did not write goes into it
    unlocked, token = unlock(client, studio, first_page=3)
    assert unlocked.status_code == 201 and unlocked["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(unlocked.content))["first"]["photos"]["results"]) == 3
    assert unlock(client, studio)[1] != token

    url = f"/api/client/galleries/{wedding.pk}/photos/"
    auth = {"HTTP_HOST": studio.hostname, "HTTP_AUTHORIZATION": f"Bearer {token}"}
    photos = client.get(url, **auth, **GZIP)
    assert photos["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(photos.content))
    assert len(body["results"]) == 3
    plain = client.get(url, **auth)  # no Accept-Encoding: the same JSON, uncompressed
    assert not plain.has_header("Content-Encoding") and plain.json() == body
    # the ETag is weakened by gzip, and still matches the page the client holds
    assert photos["ETag"] == f"W/{plain['ETag']}"
    assert client.get(url, **auth, **GZIP, HTTP_IF_NONE_MATCH=photos["ETag"]).status_code == 304

    # any other POST's answer is not compressed (a comment echoes what was sent, long enough for gzip)
    comment = client.post(
        f"/api/client/galleries/{wedding.pk}/comments/",
        {"photo": body["results"][0]["id"], "body": "A little warmer, please. " * 12},
        content_type="application/json",
        **auth,
        **GZIP,
    )
    assert comment.status_code == 201 and len(comment.content) > 200
    assert not comment.has_header("Content-Encoding")


def test_a_page_with_a_csrf_token_is_not_compressed(client, studio):
    invoice = invoice_for(studio)
    response = client.get(f"/invoices/{invoice.token}/", HTTP_HOST=studio.hostname, **GZIP)
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()  # readable as it is: not gzipped
    assert not response.has_header("Content-Encoding")


def test_nothing_a_signed_in_photographer_sees_is_compressed(client, admin_client_for, photographer, studio):
    admin = admin_client_for(photographer)
    response = admin.get("/admin/", HTTP_HOST="localhost", **GZIP)
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
    # the client site, with the photographer's session cookie: not compressed either
    response = admin.get("/galleries/", HTTP_HOST=studio.hostname, **GZIP)
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
