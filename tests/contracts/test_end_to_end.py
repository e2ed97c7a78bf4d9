"""The issue's 'done means': a new client finds a slot, books it, opens and signs the contract through
the API; the photographer sees it all on the client's timeline. And the demo seeds it idempotently."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import AvailabilityRule, Booking, SessionType
from contracts.models import Contract
from crm.models import Client
from tests.bookings.factories import weekly_hours
from tests.contracts.conftest import data_url, signature_png
from tests.factories import SessionTypeFactory

pytestmark = pytest.mark.django_db


def test_slot_to_signed_contract_on_the_timeline(client, studio, photographer, wedding_template, admin_client_for):
    weekly_hours(studio)
    package = SessionTypeFactory(studio=studio, name="Engagement shoot", contract_template=wedding_template)
    host = studio.hostname
    today = timezone.now().date()

    slots = client.get(
        "/api/client/availability/",
        {
            "session_type": package.pk,
            "start": (today + timedelta(days=3)).isoformat(),
            "end": (today + timedelta(days=5)).isoformat(),
        },
        HTTP_HOST=host,
    ).json()["slots"]
    booking = client.post(
        "/api/client/bookings/",
        {"session_type": package.pk, "start": slots[0]["start"], "name": "Rosa Lind", "email": "rosa@example.test"},
        content_type="application/json",
        HTTP_HOST=host,
    ).json()
    assert booking["status"] == "booked"
    token = booking["contract"]["token"]

    contract = client.get(f"/api/client/contracts/{token}/", HTTP_HOST=host).json()
    assert "Rosa Lind" in contract["body"]
    signed = client.post(
        f"/api/client/contracts/{token}/sign/",
        {
            "typed_name": "Rosa Lind",
            "signature_image": data_url(signature_png()),
            "consent": True,
            "sha256": contract["sha256"],
        },
        content_type="application/json",
        HTTP_HOST=host,
    )
    assert signed.json()["status"] == "signed"

    rosa = Client.objects.get(email="rosa@example.test")
    assert rosa.stage == "booked"
    timeline = (
        admin_client_for(photographer).get(f"/admin/clients/inspect/{rosa.pk}/", HTTP_HOST="localhost").content.decode()
    )
    for line in ("Booking made", "Contract sent", "Contract viewed", "Contract signed", "Engagement shoot"):
        assert line in timeline


def test_demo_seed_is_complete_and_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    clients = Client.objects.filter(studio__slug="northlight")
    # Clients at every stage (billing's demo adds its own invoice clients beside these).
    assert set(clients.values_list("stage", flat=True)) == {"prospect", "lead", "booked", "customer", "repeat"}
    assert SessionType.objects.filter(studio__slug="northlight").count() == 3
    assert AvailabilityRule.objects.filter(studio__slug="northlight").count() == 6
    assert Booking.objects.filter(studio__slug="northlight", start__gt=timezone.now()).count() == 3
    signed = Contract.objects.get(studio__slug="northlight")
    assert signed.signed_at and signed.countersigned_at and signed.pdf and signed.is_intact
    assert Contract.objects.filter(studio__slug="harbour").count() == 1
