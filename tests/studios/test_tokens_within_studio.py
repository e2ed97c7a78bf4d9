"""Secret tokens and codes are unique within their studio, and found only within the studio of the host they
arrive on (issue 18, docs/architecture.md "Scaling"): what a distributed PostgreSQL needs (a unique constraint
includes the studio) and what isolation wants (a link of studio A opened on studio B's site is unknown there).

For every kind: A's token on A's host opens A's thing; on B's host it is 404 (or the "unknown code" answer);
and B may hold a row with the very same token, which B's host opens as B's own."""

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import Invoice
from bookings.models import Booking, CalendarFeed
from contracts.issuing import issue_contract
from contracts.models import Contract
from crm.models import PortalLink, QuestionnaireRequest
from crm.portal import hash_token
from galleries.sharing import add_recipient
from proposals.models import Proposal
from tests.billing.factories import invoice_for
from tests.factories import BookingFactory, ClientFactory, SessionTypeFactory
from tests.galleries.factories import make_gallery

pytestmark = pytest.mark.django_db


def get(client, studio, path):
    return client.get(path, HTTP_HOST=studio.hostname)


def test_invoice_links(client, studio, other_studio):
    invoice = invoice_for(studio)
    assert get(client, studio, f"/invoices/{invoice.token}/").status_code == 200
    assert get(client, other_studio, f"/invoices/{invoice.token}/").status_code == 404
    assert get(client, other_studio, f"/api/client/invoices/{invoice.token}/").status_code == 404
    theirs = invoice_for(other_studio)
    Invoice.objects.filter(pk=theirs.pk).update(token=invoice.token)
    page = get(client, other_studio, f"/invoices/{invoice.token}/")
    assert page.status_code == 200 and other_studio.name.encode() in page.content
    assert studio.name.encode() not in page.content


def test_contract_links(client, studio, other_studio, wedding_template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        contract = issue_contract(BookingFactory(studio=studio), wedding_template)
    assert get(client, studio, f"/contracts/{contract.token}/").status_code == 200
    assert get(client, other_studio, f"/contracts/{contract.token}/").status_code == 404
    assert get(client, other_studio, f"/api/client/contracts/{contract.token}/").status_code == 404
    # The same token in another studio is allowed, and each host opens its own.
    theirs = Contract.objects.get(pk=contract.pk)
    theirs.pk = None
    theirs.studio = other_studio
    theirs.booking = BookingFactory(studio=other_studio)
    theirs.client = theirs.booking.client
    theirs.template = None
    theirs.title = "Harbour Studio terms of business"
    Contract.objects.bulk_create([theirs])
    page = get(client, other_studio, f"/contracts/{contract.token}/")
    assert page.status_code == 200 and b"Harbour Studio terms of business" in page.content
    # Within one studio the token stays unique.
    theirs.pk, theirs.version = None, 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.bulk_create([theirs])


def test_booking_manage_links(client, studio, other_studio):
    booking = BookingFactory(studio=studio, start=timezone.now() + timedelta(days=20))
    assert get(client, studio, f"/bookings/manage/{booking.manage_token}/").status_code == 200
    assert get(client, other_studio, f"/bookings/manage/{booking.manage_token}/").status_code == 404
    assert get(client, other_studio, f"/api/client/bookings/manage/{booking.manage_token}/").status_code == 404
    theirs = BookingFactory(studio=other_studio, start=timezone.now() + timedelta(days=30))
    Booking.objects.filter(pk=theirs.pk).update(manage_token=booking.manage_token)
    answer = get(client, other_studio, f"/api/client/bookings/manage/{booking.manage_token}/")
    assert answer.status_code == 200 and answer.json()["id"] == theirs.pk


def test_proposal_links(client, studio, other_studio):
    def proposal_of(owner):
        package = SessionTypeFactory(studio=owner, price=40000)
        proposal = Proposal.objects.create(
            studio=owner, client=ClientFactory(studio=owner), session_type=package, message=f"From {owner.name}"
        )
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.SENT)
        return proposal

    proposal = proposal_of(studio)
    assert get(client, studio, f"/proposals/{proposal.token}/").status_code == 200
    assert get(client, other_studio, f"/proposals/{proposal.token}/").status_code == 404
    assert get(client, other_studio, f"/api/client/proposals/{proposal.token}/").status_code == 404
    Proposal.objects.filter(pk=proposal_of(other_studio).pk).update(token=proposal.token)
    page = get(client, other_studio, f"/proposals/{proposal.token}/")
    assert page.status_code == 200 and b"From Harbour Studio" in page.content


def test_questionnaire_links(client, studio, other_studio):
    def request_of(owner):
        return QuestionnaireRequest.objects.create(
            studio=owner, client=ClientFactory(studio=owner), title=f"Before the day at {owner.name}"
        )

    request = request_of(studio)
    assert get(client, studio, f"/questionnaires/{request.token}/").status_code == 200
    assert get(client, other_studio, f"/questionnaires/{request.token}/").status_code == 404
    assert get(client, other_studio, f"/api/client/questionnaires/{request.token}/").status_code == 404
    QuestionnaireRequest.objects.filter(pk=request_of(other_studio).pk).update(token=request.token)
    page = get(client, other_studio, f"/questionnaires/{request.token}/")
    assert page.status_code == 200 and b"Before the day at Harbour Studio" in page.content


def test_portal_sign_in_links(client, studio, other_studio):
    token = "a-portal-token-of-forty-three-characters-xx"
    PortalLink.objects.create(
        studio=studio,
        client=ClientFactory(studio=studio),
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert get(client, studio, f"/portal/open/{token}/").status_code == 200
    assert get(client, other_studio, f"/portal/open/{token}/").status_code == 404
    PortalLink.objects.create(
        studio=other_studio,
        client=ClientFactory(studio=other_studio),
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert get(client, other_studio, f"/portal/open/{token}/").status_code == 200


def test_calendar_feeds(client, studio, other_studio):
    feed = CalendarFeed.objects.create(studio=studio)
    assert get(client, studio, f"/api/client/calendar/{feed.token}.ics").status_code == 200
    assert get(client, other_studio, f"/api/client/calendar/{feed.token}.ics").status_code == 404
    CalendarFeed.objects.create(studio=other_studio, token=feed.token)
    assert get(client, other_studio, f"/api/client/calendar/{feed.token}.ics").status_code == 200


def unlock(client, studio, code):
    return client.post(
        "/api/client/galleries/unlock/",
        data=json.dumps({"code": code}),
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )


def test_gallery_access_codes_and_share_links(client, studio, other_studio):
    ours = make_gallery(studio, access_code="SAMECODE24")
    unknown = unlock(client, other_studio, "NOSUCHCODE1")
    assert unknown.status_code >= 400
    assert unlock(client, other_studio, "SAMECODE24").status_code == unknown.status_code
    _, share_token = add_recipient(ours, "Rose", "rose@example.test")
    assert unlock(client, other_studio, share_token).status_code == unknown.status_code
    # Each studio may use the same code; each host opens its own gallery.
    theirs = make_gallery(other_studio, title="Harbour wedding", slug="harbour-wedding", access_code="SAMECODE24")
    assert unlock(client, studio, "SAMECODE24").json()["gallery"]["id"] == ours.pk
    assert unlock(client, other_studio, "SAMECODE24").json()["gallery"]["id"] == theirs.pk
    assert unlock(client, studio, share_token).status_code == 201
