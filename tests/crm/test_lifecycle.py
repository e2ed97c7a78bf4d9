"""The client's stage follows events forward, never backward; every event lands on the timeline."""

import pytest

from crm.activity import add_note, record_activity
from crm.models import Activity, Client
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_events_move_a_prospect_through_the_stages(studio):
    client = ClientFactory(studio=studio)
    assert client.stage == Client.Stage.PROSPECT

    record_activity(client, "inquiry_received", "Wedding in June")
    assert Client.objects.get(pk=client.pk).stage == Client.Stage.LEAD
    record_activity(client, "booking_made")
    assert Client.objects.get(pk=client.pk).stage == Client.Stage.BOOKED
    record_activity(client, "invoice_paid", "Invoice 2026-001")
    assert Client.objects.get(pk=client.pk).stage == Client.Stage.CUSTOMER
    record_activity(client, "booking_made", "Anniversary shoot")
    assert Client.objects.get(pk=client.pk).stage == Client.Stage.REPEAT

    kinds = list(client.activities.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "inquiry_received", "stage_changed", "booking_made", "stage_changed",
        "invoice_paid", "stage_changed", "booking_made", "stage_changed",
    ]  # fmt: skip
    change = client.activities.filter(kind="stage_changed").order_by("pk").first()
    assert change.data == {"from": "prospect", "to": "lead", "because": "inquiry_received"}


def test_an_event_never_moves_a_client_backwards(studio):
    client = ClientFactory(studio=studio, stage=Client.Stage.CUSTOMER)
    record_activity(client, "inquiry_received")
    assert Client.objects.get(pk=client.pk).stage == Client.Stage.CUSTOMER
    assert not client.activities.filter(kind="stage_changed").exists()


def test_stage_set_by_hand_is_kept_and_other_apps_can_record(studio):
    client = ClientFactory(studio=studio, stage=Client.Stage.BOOKED)
    record_activity(client, "gallery_viewed", "Emma & Jonah — Wedding", data={"gallery": 7})
    record_activity(client, "gallery_downloaded")
    add_note(client, "  Prefers calls after 6pm ")
    client.refresh_from_db()
    assert client.stage == Client.Stage.BOOKED
    note = client.activities.get(kind="note")
    assert note.summary == "Prefers calls after 6pm"
    assert note.studio == studio


def test_unknown_activity_kind_is_refused(studio):
    client = ClientFactory(studio=studio)
    with pytest.raises(ValueError, match="unknown activity kind"):
        record_activity(client, "invoice_exploded")
    assert not Activity.objects.exists()
