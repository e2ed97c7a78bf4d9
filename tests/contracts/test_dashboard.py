"""The "Unsigned contracts" dashboard panel: sent or viewed contracts of the photographer's own studio."""

import hashlib

import pytest
from django.utils import timezone

from contracts.dashboard import UnsignedContractsPanel
from contracts.models import Contract
from tests.factories import BookingFactory, ClientFactory

pytestmark = pytest.mark.django_db


def contract(studio, client_name: str, status: str, title="Photography agreement"):
    client = ClientFactory(studio=studio, name=client_name)
    booking = BookingFactory(
        studio=studio, client=client, start=timezone.now() + timezone.timedelta(days=30 + Contract.objects.count())
    )
    body = f"{title} for {client_name}"
    return Contract.objects.create(
        studio=studio,
        booking=booking,
        client=client,
        title=f"{title} — {client_name}",
        body_text=body,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
        status=status,
        sent_at=timezone.now() if status != "draft" else None,
    )


def test_photographer_sees_their_contracts_waiting_for_a_signature(
    studio, other_studio, photographer, admin_client_for
):
    contract(studio, "Emma Sent", "sent")
    contract(studio, "Jonah Viewed", "viewed")
    contract(studio, "Sam Signed", "signed")
    contract(studio, "Dora Draft", "draft")
    contract(other_studio, "Harbour Secret", "sent")

    html = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "2 contracts waiting for a signature" in html
    assert "Photography agreement — Emma Sent" in html and "Not opened yet" in html
    assert "Photography agreement — Jonah Viewed" in html and "Read, not signed" in html
    for hidden in ("Sam Signed", "Dora Draft", "Harbour Secret"):
        assert hidden not in html


def test_the_other_photographer_sees_only_harbours_contracts(
    studio, other_studio, other_photographer, admin_client_for
):
    contract(studio, "Northlight Client", "sent")
    contract(other_studio, "Harbour Hal", "viewed")

    html = admin_client_for(other_photographer).get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "1 contract waiting for a signature" in html
    assert "Harbour Hal" in html and "Northlight Client" not in html


def test_all_signed_says_so(studio, photographer, admin_client_for):
    contract(studio, "Sam Signed", "signed")
    html = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost").content.decode()
    assert "Every contract you sent is signed." in html


def test_panel_queries_do_not_grow_with_contracts(studio, rf, django_assert_num_queries):
    for n in range(10):
        contract(studio, f"Client {n}", "sent")
    panel = UnsignedContractsPanel(studio, rf.get("/admin/"))

    with django_assert_num_queries(2):
        context = panel.get_panel_context()
        names = [c.client.name for c in context["contracts"]]
    assert len(names) == 8 and context["total"] == 10
