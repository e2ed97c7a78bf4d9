"""From booking to a signed, countersigned contract with a PDF: the API and the admin."""

import hashlib
import io
import os
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from contracts.issuing import issue_contract
from contracts.models import Contract, ContractLocked, Signature
from crm.models import Activity
from tests.contracts.conftest import data_url, signature_png

pytestmark = pytest.mark.django_db


def url(contract, sign=False):
    return f"/api/client/contracts/{contract.token}/" + ("sign/" if sign else "")


def sign(client, contract, host, **overrides):
    data = {
        "typed_name": "Ava Stone",
        "signature_image": data_url(signature_png()),
        "consent": True,
        "sha256": contract.body_sha256,
    }
    data.update(overrides)
    return client.post(url(contract, sign=True), data, content_type="application/json", HTTP_HOST=host,
                       HTTP_USER_AGENT="Safari/18", REMOTE_ADDR="203.0.113.7")  # fmt: skip


def test_issuing_freezes_rendered_text_and_hash(contract, booking, mailoutbox):
    assert contract.title == "Photography agreement — Ava Stone"
    assert contract.body_text == (
        "## Agreement between Northlight Photography and Ava Stone\n\n"
        "Session: Wedding — full day on Saturday 12 June 2027, 13:00 BST at Saltaire Mill.\n\n"
        "- Fee: £2,500.00\n- Deposit: £500.00\n- Length: 8 hours\n\n"
        "Cancellations within 30 days forfeit the deposit.\n\n"
        "[signature: client — The client]\n\n[signature: photographer — The studio]\n"
    )
    assert contract.body_sha256 == hashlib.sha256(contract.body_text.encode()).hexdigest()
    assert contract.status == "sent" and contract.version == 1
    assert booking.client.activities.filter(kind="contract_sent").exists()
    assert mailoutbox[-1].to == [booking.client.email]
    assert f"https://northlight.localhost/contracts/{contract.token}/" in mailoutbox[-1].body

    # Editing the template later does not change the issued contract.
    template = contract.template
    template.body = [("paragraph", "Completely different terms for {{ client.name }}.")]
    template.save()
    contract.refresh_from_db()
    assert "Saltaire Mill" in contract.body_text and contract.is_intact


def test_client_opens_and_signs(client, contract, studio, photographer, mailoutbox, django_capture_on_commit_callbacks):
    response = client.get(url(contract), HTTP_HOST=studio.hostname)
    assert response.status_code == 200
    body = response.json()
    assert body["body"] == contract.body_text and body["sha256"] == contract.body_sha256
    assert body["status"] == "viewed" and body["signatures"] == []
    client.get(url(contract), HTTP_HOST=studio.hostname)
    assert Activity.objects.filter(kind="contract_viewed").count() == 1  # recorded once

    with django_capture_on_commit_callbacks(execute=True):
        response = sign(client, contract, studio.hostname)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed"
    signature = Signature.objects.get()
    assert (signature.party, signature.typed_name, signature.ip_address, signature.user_agent) == (
        "client", "Ava Stone", "203.0.113.7", "Safari/18",
    )  # fmt: skip
    assert bytes(signature.image_png) == signature_png()
    assert signature.signed_sha256 == contract.body_sha256
    contract.refresh_from_db()
    assert contract.status == "signed" and contract.signed_at == signature.signed_at
    assert contract.client.activities.filter(kind="contract_signed").exists()
    assert mailoutbox[-1].to == ["owner@northlight.test"] and "signed" in mailoutbox[-1].subject


def test_second_signature_is_refused_and_the_first_is_kept(client, contract, studio):
    assert sign(client, contract, studio.hostname).status_code == 200
    first = Signature.objects.get()
    response = sign(client, contract, studio.hostname, typed_name="Someone Else")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_signed"
    assert list(Signature.objects.all()) == [first]
    assert Signature.objects.get().typed_name == "Ava Stone"


def test_tampered_text_is_refused_for_reading_and_signing(client, contract, studio):
    Contract.objects.filter(pk=contract.pk).update(body_text=contract.body_text.replace("£2,500.00", "£25.00"))
    for response in (client.get(url(contract), HTTP_HOST=studio.hostname), sign(client, contract, studio.hostname)):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "contract_tampered"
    contract.refresh_from_db()
    assert contract.status == "sent" and contract.viewed_at is None
    assert not Signature.objects.exists()


def test_signing_a_different_text_than_the_current_one_is_refused(client, contract, studio):
    response = sign(client, contract, studio.hostname, sha256="0" * 64)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "contract_changed"
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": False}, "consent"),
        ({"typed_name": ""}, "typed_name"),
        ({"signature_image": "data:image/jpeg;base64,/9j/4AAQ"}, "signature_image"),
        ({"signature_image": "data:image/png;base64,not*base64"}, "signature_image"),
        ({"signature_image": data_url(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)}, "signature_image"),
        ({"signature_image": data_url(signature_png((3000, 100)))}, "signature_image"),
        ({"sha256": "abc"}, "sha256"),
    ],
)
def test_bad_signing_input_gets_field_errors_and_nothing_is_signed(client, contract, studio, overrides, field):
    response = sign(client, contract, studio.hostname, **overrides)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Signature.objects.exists()
    assert Contract.objects.get(pk=contract.pk).signed_at is None


def test_blank_or_oversized_drawings_are_refused(client, contract, studio):
    blank = io.BytesIO()
    Image.new("RGBA", (300, 100), (255, 255, 255, 0)).save(blank, "PNG")
    response = sign(client, contract, studio.hostname, signature_image=data_url(blank.getvalue()))
    assert "blank" in response.json()["error"]["message"]
    noisy = io.BytesIO()
    Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3)).save(noisy, "PNG")  # ~480 KB: noise does not compress
    response = sign(client, contract, studio.hostname, signature_image=data_url(noisy.getvalue()))
    assert response.status_code == 400 and "too large" in response.json()["error"]["message"]
    assert not Signature.objects.exists()


def test_other_studios_host_gets_404_for_this_contract(client, contract, other_studio):
    assert client.get(url(contract), HTTP_HOST=other_studio.hostname).status_code == 404
    assert sign(client, contract, other_studio.hostname).status_code == 404
    assert client.get("/api/client/contracts/nope/", HTTP_HOST=contract.studio.hostname).status_code == 404
    contract.refresh_from_db()
    assert contract.viewed_at is None and not Signature.objects.exists()


def test_signed_contract_is_immutable_and_a_change_is_a_new_version(
    client, contract, studio, booking, django_capture_on_commit_callbacks
):
    sign(client, contract, studio.hostname)
    contract.refresh_from_db()
    contract.body_text = "Something else"
    with pytest.raises(ContractLocked):
        contract.save()
    with pytest.raises(ContractLocked):
        Contract.objects.get(pk=contract.pk).delete()

    with django_capture_on_commit_callbacks(execute=True):
        second = issue_contract(booking, contract.template)
    assert second.version == 2 and second.supersedes == Contract.objects.get(pk=contract.pk)
    old = Contract.objects.get(pk=contract.pk)
    assert old.status == "signed" and old.is_intact  # the signed original stays as it was
    assert second.status == "sent" and second.token != old.token


def test_new_version_voids_an_unsigned_one(client, contract, booking, studio):
    second = issue_contract(booking, contract.template)
    contract.refresh_from_db()
    assert contract.status == "void"
    response = sign(client, contract, studio.hostname)
    assert response.status_code == 409 and response.json()["error"]["code"] == "contract_void"
    assert second.status == "sent"


def test_booking_with_a_template_issues_the_contract(client, studio, booking, mailoutbox):
    from tests.bookings.factories import weekly_hours

    weekly_hours(studio)
    day = (timezone.now() + timedelta(days=10)).astimezone(studio.tz).date()
    start = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time().replace(hour=9)), studio.tz)
    response = client.post(
        "/api/client/bookings/",
        {
            "session_type": booking.session_type.pk,
            "start": start.isoformat(),
            "name": "Noor Ali",
            "email": "noor@example.test",
        },
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert response.status_code == 201, response.content
    token = response.json()["contract"]["token"]
    contract = Contract.objects.get(token=token)
    assert contract.client.email == "noor@example.test"
    assert "Noor Ali" in contract.body_text


def test_reading_a_contract_takes_a_fixed_number_of_queries(client, contract, studio, django_assert_max_num_queries):
    client.get(url(contract), HTTP_HOST=studio.hostname)  # first view writes the 'viewed' record
    with django_assert_max_num_queries(4):
        response = client.get(url(contract), HTTP_HOST=studio.hostname)
    assert response.status_code == 200
