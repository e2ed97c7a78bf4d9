"""Issue 16: the studio API for proposals (`/api/studio/proposals/`): an integration makes a proposal (client,
package, time, contract template, note, expiry), reads what the client will pay in minor units, sends it,
withdraws it; another studio's key sees none of it, and cannot name another studio's client or package."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from frontend_api.models import ApiKey, WebhookEndpoint
from proposals.models import Proposal
from tests.factories import ClientFactory, SessionTypeFactory
from tests.frontend_api.conftest import on_plan

from .conftest import next_weekday_at

pytestmark = pytest.mark.django_db
URL = "/api/studio/proposals/"


@pytest.fixture
def key(studio):
    on_plan(studio)
    return ApiKey.issue(studio=studio, name="CRM sync", scope=ApiKey.Scope.WRITE)[1]


@pytest.fixture
def other_key(other_studio):
    on_plan(other_studio)
    return ApiKey.issue(studio=other_studio, name="Harbour", scope=ApiKey.Scope.WRITE)[1]


def api(client, method, path, secret, data=None, **extra):
    call = getattr(client, method)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_HOST": "localhost", **extra}
    if data is None:
        return call(path, **headers)
    return call(path, data, content_type="application/json", **headers)


def test_make_send_and_read_a_proposal_through_the_api(client, studio, key, ava, package, wedding_template, mailoutbox):
    start = next_weekday_at(10)
    data = {
        "client": ava.pk,
        "package": package.pk,
        "start": start.isoformat(),
        "contract_template": wedding_template.pk,
        "message": "As we discussed on the phone.",
        "expires_at": (timezone.now() + timedelta(days=7)).isoformat(),
    }
    made = api(client, "post", URL, key, data, HTTP_IDEMPOTENCY_KEY="make-ava-1")
    assert made.status_code == 201, made.content
    body = made.json()
    # a draft: nothing is e-mailed and there is no link yet; what the client will pay, in minor units
    assert (body["status"], body["url"], body["client"], body["package"]) == ("draft", None, ava.pk, package.pk)
    assert (body["currency"], body["price"], body["deposit"]) == ("GBP", 40_000, 10_000)
    assert body["contract_template"] == wedding_template.pk and body["booking"] is None
    assert not mailoutbox
    # the same Idempotency-Key makes it once
    again = api(client, "post", URL, key, data, HTTP_IDEMPOTENCY_KEY="make-ava-1")
    assert again.json()["id"] == body["id"] and Proposal.objects.count() == 1

    sent = api(client, "post", f"{URL}{body['id']}/send/", key, {})
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent" and sent.json()["url"].endswith(
        f"/proposals/{Proposal.objects.get().token}/"
    )
    [mail] = mailoutbox
    assert mail.to == ["ava@example.test"] and "As we discussed on the phone." in mail.body
    assert re.search(r"/proposals/\S+/", mail.body).group(0) in sent.json()["url"]

    listed = api(client, "get", URL, key).json()["results"]
    assert [p["id"] for p in listed] == [body["id"]]
    assert api(client, "get", f"{URL}?status=draft", key).json()["results"] == []
    assert api(client, "get", f"{URL}?client={ava.pk}", key).json()["results"][0]["status"] == "sent"
    read = api(client, "get", f"{URL}{body['id']}/", key).json()
    assert read["start"].startswith(start.strftime("%Y-%m-%dT%H:%M")) and read["sent_at"]


def test_made_and_sent_at_once_and_the_client_picks_the_time(client, studio, key, ava, package, mailoutbox):
    made = api(client, "post", URL, key, {"client": ava.pk, "package": package.pk, "send": True})
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "sent" and made.json()["start"] is None
    assert len(mailoutbox) == 1
    proposal = Proposal.objects.get()
    assert proposal.client_picks_time and proposal.sent_at


def test_withdrawing_a_proposal_closes_its_link(client, studio, key, ava, package):
    WebhookEndpoint.objects.create(studio=studio, url="https://hooks.example.test/in")
    made = api(client, "post", URL, key, {"client": ava.pk, "package": package.pk, "send": True}).json()
    token = Proposal.objects.get().token
    voided = api(client, "post", f"{URL}{made['id']}/void/", key, {})
    assert voided.status_code == 200, voided.content
    assert voided.json()["status"] == "void" and voided.json()["voided_at"]
    # withdrawing again changes nothing, and the studio's webhooks heard it once
    assert api(client, "post", f"{URL}{made['id']}/void/", key, {}).json()["voided_at"] == voided.json()["voided_at"]
    withdrawn = studio.webhook_deliveries.filter(event="proposal.withdrawn")
    assert [d.payload["data"]["status"] for d in withdrawn] == ["void"]

    accept = client.post(
        f"/api/client/proposals/{token}/accept/", {}, content_type="application/json", HTTP_HOST=studio.hostname
    )
    assert accept.status_code == 409 and accept.json()["error"]["code"] == "proposal_void"
    assert not Booking.objects.exists()
    page = client.get(f"/proposals/{token}/", HTTP_HOST=studio.hostname).content.decode()
    assert "Northlight Photography withdrew this proposal" in page
    read = client.get(f"/api/client/proposals/{token}/", HTTP_HOST=studio.hostname).json()
    assert (read["status"], read["next_step"]) == ("void", "closed")
    # and it cannot be sent again
    resent = api(client, "post", f"{URL}{made['id']}/send/", key, {})
    assert resent.status_code == 409 and resent.json()["error"]["code"] == "proposal_closed"


def test_an_accepted_proposal_is_not_withdrawn(client, studio, key, proposal):
    from proposals.accepting import accept_proposal
    from proposals.sending import send_proposal

    accept_proposal(send_proposal(proposal))
    refused = api(client, "post", f"{URL}{proposal.pk}/void/", key, {})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "proposal_accepted"
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    read = api(client, "get", f"{URL}{proposal.pk}/", key).json()
    assert read["booking"] == proposal.booking_id and read["invoice"] == proposal.invoice_id
    assert read["contract"] == proposal.contract_id


def test_what_is_refused_when_making_one(client, studio, other_studio, key, ava, package):
    harbour_client = ClientFactory(studio=other_studio, name="Harbour client", email="h@example.test")
    harbour_package = SessionTypeFactory(studio=other_studio, name="Harbour package")
    retired = SessionTypeFactory(studio=studio, name="Old package", is_active=False)
    cases = {
        "client": {"client": harbour_client.pk, "package": package.pk},
        "package": {"client": ava.pk, "package": harbour_package.pk},
    }
    for field, data in cases.items():
        response = api(client, "post", URL, key, data)
        assert response.status_code == 400 and field in response.json()["error"]["fields"], response.content
    inactive = api(client, "post", URL, key, {"client": ava.pk, "package": retired.pk})
    assert inactive.status_code == 400 and "not offered" in str(inactive.json()["error"]["fields"]["package"])
    past = api(client, "post", URL, key, {"client": ava.pk, "package": package.pk, "start": "2020-01-06T10:00:00Z"})
    assert past.status_code == 400 and "start" in past.json()["error"]["fields"]
    assert not Proposal.objects.exists()


def test_another_studios_key_sees_and_changes_nothing(client, studio, key, other_key, proposal, ava):
    assert api(client, "get", URL, other_key).json()["results"] == []
    for method, path in (
        ("get", f"{URL}{proposal.pk}/"),
        ("post", f"{URL}{proposal.pk}/send/"),
        ("post", f"{URL}{proposal.pk}/void/"),
    ):
        response = api(client, method, path, other_key, {} if method == "post" else None)
        assert response.status_code == 404, (path, response.content)
    proposal.refresh_from_db()
    assert proposal.status == "draft"


def test_a_read_key_reads_but_does_not_make(client, studio, key, ava, package):
    read_key = ApiKey.issue(studio=studio, name="Read", scope=ApiKey.Scope.READ)[1]
    assert api(client, "get", URL, read_key).status_code == 200
    refused = api(client, "post", URL, read_key, {"client": ava.pk, "package": package.pk})
    assert refused.status_code == 403
    assert not Proposal.objects.exists()


def test_the_photographer_withdraws_one_in_the_admin(
    client, studio, photographer, other_photographer, proposal, admin_client_for
):
    from proposals.sending import send_proposal

    send_proposal(proposal)
    intruder = admin_client_for(other_photographer)
    assert intruder.post(f"/admin/proposals/{proposal.pk}/void/", HTTP_HOST="localhost").status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "sent"

    admin = admin_client_for(photographer)
    shown = admin.get(f"/admin/proposals/inspect/{proposal.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Withdraw" in shown
    assert admin.post(f"/admin/proposals/{proposal.pk}/void/", HTTP_HOST="localhost").status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "void" and proposal.voided_at
    after = admin.get(f"/admin/proposals/inspect/{proposal.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Withdrawn" in after and "Send again" not in after and ">Withdraw<" not in after
