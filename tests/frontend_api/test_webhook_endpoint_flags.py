"""Webhook endpoints registered before https and public addresses were required are refused at every delivery;
the admin says so (listing, edit screen, Studio settings summary), from the URL alone: no DNS per row."""

import re
import socket

import pytest

from frontend_api.models import WebhookEndpoint
from frontend_api.outbound import endpoint_problem

from .test_webhook_ssrf import PRIVATE_URLS

pytestmark = pytest.mark.django_db

LISTING = "/admin/developers/webhook-endpoints/"
CANNOT = "This endpoint can no longer receive events"
LEGACY = {
    "http://hooks.example/plain": "plain http address",
    "https://127.0.0.1/hook": "127.0.0.1 is private, loopback",
    "https://[::1]/hook": "::1 is private, loopback",
    "https://169.254.169.254/latest/meta-data/": "169.254.169.254 is private",
    "https://2130706433/hook": "2130706433 (127.0.0.1) is private",
}
FINE = ["https://hooks.example/ok", "https://[2606:4700::1111]/ok"]


@pytest.fixture
def strict(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = []


@pytest.fixture
def endpoints(studio):
    # Straight into the table, as rows registered before the rules were.
    made = {url: WebhookEndpoint.objects.create(studio=studio, url=url) for url in [*LEGACY, *FINE]}
    made["paused"] = WebhookEndpoint.objects.create(studio=studio, url="https://hooks.example/paused", is_active=False)
    return made


@pytest.fixture
def no_dns(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the admin must not resolve webhook hosts")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def a_admin(admin_client_for, photographer):
    admin = admin_client_for(photographer)
    admin.defaults["HTTP_HOST"] = "localhost"
    return admin


def row_of(html, url):
    for row in re.findall(r"<tr.*?</tr>", html, re.S):
        if url.replace("&", "&amp;") in row:
            return row
    raise AssertionError(f"no row for {url}")


def test_the_check_needs_no_dns_and_flags_every_private_spelling(strict, no_dns):
    assert "plain http" in endpoint_problem("http://hooks.example/x")
    for url in PRIVATE_URLS:
        assert "public address" in endpoint_problem(url), url
    for url in FINE:
        assert endpoint_problem(url) is None
    assert endpoint_problem("https://name-that-resolves-anywhere.example/") is None  # a name: decided at delivery


def test_development_flags_private_addresses_but_not_http(settings, no_dns):
    settings.WEBHOOKS_ALLOW_HTTP, settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = True, []
    assert endpoint_problem("http://hooks.example/x") is None
    assert endpoint_problem("http://10.0.0.5/x")


def test_the_listing_flags_each_endpoint_that_can_no_longer_receive_events(strict, a_admin, endpoints, no_dns):
    response = a_admin.get(LISTING)
    html = response.content.decode()

    assert response.status_code == 200
    for url, reason in LEGACY.items():
        row = row_of(html, url)
        assert CANNOT in row and reason in row, row
        assert "Blocked" in row
    for url in FINE:
        assert CANNOT not in row_of(html, url) and "Active" in row_of(html, url)
    assert "Paused" in row_of(html, "https://hooks.example/paused")
    assert html.count(CANNOT) == len(LEGACY)


def test_the_edit_screen_warns_about_a_blocked_endpoint(strict, a_admin, endpoints, no_dns):
    blocked = a_admin.get(f"{LISTING}edit/{endpoints['http://hooks.example/plain'].pk}/")
    fine = a_admin.get(f"{LISTING}edit/{endpoints['https://hooks.example/ok'].pk}/")

    assert blocked.status_code == fine.status_code == 200
    assert f"{CANNOT}: it is a plain http address" in blocked.content.decode()
    assert CANNOT not in fine.content.decode()


def test_the_studio_settings_summary_counts_blocked_endpoints(strict, a_admin, endpoints, no_dns):
    html = a_admin.get("/admin/studio-settings/").content.decode()
    assert f"{len(LEGACY)} can no longer receive events" in html


def test_no_flag_for_the_other_studios_endpoints(strict, a_admin, other_studio, no_dns):
    WebhookEndpoint.objects.create(studio=other_studio, url="http://harbour-secret.example/hook")
    html = a_admin.get(LISTING).content.decode()
    assert CANNOT not in html and "harbour-secret" not in html
    assert "can no longer receive events" not in a_admin.get("/admin/studio-settings/").content.decode()
