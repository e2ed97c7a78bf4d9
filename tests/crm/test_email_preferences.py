"""The client's e-mail preferences in the admin (issue 15): the photographer records a "no marketing e-mail"
wish, the client page shows it and a bounce; another studio's client with the same address is not affected."""

import re

import pytest

from crm.models import Activity
from studios import suppression
from studios.models import EmailRecipient
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _edit(admin, client, **extra):
    data = {"name": client.name, "email": client.email, "stage": client.stage, "tag_names": "", **extra}
    return admin.post(f"/admin/clients/edit/{client.pk}/", data, HTTP_HOST="localhost")


def test_the_photographer_records_the_clients_marketing_choice(admin_client_for, photographer, studio, other_studio):
    admin = admin_client_for(photographer)
    ada = ClientFactory(studio=studio, name="Ada", email="ada@example.test")
    twin = ClientFactory(studio=other_studio, name="Ada elsewhere", email="ada@example.test")
    page = admin.get(f"/admin/clients/edit/{ada.pk}/", HTTP_HOST="localhost").content.decode()
    [checkbox] = re.findall(r'<input[^>]*name="marketing_emails"[^>]*>', page)
    assert "checked" in checkbox  # ticked until the client says otherwise

    assert _edit(admin, ada).status_code == 302  # the box unticked
    assert suppression.is_unsubscribed(studio, "ada@example.test")
    assert not suppression.is_unsubscribed(other_studio, "ada@example.test")
    assert Activity.objects.filter(client=ada, kind="email_unsubscribed").count() == 1
    assert not Activity.objects.filter(client=twin).exists()
    inspect = admin.get(f"/admin/clients/inspect/{ada.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Unsubscribed from marketing e-mails" in inspect

    assert _edit(admin, ada, marketing_emails="on").status_code == 302
    assert not suppression.is_unsubscribed(studio, "ada@example.test")


def test_the_client_page_shows_a_bounced_address(admin_client_for, photographer, studio):
    ada = ClientFactory(studio=studio, name="Ada", email="Ada@Example.test")
    suppression.suppress(studio, ada.email, EmailRecipient.Reason.BOUNCED, "550 unknown user")
    page = admin_client_for(photographer).get(f"/admin/clients/inspect/{ada.pk}/", HTTP_HOST="localhost")
    text = page.content.decode()
    assert "Nothing is sent to Ada@Example.test: bounced" in text and "550 unknown user" in text
    assert Activity.objects.filter(client=ada, kind="email_suppressed").count() == 1
