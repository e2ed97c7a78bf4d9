"""Outgoing webhooks reach only public addresses: bad endpoint URLs are refused at registration,
hosts that resolve inward are refused at delivery, redirects are not followed, replies are cut short."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from frontend_api import webhooks
from frontend_api.models import WebhookDelivery, WebhookEndpoint
from tests.frontend_api.conftest import bearer

pytestmark = pytest.mark.django_db

API_URL = "/api/studio/webhook-endpoints/"
ADMIN_NEW_URL = "/admin/developers/webhook-endpoints/new/"
NOT_PUBLIC = "public address"

PRIVATE_URLS = [
    "https://127.0.0.1/hook",
    "https://127.8.9.10:8443/hook",
    "https://[::1]/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/hook",
    "https://172.16.3.4/hook",
    "https://192.168.1.1/hook",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://[::]/hook",
    "https://224.0.0.1/hook",
    "https://[ff02::1]/hook",
    "https://[fe80::1]/hook",
    "https://[fd00::1]/hook",
    "https://240.0.0.1/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:a9fe:a9fe]/hook",
    "https://[64:ff9b::7f00:1]/hook",
    "https://[2002:7f00:1::]/hook",
    "https://2130706433/hook",
    "https://0177.0.0.1/hook",
    "https://0x7f000001/hook",
    "https://127.1/hook",
]


@pytest.fixture
def strict(settings):
    """Production rules: https only, no private network allowed."""
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = []
    return settings


def api_post(client, api_key, url):
    return client.post(API_URL, {"url": url}, content_type="application/json", **bearer(api_key))


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_the_studio_api_refuses_private_addresses(client, api_key, strict, url):
    response = api_post(client, api_key, url)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert any(NOT_PUBLIC in message for message in error["fields"]["url"]), error
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_the_admin_form_refuses_private_addresses(studio, photographer, admin_client_for, strict, url):
    response = admin_client_for(photographer).post(
        ADMIN_NEW_URL, {"url": url, "description": "", "is_active": "on"}, HTTP_HOST="localhost"
    )

    assert response.status_code == 200  # the form again, with the error
    assert NOT_PUBLIC in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_is_refused_unless_allowed(client, api_key, studio, photographer, admin_client_for, strict):
    response = api_post(client, api_key, "http://hooks.example/ff")
    assert response.status_code == 400
    assert "https" in response.json()["error"]["fields"]["url"][0]
    admin = admin_client_for(photographer).post(
        ADMIN_NEW_URL, {"url": "http://hooks.example/ff", "is_active": "on"}, HTTP_HOST="localhost"
    )
    assert "Use an https address" in admin.content.decode()
    assert not WebhookEndpoint.objects.exists()

    strict.WEBHOOKS_ALLOW_HTTP = True  # development
    assert api_post(client, api_key, "http://hooks.example/ff").status_code == 201


def test_public_https_addresses_are_accepted(client, api_key, studio, photographer, admin_client_for, strict):
    assert api_post(client, api_key, "https://hooks.example/ff").status_code == 201
    assert api_post(client, api_key, "https://93.184.216.34/ff").status_code == 201
    admin_client_for(photographer).post(
        ADMIN_NEW_URL, {"url": "https://[2606:4700::1111]/ff", "is_active": "on"}, HTTP_HOST="localhost"
    )
    assert WebhookEndpoint.objects.filter(studio=studio).count() == 3


# --- Delivery ----------------------------------------------------------------------------------


class Receiver:
    """Records every request (any method); answers `status`, `body` and `headers`."""

    def __init__(self, status=200, body=b"ok", headers=None):
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                sent = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": sent})
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = answer  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made = []

    def make(**kwargs):
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def test_a_host_resolving_to_loopback_is_refused_at_delivery(studio, receivers, committed, settings):
    settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = []
    receiver = receivers(body=b"internal secret")
    WebhookEndpoint.objects.create(studio=studio, url=f"http://localhost:{receiver.port}/hook")

    committed(webhooks.emit, studio, "invoice.paid", {"id": 3})

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.error == "refused: address not public"
    assert delivery.response_code is None and delivery.response_excerpt == ""
    assert delivery.status != "succeeded"


def test_a_host_with_any_private_address_is_refused(studio, receivers, committed, settings, monkeypatch):
    """One address in the allow-list (the receiver), one outside it: the host is refused as a whole."""
    settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    receiver = receivers()
    answers = [("127.0.0.1", receiver.port), ("10.1.2.3", receiver.port)]
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", addr) for addr in answers],
    )
    WebhookEndpoint.objects.create(studio=studio, url=f"http://mixed.example:{receiver.port}/hook")

    committed(webhooks.emit, studio, "invoice.paid", {"id": 3})

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().error == "refused: address not public"


def test_the_checked_address_is_the_one_connected_to(studio, receivers, committed, settings, monkeypatch):
    """DNS rebinding: a second lookup would answer an address outside the allow-list; there is none."""
    settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    receiver = receivers()
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "169.254.169.254"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    WebhookEndpoint.objects.create(studio=studio, url=f"http://rebind.example:{receiver.port}/hook?x=1")

    committed(webhooks.emit, studio, "invoice.paid", {"id": 3})

    assert lookups == ["rebind.example"]
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["headers"]["Host"] == f"rebind.example:{receiver.port}"
    assert receiver.requests[0]["path"] == "/hook?x=1"
    assert WebhookDelivery.objects.get().status == "succeeded"


def test_redirects_are_not_followed(studio, receivers, committed):
    internal = receivers(body=b"internal secret")
    redirecting = receivers(status=302, body=b"moved", headers={"Location": f"{internal.url}/admin"})
    WebhookEndpoint.objects.create(studio=studio, url=redirecting.url)

    committed(webhooks.emit, studio, "invoice.paid", {"id": 3})

    assert len(redirecting.requests) == 1
    assert internal.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying" and delivery.response_code == 302
    assert "redirect" in delivery.error.lower()
    assert "internal secret" not in delivery.response_excerpt


def test_only_a_short_excerpt_of_the_reply_is_kept(studio, receivers, committed):
    receiver = receivers(body=b"x" * 5000)
    WebhookEndpoint.objects.create(studio=studio, url=receiver.url)

    committed(webhooks.emit, studio, "invoice.paid", {"id": 3})

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    assert 0 < len(delivery.response_excerpt) <= 200


def test_production_allows_no_private_network_and_no_plain_http():
    from config.settings import base

    assert base.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS == []
    assert base.WEBHOOKS_ALLOW_HTTP is base.DEBUG
