"""A small, deterministic fuzz of the client API (issue 12): every /api/client/ URL with a path parameter,
given hostile path values, hostile query values and hostile JSON bodies, answers without a 5xx.

The URL list comes from the resolver, so a new client endpoint is fuzzed without editing this file.
Throttles are reset before every request so each one reaches its view."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from bookings.models import CalendarFeed
from contracts.issuing import issue_contract
from tests.billing.factories import invoice_for
from tests.factories import BookingFactory
from tests.galleries.factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db

LONE_SURROGATE_JSON = '"\\ud800"'
HOSTILE_PATH_VALUES = [
    "9" * 30,
    str(2**63),
    "-1",
    "0",
    "%00",
    "a%00b",
    "../",
    "..%2F..%2Fetc%2Fpasswd",
    "x" * 5000,
    "%ED%A0%80",  # a lone surrogate as (invalid) UTF-8 bytes
    "%5Cud800",  # the JSON escape as text
    "%7B%22a%22%3A",  # {"a": truncated
]
# Already percent-encoded: a lone surrogate cannot be sent any other way.
HOSTILE_QUERY_VALUES = ["9" * 30, str(2**63), "-1", "%00", "..%2F", "x" * 5000, "%ED%A0%80", "%7B%22a%22%3A", "NaN"]
HOSTILE_BODIES = [
    '{"a":',
    "{" * 10_000,
    '{"a": ' * 10_000 + "1" + "}" * 10_000,
    '{"photo": 1' + "0" * 30 + ', "body": "hi", "code": "x", "list": "x", "typed_name": "x"}',
    '{"photo": "' + "9" * 30 + '", "body": "hi", "list": "x", "typed_name": "x", "consent": true}',
    '{"photo": -1, "body": ' + LONE_SURROGATE_JSON + ', "list": ' + LONE_SURROGATE_JSON + "}",
    '{"photo": ' + '"x"' + ', "body": "' + "x" * 5000 + '", "list": "' + "x" * 5000 + '"}',
    '{"typed_name": ' + LONE_SURROGATE_JSON + ', "signature_image": "%00", "consent": true, "sha256": "../"}',
    "[]",
    '"\\u0000"',
]
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def client_patterns() -> list[tuple[str, str]]:
    """(name, route) of every /api/client/ pattern with a path parameter, e.g. `galleries/<id:gallery_id>/`."""
    found = []

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/client/") and PARAM.search(route):
                found.append((pattern.name, route))

    walk(get_resolver(), "")
    return sorted(found)


@pytest.fixture
def world(client, studio, wedding_template):
    gallery = make_gallery(studio, access_code="WEDDING24", downloadable=True, sets=["Ceremony"])
    photo = upload(gallery, jpeg(1), "IMG_1.jpg")
    token = client.post(
        "/api/client/galleries/unlock/",
        {"code": "WEDDING24"},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    ).json()["token"]
    booking = BookingFactory(studio=studio)
    valid = {
        "gallery_id": str(gallery.pk),
        "photo_id": str(photo.pk),
        "calendar-feed": CalendarFeed.objects.get_or_create(studio=studio)[0].token,
        "invoice": invoice_for(studio).token,
        "contract": issue_contract(booking, wedding_template, notify=False).token,
    }
    return {"headers": {"HTTP_HOST": studio.hostname, "HTTP_AUTHORIZATION": f"Bearer {token}"}, "valid": valid}


def valid_value(world, name, param):
    valid = world["valid"]
    if param in valid:
        return valid[param]
    return next((v for k, v in valid.items() if name.startswith(k)), "x")


def test_the_fuzz_covers_every_client_endpoint_with_a_path_parameter():
    names = {name for name, _ in client_patterns()}
    assert {"gallery-detail", "photo-download", "gallery-original", "calendar-feed", "invoice", "contract"} <= names


def test_no_hostile_path_query_or_body_gets_a_5xx(world):
    http = Client(raise_request_exception=False)
    sent, failures = 0, []

    def send(method, url, **kwargs):
        nonlocal sent
        cache.clear()  # the throttles and the photo-page cache: every request reaches its view afresh
        response = getattr(http, method)(url, **kwargs, **world["headers"])
        sent += 1
        if response.status_code >= 500:
            failures.append((method, url[:120], str(kwargs)[:120], response.status_code))

    for name, route in client_patterns():
        # 1. Hostile path values, by GET and by POST (with a truncated JSON body).
        for value in HOSTILE_PATH_VALUES:
            url = "/" + PARAM.sub(value, route)
            send("get", url)
            send("post", url, data='{"a":', content_type="application/json")
        # 2. A valid path value with hostile query parameters and hostile bodies.
        url = "/" + PARAM.sub(lambda m, name=name: valid_value(world, name, m["name"]), route)
        for value in HOSTILE_QUERY_VALUES:
            query = "&".join(f"{key}={value}" for key in ("cursor", "set", "limit", "photo", "size", "token"))
            send("get", f"{url}?{query}")
        for body in HOSTILE_BODIES:
            send("post", url, data=body, content_type="application/json")

    print(f"\nfuzz: {sent} requests, {len(failures)} answered 5xx")
    assert not failures, failures
    assert sent > 400
