"""Issue 12: a strict Content-Security-Policy on the client site, with a nonce per request on the inline
theme <style>; the admin gets a looser policy compatible with Wagtail's inline scripts."""

import re

import pytest

from cms.csp import HEADER, client_policy, media_origins
from contracts.issuing import issue_contract
from tests.billing.factories import invoice_for
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db
NONCE = re.compile(r"'nonce-([^']+)'")


def directives(response) -> dict[str, list[str]]:
    policy = response[HEADER]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def inline_nonces(html: str) -> list[str]:
    """The nonce of every inline <style> and <script> (one without a src) in the page; None when missing."""
    found = []
    for tag in re.finditer(r"<(style|script)\b([^>]*)>", html):
        attributes = tag.group(2)
        if tag.group(1) == "script" and "src=" in attributes:
            continue
        match = re.search(r'nonce="([^"]+)"', attributes)
        found.append(match.group(1) if match else None)
    return found


def client_pages(studio, wedding_template):
    booking = BookingFactory(studio=studio)
    contract = issue_contract(booking, wedding_template, notify=False)
    invoice = invoice_for(studio)
    return {
        "home": "/",
        "portfolio": "/portfolio/",
        "booking": "/book/",
        "galleries": "/galleries/",
        "contract": f"/contracts/{contract.token}/",
        "invoice": f"/invoices/{invoice.token}/",
        "missing contract": "/contracts/not-a-token/",
    }


def test_each_client_page_has_the_strict_policy_and_its_nonce_on_the_inline_theme(
    client, studio, wedding_template, mailoutbox
):
    seen = set()
    for name, path in client_pages(studio, wedding_template).items():
        response = client.get(path, HTTP_HOST=studio.hostname)
        assert response.status_code in (200, 404), (name, response.status_code)
        policy = directives(response)
        assert policy["default-src"] == ["'self'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["object-src"] == ["'none'"], name
        assert "'unsafe-inline'" not in response[HEADER] and "'unsafe-eval'" not in response[HEADER], name
        assert {"'self'", "data:", "blob:"} <= set(policy["img-src"]), name
        assert "https://checkout.stripe.com" in policy["form-action"], name
        [nonce] = set(NONCE.findall(" ".join(policy["script-src"] + policy["style-src"])))
        nonces = inline_nonces(response.content.decode())
        assert nonces, f"{name}: the theme <style> is inline"
        assert set(nonces) == {nonce}, (name, nonces, nonce)
        html = response.content.decode()
        assert not re.search(r"\son[a-z]+=", html), f"{name}: inline event handler"
        assert not re.search(r'\sstyle="', html), f"{name}: inline style attribute"
        seen.add(nonce)
    assert len(seen) == 7  # a fresh nonce per request


def test_the_nonce_is_new_on_every_request(client, studio):
    first = directives(client.get("/", HTTP_HOST=studio.hostname))["style-src"]
    second = directives(client.get("/", HTTP_HOST=studio.hostname))["style-src"]
    assert first != second


def test_the_admin_gets_a_looser_policy_that_allows_wagtails_inline_scripts(client, photographer, admin_client_for):
    response = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost")
    assert response.status_code == 200
    policy = directives(response)
    assert "script-src" not in policy and "default-src" not in policy and "style-src" not in policy
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]


def test_the_storage_and_cdn_origins_are_allowed_for_images(settings):
    settings.MEDIA_URL = "https://cdn.example.com/media/"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "ff",
                "endpoint_url": "https://s3.eu.example.net",
                "custom_domain": "img.example.org",
            },
        },
    }
    assert media_origins() == ["https://cdn.example.com", "https://img.example.org", "https://s3.eu.example.net"]
    policy = client_policy("abc")
    media = "https://cdn.example.com https://img.example.org https://s3.eu.example.net"
    assert f"img-src 'self' data: blob: {media};" in policy
    assert "'nonce-abc'" in policy


def test_the_error_pages_have_no_inline_styles(client, studio):
    response = client.get("/no-such-page/", HTTP_HOST=studio.hostname)
    assert response.status_code == 404 and HEADER in response
    assert 'style="' not in response.content.decode()
