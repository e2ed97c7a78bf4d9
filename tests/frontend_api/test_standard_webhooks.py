"""Outgoing webhooks carry the Standard Webhooks headers beside our own, and the reference library
(`standardwebhooks` from PyPI) verifies them as a receiver would, with the signing secret as it is shown."""

import json
from datetime import time, timedelta

import jsonschema
import pytest
import yaml
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from bookings.scheduling import book
from frontend_api import webhooks
from frontend_api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from frontend_api.tasks import deliver_webhook
from frontend_api.webhook_signing import standard_headers
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory
from tests.frontend_api.test_outgoing_webhooks import receiver  # noqa: F401 - fixture
from tests.frontend_api.test_schema_and_errors import ROOT

pytestmark = pytest.mark.django_db


def test_the_standard_webhooks_library_verifies_a_delivery(studio, receiver, committed):  # noqa: F811
    endpoint = WebhookEndpoint.objects.create(studio=studio, url=receiver.url, events=["invoice.paid"])
    receiver.codes = [500]  # the retry must carry the same webhook-id

    committed(webhooks.emit, studio, "invoice.paid", {"id": 3, "total": 25000})
    deliver_webhook(WebhookDelivery.objects.get().pk)

    first, retry = receiver.requests
    headers = first["headers"]
    assert {"webhook-id", "webhook-timestamp", "webhook-signature", "focusflow-signature"} <= set(headers)
    payload = Webhook(endpoint.secret).verify(first["body"], headers)
    assert payload["type"] == "invoice.paid" and payload["data"]["total"] == 25000
    assert headers["webhook-id"] == payload["id"] == retry["headers"]["webhook-id"]
    assert Webhook(endpoint.secret).verify(retry["body"], retry["headers"])["id"] == payload["id"]

    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(first["body"] + b" ", headers)  # a changed body
    other = WebhookEndpoint.objects.create(studio=studio, url=receiver.url)
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(first["body"], headers)  # someone else's secret


def test_secrets_made_before_the_standard_headers_verify_as_bytes():
    legacy = "whsec_Ab-cd_EFghijklmnopqrstuvwxyz0123456789ABCD"  # URL-safe base64, as secrets used to be
    body = json.dumps({"id": "evt_1"}).encode()
    headers = standard_headers(legacy, "evt_1", body)
    assert Webhook(legacy.encode()).verify(body, headers) == {"id": "evt_1"}


def _json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema's null type."""
    if isinstance(node, dict):
        node = {k: _json_schema(v) for k, v in node.items()}
        if node.pop("nullable", False):
            node = {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    return node


def test_each_event_payload_is_documented_in_the_schema_and_matches_it(studio, receiver, committed):  # noqa: F811
    components = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())["components"]["schemas"]
    for event in WebhookEvent.values:  # every event an endpoint can subscribe to
        assert f"WebhookEvent_{event.replace('.', '_')}" in components, event

    WebhookEndpoint.objects.create(studio=studio, url=receiver.url, events=["booking.created"])
    weekly_hours(studio, time(0), time(23, 59))
    package = SessionTypeFactory(studio=studio, name="Portrait", minimum_notice=timedelta(0))
    start = (timezone.now() + timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
    committed(book, studio, package, start, name="Mia Hart", email="mia@example.test")
    body = json.loads(receiver.requests[0]["body"])
    schema = {"$ref": "#/components/schemas/WebhookEvent_booking_created", "components": {"schemas": components}}
    jsonschema.validate(body, _json_schema(schema))
