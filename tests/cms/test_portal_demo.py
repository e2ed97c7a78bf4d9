"""The README's portal tour: Emma Clarke, the demo's bride, signs in to Northlight's portal and finds something in
each list (her wedding with its Manage link, her signed contract, her wedding gallery and a questionnaire)."""

import io

import pytest
from django.core.management import call_command

from crm.models import Client, QuestionnaireRequest
from crm.portal import start_session
from studios.models import Studio

pytestmark = pytest.mark.django_db


def test_the_demo_brides_portal_shows_her_session_contract_gallery_and_questionnaire(client):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent: nothing doubles
    studio = Studio.objects.get(slug="northlight")
    emma = Client.objects.for_studio(studio).get(email="emma.clarke@example.test")
    token, _ = start_session(emma)

    data = client.get("/api/client/portal/", HTTP_HOST=studio.hostname, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [b["session"] for b in data["bookings"]["upcoming"]] == ["Wedding — full day"]
    assert [c["status"] for c in data["contracts"]] == ["signed"]
    assert [g["title"] for g in data["galleries"]] == ["Emma & Jonah — Wedding"]
    assert [q["name"] for q in data["questionnaires"]] == ["Session planning"]
    assert QuestionnaireRequest.objects.for_studio(studio).filter(client=emma).count() == 1

    # The gallery opens from her portal without the code.
    opened = client.post(
        f"/api/client/portal/galleries/{data['galleries'][0]['id']}/access/",
        HTTP_HOST=studio.hostname,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert opened.status_code == 201
