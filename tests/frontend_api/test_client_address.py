"""Per-IP throttles and recorded addresses: X-Forwarded-For counts only behind trusted proxies (issue 12).

With NUM_PROXIES=0 (development, tests) a client rotating X-Forwarded-For is still one address; with
NUM_PROXIES=1 (one load balancer) the right-most entry, the one the balancer appended, is the client."""

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from galleries.models import GalleryAccess
from studios.client_address import client_ip
from tests.galleries.factories import make_gallery

pytestmark = pytest.mark.django_db
UNLOCK = "/api/client/galleries/unlock/"


def unlock(client, studio, code, xff, remote="198.51.100.1"):
    return client.post(
        UNLOCK,
        {"code": code},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
        HTTP_X_FORWARDED_FOR=xff,
        REMOTE_ADDR=remote,
    )


@pytest.fixture
def proxies(settings):
    def behind(count: int):
        settings.NUM_PROXIES = count
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return behind


def test_development_and_tests_trust_no_proxy():
    assert django_settings.NUM_PROXIES == 0
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["gallery_unlock"] == "10/minute"


def test_a_rotated_forwarded_for_does_not_escape_the_unlock_throttle(client, studio):
    make_gallery(studio, access_code="WEDDING24")
    statuses = [unlock(client, studio, "WRONG000", f"203.0.113.{i}").status_code for i in range(1, 12)]
    assert statuses == [404] * 10 + [429]
    assert unlock(client, studio, "WEDDING24", "203.0.113.99").status_code == 429  # even the right code, for now


def test_behind_one_proxy_the_right_most_forwarded_address_is_the_client(client, studio, proxies):
    proxies(1)
    make_gallery(studio, access_code="WEDDING24")
    # The client writes whatever it likes on the left; the balancer appends the address it saw.
    statuses = [
        unlock(client, studio, "WRONG000", f"10.0.0.{i}, 203.0.113.7", remote="10.9.9.9").status_code
        for i in range(1, 12)
    ]
    assert statuses == [404] * 10 + [429]
    # Another client behind the same balancer is not throttled, and its own address is recorded.
    response = unlock(client, studio, "WEDDING24", "10.0.0.1, 203.0.113.8", remote="10.9.9.9")
    assert response.status_code == 201, response.content
    assert GalleryAccess.objects.get().ip == "203.0.113.8"


def test_without_a_trusted_proxy_the_peer_address_is_recorded(client, studio):
    make_gallery(studio, access_code="WEDDING24")
    assert unlock(client, studio, "WEDDING24", "203.0.113.8", remote="198.51.100.4").status_code == 201
    assert GalleryAccess.objects.get().ip == "198.51.100.4"


@pytest.mark.parametrize(
    ("count", "xff", "expected"),
    [
        (0, "203.0.113.1", "10.9.9.9"),
        (1, "203.0.113.1", "203.0.113.1"),
        (1, "1.1.1.1,  203.0.113.1 ", "203.0.113.1"),
        (2, "1.1.1.1, 203.0.113.1, 10.0.0.2", "203.0.113.1"),
        (3, "203.0.113.1", "203.0.113.1"),  # fewer entries than proxies: the left-most there is
        (1, "", "10.9.9.9"),
        (1, "1.1.1.1, not-an-address", "10.9.9.9"),  # never record what is not an address
    ],
)
def test_client_ip(proxies, count, xff, expected):
    proxies(count)
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=xff, REMOTE_ADDR="10.9.9.9")
    assert client_ip(request) == expected
