"""Issue 16: the portal for headless sites through the client API (a sign-in link, then a portal token), the
studio API's portal invitation, and the admin's "Send portal link"."""

import re

import pytest
from django.utils import timezone

from crm.models import Activity, PortalLink, PortalSession
from frontend_api.models import ApiKey
from tests.factories import BookingFactory, ClientFactory
from tests.frontend_api.conftest import on_plan

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def eve(studio):
    return ClientFactory(studio=studio, name="Eve Marsh", email="eve@example.test")


def post(client, path, data, host, **extra):
    return client.post(path, data, content_type="application/json", HTTP_HOST=host, **extra)


def link_token(mail) -> str:
    return re.search(r"/portal/open/([\w-]+)/", mail.body)[1]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_headless_site_signs_a_client_in_and_reads_their_portal(client, studio, eve, mailoutbox):
    booked = BookingFactory(studio=studio, client=eve, location="The Old Mill")
    asked = post(client, "/api/client/portal/link/", {"email": "eve@example.test"}, studio.hostname)
    assert asked.status_code == 202 and "sign-in link" in asked.json()["message"]
    unknown = post(client, "/api/client/portal/link/", {"email": "nobody@example.test"}, studio.hostname)
    assert unknown.status_code == 202
    assert unknown.json()["message"].replace("nobody@", "eve@") == asked.json()["message"]
    assert len(mailoutbox) == 1

    session = post(client, "/api/client/portal/session/", {"token": link_token(mailoutbox[0])}, studio.hostname)
    assert session.status_code == 201, session.content
    body = session.json()
    assert body["client"]["email"] == "eve@example.test" and body["expires_at"]
    token = body["token"]

    overview = client.get("/api/client/portal/", HTTP_HOST=studio.hostname, **bearer(token))
    assert overview.status_code == 200, overview.content
    data = overview.json()
    assert data["client"]["name"] == "Eve Marsh"
    [booking] = data["bookings"]["upcoming"]
    assert booking["location"] == "The Old Mill"
    assert booking["manage_url"] == booked.manage_url and booked.manage_token in booking["manage_url"]
    assert data["contracts"] == [] and data["invoices"] == [] and data["galleries"] == []
    assert data["questionnaires"] == []

    # The link was used: a second exchange is refused.
    again = post(client, "/api/client/portal/session/", {"token": link_token(mailoutbox[0])}, studio.hostname)
    assert again.status_code == 410 and again.json()["error"]["code"] == "link_used"

    changed = client.patch(
        "/api/client/portal/me/",
        {"phone": "+44 20 7946 0000", "address": f"1 High St\n{SCRIPT}"},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
        **bearer(token),
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["address"] == f"1 High St\n{SCRIPT}"  # JSON carries text; pages escape it
    eve.refresh_from_db()
    assert eve.phone == "+44 20 7946 0000"
    empty = client.patch(
        "/api/client/portal/me/",
        {"name": ""},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
        **bearer(token),
    )
    assert empty.status_code == 400

    signed_out = client.delete("/api/client/portal/session/", HTTP_HOST=studio.hostname, **bearer(token))
    assert signed_out.status_code == 204
    assert client.get("/api/client/portal/", HTTP_HOST=studio.hostname, **bearer(token)).status_code == 401


def test_the_portal_api_needs_a_portal_token(client, studio):
    response = client.get("/api/client/portal/", HTTP_HOST=studio.hostname)
    assert response.status_code == 401 and response.json()["error"]["code"] == "portal_token_required"
    forged = client.get("/api/client/portal/", HTTP_HOST=studio.hostname, **bearer("made-up"))
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "portal_signed_out"


def test_an_expired_or_unknown_link_token_is_refused(client, studio, eve, other_studio, mailoutbox):
    post(client, "/api/client/portal/link/", {"email": eve.email}, studio.hostname)
    token = link_token(mailoutbox[0])
    elsewhere = post(client, "/api/client/portal/session/", {"token": token}, other_studio.hostname)
    assert elsewhere.status_code == 404 and elsewhere.json()["error"]["code"] == "invalid_link"
    from datetime import timedelta

    from django.utils import timezone

    PortalLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = post(client, "/api/client/portal/session/", {"token": token}, studio.hostname)
    assert expired.status_code == 410 and expired.json()["error"]["code"] == "link_expired"
    assert not PortalSession.objects.exists()


def test_a_gallery_token_for_the_clients_own_gallery_only(client, studio, eve):
    from crm.portal import start_session
    from tests.galleries.factories import make_gallery

    own = make_gallery(studio, title="Eve's", slug="eves", client=eve)
    other = make_gallery(studio, title="Ada's", slug="adas", client=ClientFactory(studio=studio))
    token, _ = start_session(eve)
    granted = post(client, f"/api/client/portal/galleries/{own.pk}/access/", {}, studio.hostname, **bearer(token))
    assert granted.status_code == 201 and granted.json()["gallery"] == own.pk
    gallery_token = granted.json()["token"]
    assert (
        client.get(f"/api/client/galleries/{own.pk}/", HTTP_HOST=studio.hostname, **bearer(gallery_token)).status_code
        == 200
    )
    refused = post(client, f"/api/client/portal/galleries/{other.pk}/access/", {}, studio.hostname, **bearer(token))
    assert refused.status_code == 404


def test_the_studio_api_sends_a_portal_invitation(client, studio, other_studio, eve, mailoutbox):
    on_plan(studio, "studio")
    on_plan(other_studio, "studio")
    _, secret = ApiKey.issue(studio=studio, name="CRM sync", scope=ApiKey.Scope.WRITE)
    _, other_secret = ApiKey.issue(studio=other_studio, name="Harbour", scope=ApiKey.Scope.WRITE)
    response = client.post(f"/api/studio/clients/{eve.pk}/portal-invitation/", HTTP_HOST="localhost", **bearer(secret))
    assert response.status_code == 202, response.content
    assert response.json()["sent_to"] == "eve@example.test"
    [mail] = mailoutbox
    assert mail.to == ["eve@example.test"] and studio.hostname in mail.body
    # the studio wrote to the client: it is on the client's timeline, said as the studio reads it
    [sent] = Activity.objects.filter(client=eve, kind="portal_link_sent")
    assert sent.summary == "Portal sign-in link sent to eve@example.test" and sent.data["via"] == "api"

    # Another studio's key cannot invite this studio's client.
    other = client.post(
        f"/api/studio/clients/{eve.pk}/portal-invitation/", HTTP_HOST="localhost", **bearer(other_secret)
    )
    assert other.status_code == 404
    assert len(mailoutbox) == 1
    assert Activity.objects.filter(kind="portal_link_sent").count() == 1


def test_the_admin_sends_a_portal_link_from_the_clients_page(
    client, studio, eve, photographer, other_photographer, admin_client_for, mailoutbox
):
    admin = admin_client_for(photographer)
    page = admin.get(f"/admin/clients/inspect/{eve.pk}/", HTTP_HOST="localhost")
    assert b"Send portal link" in page.content
    response = admin.post(f"/admin/clients/{eve.pk}/portal-link/", HTTP_HOST="localhost")
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == [eve.email] and "/portal/open/" in mail.body
    # on the client's timeline, with who sent it
    timeline = admin.get(f"/admin/clients/inspect/{eve.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Portal sign-in link sent to eve@example.test" in timeline
    [sent] = Activity.objects.filter(client=eve, kind="portal_link_sent")
    assert (sent.created_by, sent.data["via"]) == (photographer, "admin")

    client.logout()
    intruder = admin_client_for(other_photographer)
    assert intruder.post(f"/admin/clients/{eve.pk}/portal-link/", HTTP_HOST="localhost").status_code == 404
    assert len(mailoutbox) == 1
    assert Activity.objects.filter(kind="portal_link_sent").count() == 1


def test_a_link_the_client_asks_for_is_not_on_the_timeline(client, studio, eve, mailoutbox):
    """The client's own sign-in is not the studio writing to them (like a password reset): only the studio's
    invitations are on the timeline."""
    asked = post(client, "/api/client/portal/link/", {"email": "eve@example.test"}, studio.hostname)
    assert asked.status_code == 202
    form = client.post("/portal/", {"email": "eve@example.test"}, HTTP_HOST=studio.hostname)
    assert form.status_code == 200
    assert len(mailoutbox) == 2
    assert not Activity.objects.filter(client=eve, kind="portal_link_sent").exists()


@pytest.mark.parametrize("method", ["trace", "put", "patch"])
def test_a_method_the_portal_lacks_is_405_even_with_a_stale_token(client, studio, method):
    # Not 401 "sign in again": no sign-in makes TRACE or PUT work here.
    response = getattr(client, method)(
        "/api/client/portal/session/", HTTP_HOST=studio.hostname, **bearer("an-ended-or-foreign-token")
    )
    assert response.status_code == 405
    stale = client.get("/api/client/portal/", HTTP_HOST=studio.hostname, **bearer("an-ended-or-foreign-token"))
    assert stale.status_code == 401  # a method it has still asks for a valid token


def test_a_headless_portal_reaches_each_thing_through_the_client_api(client, studio, eve, wedding_template):
    """The overview gives a headless site the token each item's own client endpoint takes (the built-in pages
    have them in their paths): the booking's manage link, the contract to sign, the invoice to pay, the
    questionnaire to answer, the proposal to accept; a payment is listed as a receipt with what was refunded of it."""
    from billing.invoicing import Line, create_invoice
    from billing.models import Invoice, Payment
    from contracts.issuing import issue_contract
    from crm.models import Questionnaire
    from crm.portal import start_session
    from crm.questionnaires import send_questionnaire
    from proposals.models import Proposal
    from tests.galleries.factories import make_gallery

    booking = BookingFactory(studio=studio, client=eve, location="The Old Mill")
    contract = issue_contract(booking, wedding_template, notify=False)
    invoice = create_invoice(studio, eve, [Line("Portrait session", 25000)], booking=booking)
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PARTIALLY_PAID, amount_paid=6250)
    Payment.objects.create(
        studio=studio,
        invoice=invoice,
        amount=6250,
        currency="gbp",
        status=Payment.Status.SUCCEEDED,
        stripe_account_id="acct_1",
        amount_refunded=1000,
        paid_at=timezone.now(),
    )
    asked = send_questionnaire(studio, eve, Questionnaire.objects.get(studio=studio, name="Session planning"))
    gallery = make_gallery(studio, title="Eve's engagement", client=eve)
    offer = Proposal.objects.create(
        studio=studio,
        client=eve,
        session_type=booking.session_type,
        status=Proposal.Status.SENT,
        sent_at=timezone.now(),
    )
    token, _ = start_session(eve)

    data = client.get("/api/client/portal/", HTTP_HOST=studio.hostname, **bearer(token)).json()
    [item] = data["bookings"]["upcoming"]
    assert item["manage_token"] == booking.manage_token
    [signable] = data["contracts"]
    assert (signable["token"], signable["can_sign"]) == (contract.token, True)
    [payable] = data["invoices"]
    assert (payable["token"], payable["can_pay"], payable["amount_due"]) == (invoice.token, True, 18750)
    assert [(r["amount"], r["refunded"]) for r in payable["receipts"]] == [(6250, 1000)]
    [questionnaire] = data["questionnaires"]
    assert (questionnaire["token"], questionnaire["name"]) == (asked.token, "Session planning")
    assert questionnaire["url"] == f"/questionnaires/{asked.token}/"
    assert [g["id"] for g in data["galleries"]] == [gallery.pk]
    [proposal] = data["proposals"]
    assert (proposal["token"], proposal["url"], proposal["start"]) == (offer.token, f"/proposals/{offer.token}/", None)

    host = {"HTTP_HOST": studio.hostname}
    managed = client.get(f"/api/client/bookings/manage/{item['manage_token']}/", **host)
    assert managed.status_code == 200 and managed.json()["id"] == booking.pk
    assert client.get(f"/api/client/contracts/{signable['token']}/", **host).json()["status"] in ("sent", "viewed")
    assert client.get(f"/api/client/invoices/{payable['token']}/", **host).json()["number"] == invoice.number
    assert client.get(f"/api/client/questionnaires/{questionnaire['token']}/", **host).status_code == 200
    assert client.get(f"/api/client/proposals/{proposal['token']}/", **host).status_code == 200
