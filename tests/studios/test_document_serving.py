"""Wagtail serves `/documents/<id>/<name>` by id: a studio's document is served on its own site and to its own
members, never on another studio's host or to another studio's photographer (issue 12)."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def price_list(studio):
    return Document.objects.create(
        title="Price list", file=ContentFile(b"%PDF-1.4 secret prices", name="prices.pdf"), collection=studio.collection
    )


def _get(client, document, host):
    return client.get(document.url, HTTP_HOST=host)


def test_a_document_is_served_on_its_own_studios_site(client, studio, price_list):
    response = _get(client, price_list, studio.hostname)
    assert response.status_code == 200
    assert b"secret prices" in b"".join(response.streaming_content)


def test_another_studios_site_does_not_serve_it(client, other_studio, price_list):
    assert _get(client, price_list, other_studio.hostname).status_code == 404


def test_the_admin_host_serves_it_to_its_studios_members_only(
    client, admin_client_for, photographer, other_photographer, price_list
):
    assert _get(client, price_list, "localhost").status_code == 404  # nobody signed in
    assert _get(admin_client_for(other_photographer), price_list, "localhost").status_code == 404
    assert _get(admin_client_for(photographer), price_list, "localhost").status_code == 200
