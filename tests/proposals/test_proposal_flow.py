"""A proposal from the studio's admin to a booked, signed and paid session on one page; and what must not
happen: accepting an expired or declined one, booking twice, a taken slot, another studio's host, markup."""

import re
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from billing.models import Invoice, StudioSubscription
from bookings.models import Booking
from contracts.models import Contract
from frontend_api.models import WebhookEndpoint
from proposals.models import Proposal
from proposals.sending import send_proposal
from tests.billing.conftest import connect, make_event, public
from tests.contracts.conftest import data_url, signature_png
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


def sent(proposal, by=None):
    return send_proposal(proposal, by=by)


def page(client, proposal, host=None):
    return client.get(f"/proposals/{proposal.token}/", HTTP_HOST=host or proposal.studio.hostname)


def test_from_the_admin_to_a_paid_deposit_on_one_page(
    client, studio, photographer, proposal, admin_client_for, mailoutbox, stripe_api, deliver, plans
):
    StudioSubscription.objects.create(studio=studio, plan=plans["professional"], status="active")
    connect(studio, "acct_northlight01")
    admin = admin_client_for(photographer)

    # the photographer sends it from the proposal's admin page
    response = admin.post(f"/admin/proposals/{proposal.pk}/send/", HTTP_HOST="localhost")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.sent_by) == ("sent", photographer)
    [mail] = [m for m in mailoutbox if m.to == ["ava@example.test"]]
    assert "Family portrait" in mail.subject and "Lovely to meet you!" in mail.body
    link = re.search(r"https?://\S+/proposals/\S+/", mail.body).group(0)
    assert link.endswith(f"/proposals/{proposal.token}/") and studio.hostname in link
    client.logout()

    # the client opens it: viewed, and asked to accept
    opened = page(client, proposal)
    assert opened.status_code == 200
    assert 'data-proposal-step="accept"' in opened.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "viewed" and proposal.viewed_at

    # accepts: booked, with the contract and the deposit invoice in the same transaction
    accepted = client.post(f"/proposals/{proposal.token}/", {"action": "accept"}, HTTP_HOST=studio.hostname)
    assert accepted.status_code == 302
    proposal.refresh_from_db()
    booking = proposal.booking
    assert (proposal.status, booking.status, booking.client, booking.start) == (
        "accepted",
        "confirmed",
        proposal.client,
        proposal.start,
    )
    assert proposal.contract.booking == booking and proposal.invoice.booking == booking
    assert proposal.invoice.total == 40000

    # the page now shows the contract to sign, with the existing signing endpoint
    signing = page(client, proposal).content.decode()
    assert 'data-proposal-step="sign"' in signing and f"/api/client/contracts/{proposal.contract.token}" in signing
    api = client.get(f"/api/client/proposals/{proposal.token}/", HTTP_HOST=studio.hostname).json()
    assert api["next_step"] == "sign" and api["contract"]["token"] == proposal.contract.token
    signed = client.post(
        f"/api/client/contracts/{proposal.contract.token}/sign/",
        {
            "typed_name": "Ava Stone",
            "signature_image": data_url(signature_png()),
            "consent": True,
            "sha256": proposal.contract.body_sha256,
        },
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert signed.status_code == 200

    # then the payment: the invoice's Pay form goes to Stripe Checkout
    paying = page(client, proposal).content.decode()
    assert 'data-proposal-step="pay"' in paying and f"/invoices/{proposal.invoice.token}/pay/" in paying
    assert "£100.00" in paying  # the 25 % deposit
    checkout = client.post(f"/invoices/{proposal.invoice.token}/pay/", HTTP_HOST=studio.hostname)
    assert checkout.status_code in (302, 303)
    session_id = checkout["Location"].rsplit("/", 1)[1]
    session = public(
        requests.post(f"{stripe_api}/_config/fake/checkout/sessions/{session_id}/complete", timeout=5).json()
    )
    assert deliver(make_event("checkout.session.completed", session, account="acct_northlight01")).status_code == 200

    invoice = Invoice.objects.get(pk=proposal.invoice.pk)
    assert (invoice.status, invoice.amount_paid) == ("partially_paid", 10000)
    done = page(client, proposal).content.decode()
    assert 'data-proposal-step="done"' in done
    assert (
        client.get(f"/api/client/proposals/{proposal.token}/", HTTP_HOST=studio.hostname).json()["next_step"] == "done"
    )


def test_accepting_twice_books_once(client, studio, proposal):
    sent(proposal)
    url = f"/api/client/proposals/{proposal.token}/accept/"
    first = client.post(url, {}, content_type="application/json", HTTP_HOST=studio.hostname)
    second = client.post(url, {}, content_type="application/json", HTTP_HOST=studio.hostname)
    assert first.status_code == second.status_code == 200
    assert first.json()["booking"] == second.json()["booking"]
    assert Booking.objects.filter(studio=studio).count() == 1
    assert Contract.objects.filter(studio=studio).count() == 1
    assert Invoice.objects.filter(studio=studio).count() == 1


def test_an_expired_proposal_cannot_be_accepted(client, studio, proposal):
    sent(proposal)
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(
        f"/api/client/proposals/{proposal.token}/accept/",
        {},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert response.status_code == 410 and response.json()["error"]["code"] == "proposal_expired"
    assert not Booking.objects.exists()
    assert "This proposal has expired" in page(client, proposal).content.decode()
    body = client.get(f"/api/client/proposals/{proposal.token}/", HTTP_HOST=studio.hostname).json()
    assert (body["status"], body["next_step"]) == ("expired", "closed")


def test_a_declined_proposal_cannot_be_accepted(client, studio, proposal):
    sent(proposal)
    declined = client.post(f"/proposals/{proposal.token}/", {"action": "decline"}, HTTP_HOST=studio.hostname)
    assert declined.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    response = client.post(
        f"/api/client/proposals/{proposal.token}/accept/",
        {},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "proposal_declined"
    assert not Booking.objects.exists()


def test_a_slot_taken_meanwhile_is_refused_and_the_proposal_stays_open(client, studio, proposal, package):
    sent(proposal)
    BookingFactory(studio=studio, session_type=package, start=proposal.start)
    response = client.post(
        f"/api/client/proposals/{proposal.token}/accept/",
        {},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "slot_taken"
    proposal.refresh_from_db()
    assert proposal.status == "sent" and proposal.booking is None
    assert Booking.objects.count() == 1 and not Contract.objects.exists() and not Invoice.objects.exists()
    shown = client.post(f"/proposals/{proposal.token}/", {"action": "accept"}, HTTP_HOST=studio.hostname)
    assert shown.status_code == 409 and "just booked" in shown.content.decode()


def test_the_client_picks_a_free_slot(client, studio, ava, package):
    proposal = sent(Proposal.objects.create(studio=studio, client=ava, session_type=package))
    shown = page(client, proposal).content.decode()
    slot = re.search(r'<option value="([^"]+)"', shown).group(1)
    missing = client.post(
        f"/api/client/proposals/{proposal.token}/accept/",
        {},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "start_required"
    accepted = client.post(
        f"/proposals/{proposal.token}/", {"action": "accept", "start": slot}, HTTP_HOST=studio.hostname
    )
    assert accepted.status_code == 302
    proposal.refresh_from_db()
    assert proposal.booking.start.isoformat() == slot


def test_a_proposal_of_studio_a_is_not_found_on_studio_b(client, studio, other_studio, proposal):
    sent(proposal)
    assert page(client, proposal, host=other_studio.hostname).status_code == 404
    api = client.get(f"/api/client/proposals/{proposal.token}/", HTTP_HOST=other_studio.hostname)
    assert api.status_code == 404
    accept = client.post(
        f"/api/client/proposals/{proposal.token}/accept/", {}, content_type="application/json",
        HTTP_HOST=other_studio.hostname,
    )  # fmt: skip
    assert accept.status_code == 404
    assert (
        client.post(f"/proposals/{proposal.token}/", {"action": "accept"}, HTTP_HOST=other_studio.hostname).status_code
        == 404
    )
    assert not Booking.objects.exists()


def test_a_draft_is_not_reachable(client, studio, proposal):
    assert page(client, proposal).status_code == 404


def test_markup_in_the_message_is_text(client, studio, proposal, mailoutbox):
    proposal.message = '<script>alert(1)</script>\n<b onclick="x()">Hi</b>'
    proposal.save()
    sent(proposal)
    html = page(client, proposal).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<b onclick="x()">' not in html
    [mail] = mailoutbox
    html_part = mail.alternatives[0][0]
    assert "<script>" not in html_part and "&lt;script&gt;" in html_part


def test_sending_and_accepting_publish_webhooks(client, studio, proposal):
    WebhookEndpoint.objects.create(studio=studio, url="https://hooks.example.test/in")
    sent(proposal)
    client.post(
        f"/api/client/proposals/{proposal.token}/accept/",
        {},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    deliveries = {d.event: d.payload["data"] for d in studio.webhook_deliveries.all()}
    assert {"proposal.sent", "proposal.accepted", "booking.created"} <= set(deliveries)
    assert deliveries["proposal.accepted"]["booking"] == Booking.objects.get().pk


def test_declining_tells_the_webhooks_once(client, studio, proposal):
    WebhookEndpoint.objects.create(studio=studio, url="https://hooks.example.test/in")
    sent(proposal)
    for _ in range(2):  # the second press finds it declined already
        client.post(f"/proposals/{proposal.token}/", {"action": "decline"}, HTTP_HOST=studio.hostname)
    declined = studio.webhook_deliveries.filter(event="proposal.declined")
    assert [(d.payload["data"]["id"], d.payload["data"]["status"]) for d in declined] == [(proposal.pk, "declined")]


def test_the_admin_of_another_studio_cannot_send_it(studio, proposal, other_photographer, admin_client_for):
    response = admin_client_for(other_photographer).post(f"/admin/proposals/{proposal.pk}/send/", HTTP_HOST="localhost")
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "draft"


def test_the_photographer_makes_a_proposal_in_the_admin(
    studio, photographer, ava, package, admin_client_for, other_studio
):
    from tests.factories import ClientFactory

    stranger = ClientFactory(studio=other_studio, name="Harbour Secret Client")
    admin = admin_client_for(photographer)
    form = admin.get("/admin/proposals/new/", HTTP_HOST="localhost")
    assert form.status_code == 200
    assert "Ava Stone" in form.content.decode() and "Harbour Secret Client" not in form.content.decode()
    made = admin.post(
        "/admin/proposals/new/",
        {"client": ava.pk, "session_type": package.pk, "message": "Hello", "start": "", "expires_at": ""},
        HTTP_HOST="localhost",
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    proposal = Proposal.objects.get()
    assert (proposal.studio, proposal.status, proposal.client_picks_time) == (studio, "draft", True)
    refused = admin.post(
        "/admin/proposals/new/",
        {"client": stranger.pk, "session_type": package.pk, "message": "", "start": "", "expires_at": ""},
        HTTP_HOST="localhost",
    )
    assert refused.status_code == 200 and Proposal.objects.count() == 1
    inspect = admin.get(f"/admin/proposals/inspect/{proposal.pk}/", HTTP_HOST="localhost")
    assert inspect.status_code == 200 and "Send to ava@example.test" in inspect.content.decode()
