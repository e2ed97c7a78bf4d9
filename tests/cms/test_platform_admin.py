"""Platform staff verify a studio's custom domain in /django-admin/; photographers cannot get there."""

import pytest

from studios.models import StudioDomain
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/django-admin/studios/studiodomain/"


def test_staff_verify_a_domain_and_the_studio_site_answers_on_it(client, studio):
    domain = StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example")
    assert client.get("/", HTTP_HOST=domain.hostname).status_code == 404  # pending: not answering yet
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        CHANGELIST, {"action": "mark_verified", "_selected_action": [domain.pk]}, HTTP_HOST="localhost", follow=True
    )
    assert "1 domain(s) verified" in response.content.decode()
    domain.refresh_from_db()
    assert domain.is_verified and domain.verified_at is not None
    assert client.get("/", HTTP_HOST=domain.hostname).status_code == 200

    client.post(CHANGELIST, {"action": "mark_unverified", "_selected_action": [domain.pk]}, HTTP_HOST="localhost")
    assert client.get("/", HTTP_HOST=domain.hostname).status_code == 404


def test_a_photographer_cannot_verify_their_own_domain(client, studio, photographer):
    domain = StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example")
    client.force_login(photographer)
    response = client.post(
        CHANGELIST, {"action": "mark_verified", "_selected_action": [domain.pk]}, HTTP_HOST="localhost"
    )
    assert response.status_code == 302 and "/login/" in response["Location"]
    domain.refresh_from_db()
    assert not domain.is_verified
