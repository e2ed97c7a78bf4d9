"""POST /api/client/inquiries/: lead capture with field errors, a honeypot and throttling."""

import pytest
from django.urls import reverse

from crm.models import Activity, Client, Inquiry
from tests.factories import ClientFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db
URL = "/api/client/inquiries/"


def post(client, host, data, **extra):
    return client.post(URL, data, content_type="application/json", HTTP_HOST=host, **extra)


def valid(**overrides):
    data = {"name": "Ava Stone", "email": "ava@example.test", "message": "Wedding on 12 June, 80 guests."}
    data.update(overrides)
    return data


def test_url_is_the_contract():
    assert reverse("client:inquiries") == URL


def test_inquiry_creates_client_inquiry_timeline_and_tells_the_photographer(client, studio, photographer, mailoutbox):
    package = SessionTypeFactory(studio=studio, name="Wedding")
    response = post(
        client,
        studio.hostname,
        valid(phone="07700 900123", event_date="2027-06-12", session_type=package.pk, source="instagram"),
        HTTP_USER_AGENT="Firefox/140",
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 201, response.content
    assert response.json()["received"] is True
    lead = Client.objects.for_studio(studio).get()
    assert (lead.name, lead.email, lead.phone, lead.stage, lead.source) == (
        "Ava Stone", "ava@example.test", "07700 900123", "lead", "instagram",
    )  # fmt: skip
    inquiry = Inquiry.objects.get()
    assert (inquiry.client, inquiry.session_type, str(inquiry.event_date)) == (lead, package, "2027-06-12")
    assert (inquiry.ip_address, inquiry.user_agent) == ("203.0.113.9", "Firefox/140")
    assert lead.activities.filter(kind="inquiry_received").exists()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["owner@northlight.test"]
    assert mail.reply_to == ["ava@example.test"]
    assert "Ava Stone" in mail.subject
    assert "Wedding on 12 June, 80 guests." in mail.body and "Session: Wedding" in mail.body


def test_a_returning_client_is_updated_not_duplicated(client, studio, photographer):
    existing = ClientFactory(studio=studio, name="Ava Stone", email="Ava@Example.test", phone="")
    response = post(client, studio.hostname, valid(email="ava@EXAMPLE.test", phone="0123"))
    assert response.status_code == 201
    assert Client.objects.for_studio(studio).count() == 1
    existing.refresh_from_db()
    assert existing.phone == "0123" and existing.email == "Ava@Example.test"
    assert existing.inquiries.count() == 1


def test_same_email_at_another_studio_is_a_different_client(client, studio, other_studio):
    ClientFactory(studio=other_studio, email="ava@example.test", name="Harbour Ava")
    assert post(client, studio.hostname, valid()).status_code == 201
    assert Client.objects.for_studio(studio).get().name == "Ava Stone"
    assert Client.objects.for_studio(other_studio).get().name == "Harbour Ava"
    assert Inquiry.objects.for_studio(other_studio).count() == 0


def test_bad_input_gets_field_errors_and_keeps_nothing(client, studio, mailoutbox):
    response = post(client, studio.hostname, {"name": "", "email": "not-an-email", "event_date": "someday"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "email", "message", "event_date"}
    assert not Client.objects.exists() and not Inquiry.objects.exists() and not mailoutbox


def test_another_studios_session_type_is_not_a_valid_choice(client, studio, other_studio):
    theirs = SessionTypeFactory(studio=other_studio)
    response = post(client, studio.hostname, valid(session_type=theirs.pk))
    assert response.status_code == 400
    assert "session_type" in response.json()["error"]["fields"]
    assert not Inquiry.objects.exists()


def test_honeypot_is_answered_like_a_person_but_nothing_is_kept(client, studio, photographer, mailoutbox):
    response = post(client, studio.hostname, valid(website="http://spam.example"))
    assert response.status_code == 201
    assert response.json() == post(client, studio.hostname, valid(email="real@example.test")).json()
    assert list(Client.objects.values_list("email", flat=True)) == ["real@example.test"]
    assert Inquiry.objects.count() == 1 and Activity.objects.filter(kind="inquiry_received").count() == 1
    assert len(mailoutbox) == 1


def test_inquiries_are_throttled_per_ip_with_retry_after(client, studio):
    for i in range(10):
        assert (
            post(client, studio.hostname, valid(email=f"a{i}@example.test"), REMOTE_ADDR="198.51.100.1").status_code
            == 201
        )
    response = post(client, studio.hostname, valid(email="late@example.test"), REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert not Client.objects.filter(email="late@example.test").exists()
    # Another visitor is not affected.
    assert post(client, studio.hostname, valid(email="b@example.test"), REMOTE_ADDR="198.51.100.2").status_code == 201


def test_unknown_host_is_404(client, db):
    response = post(client, "nobody.localhost", valid())
    assert response.status_code == 404
    assert not Client.objects.exists()
