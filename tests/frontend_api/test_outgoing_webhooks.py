"""Outgoing webhooks reach a real HTTP server on loopback, signed, and are retried with back-off."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from frontend_api import webhooks
from frontend_api.models import WebhookDelivery, WebhookEndpoint
from frontend_api.tasks import deliver_webhook, retry_due_webhooks

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook receiver: records requests; answers with the queued status codes (then 200)."""

    def __init__(self):
        self.requests, self.codes = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok" if code < 300 else b"nope")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def test_an_event_is_delivered_signed_with_the_whole_object(studio, receiver, committed):
    endpoint = WebhookEndpoint.objects.create(studio=studio, url=receiver.url, events=["booking.created"])

    committed(
        webhooks.emit, studio, "booking.created", {"id": 7, "client": {"name": "Emma"}, "start": "2026-06-01T10:00:00Z"}
    )

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = json.loads(request["body"])
    assert payload["type"] == "booking.created" and payload["studio"] == "northlight"
    assert payload["data"]["client"]["name"] == "Emma"
    assert webhooks.verify_signature(endpoint.secret, request["body"], request["headers"]["focusflow-signature"])
    assert not webhooks.verify_signature("whsec_wrong", request["body"], request["headers"]["focusflow-signature"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded" and delivery.response_code == 200 and delivery.duration_ms is not None


def test_endpoints_get_only_the_events_they_asked_for(studio, other_studio, receiver, committed):
    WebhookEndpoint.objects.create(studio=studio, url=receiver.url, events=["invoice.paid"])
    WebhookEndpoint.objects.create(studio=other_studio, url=receiver.url, events=[])

    committed(webhooks.emit, studio, "booking.created", {"id": 1})

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_failing_endpoint_is_retried_with_back_off_then_given_up(studio, receiver, committed):
    WebhookEndpoint.objects.create(studio=studio, url=receiver.url)
    receiver.codes = [500] * webhooks.MAX_ATTEMPTS

    before = timezone.now()
    committed(webhooks.emit, studio, "invoice.paid", {"id": 3})

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying" and delivery.attempts == 1 and delivery.response_code == 500
    assert delivery.next_attempt_at >= before + timedelta(seconds=30)
    assert retry_due_webhooks() == 0  # not due yet: nothing is sent early
    assert len(receiver.requests) == 1

    delays = []
    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        delays.append(delivery.next_attempt_at - delivery.last_attempt_at)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert retry_due_webhooks() == 1
        delivery.refresh_from_db()

    assert delivery.status == "failed" and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS
    assert all(later > earlier for earlier, later in zip(delays, delays[1:], strict=False))
    assert retry_due_webhooks() == 0


def test_an_unreachable_endpoint_records_the_error(studio, committed):
    WebhookEndpoint.objects.create(studio=studio, url="http://127.0.0.1:9/closed")
    committed(webhooks.emit, studio, "invoice.paid", {"id": 3})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying" and delivery.response_code is None
    assert "refused" in delivery.error.lower() or "URLError" in delivery.error


def test_resend_sends_a_delivered_event_again(studio, receiver, committed):
    WebhookEndpoint.objects.create(studio=studio, url=receiver.url)
    committed(webhooks.emit, studio, "gallery.published", {"id": 9})
    delivery = WebhookDelivery.objects.get()

    committed(webhooks.resend, delivery)

    assert len(receiver.requests) == 2
    assert json.loads(receiver.requests[0]["body"]) == json.loads(receiver.requests[1]["body"])


def test_signatures_expire():
    body = b'{"id":"evt_1"}'
    old = webhooks.sign("whsec_x", body, int(time.time()) - 3600)
    assert not webhooks.verify_signature("whsec_x", body, old)
    assert not webhooks.verify_signature("whsec_x", body, "garbage")
    assert webhooks.verify_signature("whsec_x", body, webhooks.sign("whsec_x", body))


def test_with_the_broker_down_a_delivery_stays_pending_and_the_sweeper_sends_it(studio, receiver, committed):
    """Before: the publish after commit raised out of the request (a 500 after the booking committed) and a
    pending delivery was never swept. Now the row waits and retry_due_webhooks sends it, once."""
    from tests.broker_faults import broker_refusing

    WebhookEndpoint.objects.create(studio=studio, url=receiver.url)
    with broker_refusing(deliver_webhook):
        committed(webhooks.emit, studio, "invoice.paid", {"id": 4})  # no exception
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 0) and not receiver.requests

    assert retry_due_webhooks() == 0  # the after-commit task may still be on its way
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    assert retry_due_webhooks() == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and len(receiver.requests) == 1
    assert retry_due_webhooks() == 0


def test_a_retry_in_flight_is_not_sent_a_second_time(studio, receiver, committed):
    WebhookEndpoint.objects.create(studio=studio, url=receiver.url)
    receiver.codes = [500]
    committed(webhooks.emit, studio, "invoice.paid", {"id": 5})
    delivery = WebhookDelivery.objects.get()
    # A worker has just started the retry (attempt counted, not finished) when the sweeper runs.
    due = timezone.now() - timedelta(seconds=5)
    WebhookDelivery.objects.update(next_attempt_at=due, last_attempt_at=timezone.now(), attempts=2)
    assert retry_due_webhooks() == 0
    # That worker died: after twice the timeout the sweeper sends it again.
    WebhookDelivery.objects.update(
        next_attempt_at=timezone.now() - timedelta(seconds=30), last_attempt_at=timezone.now() - timedelta(seconds=21)
    )
    assert retry_due_webhooks() == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and len(receiver.requests) == 2
