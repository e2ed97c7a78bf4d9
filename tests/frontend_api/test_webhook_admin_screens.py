"""Developers → Webhook endpoints and deliveries read like the rest of the admin: the events an endpoint gets are
named, not printed as a Python list, and deliveries (made by the platform) have no "Add" button."""

import pytest

from frontend_api.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_admin(admin_client_for, photographer):
    admin = admin_client_for(photographer)
    admin.defaults["HTTP_HOST"] = "localhost"
    return admin


def test_an_endpoints_events_are_listed_by_name(a_admin, studio):
    some = WebhookEndpoint.objects.create(
        studio=studio, url="https://hooks.example/some", events=["booking.created", "invoice.paid"]
    )
    every = WebhookEndpoint.objects.create(studio=studio, url="https://hooks.example/all", events=[])

    listing = a_admin.get("/admin/developers/webhook-endpoints/").content.decode()
    inspect = a_admin.get(f"/admin/developers/webhook-endpoints/inspect/{some.pk}/").content.decode()
    inspect_all = a_admin.get(f"/admin/developers/webhook-endpoints/inspect/{every.pk}/").content.decode()

    for page in (listing, inspect):
        assert "booking.created, invoice.paid" in page
        assert "[&#x27;booking.created&#x27;" not in page and "['booking.created'" not in page
    assert "Every event" in listing and "Every event" in inspect_all
    assert "[]" not in inspect_all


def test_deliveries_have_no_add_button(a_admin, studio):
    endpoint = WebhookEndpoint.objects.create(studio=studio, url="https://hooks.example/some")
    delivery = WebhookDelivery.objects.create(
        studio=studio, endpoint=endpoint, event="booking.created", event_id="evt_1", payload={}
    )

    page = a_admin.get("/admin/developers/webhook-deliveries/").content.decode()

    assert "booking.created" in page
    assert "Add webhook delivery" not in page
    for url in ("new/", f"edit/{delivery.pk}/", f"delete/{delivery.pk}/"):
        response = a_admin.post(f"/admin/developers/webhook-deliveries/{url}", {"event": "invoice.paid"})
        assert response.status_code in (302, 403) and "/admin/developers/webhook-deliveries/" not in response.get(
            "Location", ""
        ), url
    delivery.refresh_from_db()
    assert delivery.event == "booking.created" and WebhookDelivery.objects.count() == 1
