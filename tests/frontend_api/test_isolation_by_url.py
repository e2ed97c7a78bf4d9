"""Tenant isolation for every API endpoint, driven by the URL list: studio B (its host, its gallery token,
its API key) asks for studio A's objects and gets 404, and nothing of A's changes. A new endpoint under
/api/client/ or /api/studio/ without a case here fails `test_every_endpoint_has_an_isolation_case`."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.urls import URLResolver, get_resolver

from billing.models import Invoice
from bookings import scheduling
from bookings.models import AvailabilityOverride, AvailabilityRule, CalendarFeed
from contracts.issuing import issue_contract
from crm.models import Client, PortalLink, QuestionnaireRequest
from crm.portal import hash_token, start_session
from crm.questionnaires import seed_session_planning, send_questionnaire
from frontend_api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from galleries.downloads import ORIGINAL_SALT
from galleries.models import GalleryPhoto
from proposals.models import Proposal
from proposals.sending import send_proposal
from studios.models import OutgoingEmail
from tests.billing.factories import invoice_for
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory
from tests.frontend_api.conftest import on_plan
from tests.galleries.factories import jpeg, make_gallery, upload
from workflows.models import Workflow, WorkflowRun

pytestmark = pytest.mark.django_db


def api_url_names():
    names = set()

    def walk(resolver, prefix="", namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif (prefix + str(pattern.pattern)).startswith(("api/client/", "api/studio/")):
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver())
    return names


@pytest.fixture
def world(client, studio, other_studio, wedding_template):
    """Studio A's objects, and studio B's credentials."""
    on_plan(studio)
    on_plan(other_studio)
    weekly_hours(studio)
    session_type = SessionTypeFactory(studio=studio)
    day = datetime.now(ZoneInfo(studio.time_zone)).date() + timedelta(days=10)
    booking = scheduling.book(
        studio,
        session_type,
        datetime.combine(day, time(10), tzinfo=ZoneInfo(studio.time_zone)),
        name="Emma",
        email="emma@a.test",
    )
    contract = issue_contract(booking, wedding_template, notify=False)
    gallery = make_gallery(studio, title="A's wedding", access_code="AAAAAAAA", downloadable=True)
    photo = upload(gallery, jpeg(1), "IMG_A.jpg")
    b_gallery = make_gallery(other_studio, title="B's gallery", access_code="BBBBBBBB")
    b_token = client.post(
        "/api/client/galleries/unlock/",
        {"code": "BBBBBBBB"},
        content_type="application/json",
        HTTP_HOST=other_studio.hostname,
    ).json()["token"]
    # The client portal: A's client holds a portal session and an unused sign-in link of A's; B's client a session.
    PortalLink.objects.create(
        studio=studio,
        client=booking.client,
        token_hash=hash_token("a-portal-link"),
        expires_at=booking.start,
    )
    b_client = Client.objects.create(studio=other_studio, name="Bea", email="bea@b.test")
    endpoint = WebhookEndpoint.objects.create(studio=studio, url="https://a.example/hook")
    delivery = WebhookDelivery.objects.create(
        studio=studio, endpoint=endpoint, event_id="evt_a", event="invoice.paid", payload={}
    )
    proposal = send_proposal(
        Proposal.objects.create(
            studio=studio, client=booking.client, session_type=session_type, start=booking.start + timedelta(days=1)
        )
    )
    # A's questionnaire waiting for an answer, and A's workflow with a finished run.
    questionnaire_request = send_questionnaire(studio, booking.client, seed_session_planning(studio))
    workflow = Workflow.objects.create(studio=studio, name="A's follow-up", trigger="booking.created", active=False)
    run = WorkflowRun.objects.create(
        studio=studio,
        workflow=workflow,
        workflow_version=workflow.version,
        trigger="booking.created",
        dedupe_key="a-run",
        client=booking.client,
        status=WorkflowRun.Status.DONE,
    )
    return {
        "questionnaire_request": questionnaire_request,
        "workflow": workflow,
        "run": run,
        "proposal": proposal,
        "template": wedding_template,
        "rule": AvailabilityRule.objects.filter(studio=studio).first(),
        "override": AvailabilityOverride.objects.create(studio=studio, date=day + timedelta(days=30)),
        "a": studio,
        "b": other_studio,
        "session_type": session_type,
        "booking": booking,
        "contract": contract,
        "gallery": gallery,
        "photo": photo,
        "b_gallery": b_gallery,
        "b_token": b_token,
        "invoice": invoice_for(studio, client=booking.client),
        "client": booking.client,
        "endpoint": endpoint,
        "delivery": delivery,
        "b_key": ApiKey.issue(studio=other_studio, name="B", scope=ApiKey.Scope.WRITE)[1],
        "feed": CalendarFeed.objects.get_or_create(studio=studio)[0].token,
        "a_portal": start_session(booking.client)[0],
        "b_portal": start_session(b_client)[0],
        "original": signing.dumps({"p": photo.pk, "s": studio.pk}, salt=ORIGINAL_SALT, compress=True),
    }


def as_b_client(w, method, url, data=None):
    headers = {"HTTP_HOST": w["b"].hostname, "HTTP_AUTHORIZATION": f"Bearer {w['b_token']}"}
    return method, url, data, headers


def as_b_portal(w, method, url, data=None, token="b_portal"):
    """On B's host with a portal token: B's client's own, or (token="a_portal") one of A's, replayed there."""
    return method, url, data, {"HTTP_HOST": w["b"].hostname, "HTTP_AUTHORIZATION": f"Bearer {w[token]}"}


def as_b_key(w, method, url, data=None):
    return method, url, data, {"HTTP_HOST": "localhost", "HTTP_AUTHORIZATION": f"Bearer {w['b_key']}"}


G = "/api/client/galleries/{gallery}/"
CASES = {
    "client:gallery-unlock": lambda w: as_b_client(w, "post", "/api/client/galleries/unlock/", {"code": "AAAAAAAA"}),
    "client:gallery-detail": lambda w: as_b_client(w, "get", G.format(gallery=w["gallery"].pk)),
    "client:gallery-photos": lambda w: as_b_client(w, "get", G.format(gallery=w["gallery"].pk) + "photos/"),
    "client:gallery-favorites": lambda w: as_b_client(
        w, "post", G.format(gallery=w["gallery"].pk) + "favorites/", {"photo": w["photo"].pk}
    ),
    "client:gallery-selection": lambda w: as_b_client(
        w, "post", G.format(gallery=w["gallery"].pk) + "selection/", {"photo": w["photo"].pk}
    ),
    "client:gallery-selection-submit": lambda w: as_b_client(
        w, "post", G.format(gallery=w["gallery"].pk) + "selection/submit/"
    ),
    "client:gallery-comments": lambda w: as_b_client(
        w, "post", G.format(gallery=w["gallery"].pk) + "comments/", {"photo": w["photo"].pk, "text": "hi"}
    ),
    "client:gallery-download": lambda w: as_b_client(w, "get", G.format(gallery=w["gallery"].pk) + "download/"),
    "client:photo-download": lambda w: as_b_client(w, "get", f"/api/client/photos/{w['photo'].pk}/download/"),
    "client:gallery-original": lambda w: as_b_client(w, "get", f"/api/client/originals/{w['original']}/"),
    "client:inquiries": lambda w: as_b_client(
        w,
        "post",
        "/api/client/inquiries/",
        {"name": "X", "email": "x@b.test", "message": "hi", "session_type": w["session_type"].pk},
    ),
    "client:availability": lambda w: as_b_client(
        w,
        "get",
        "/api/client/availability/",
        {
            "session_type": w["session_type"].pk,
            "start": w["booking"].start.date().isoformat(),
            "end": (w["booking"].start.date() + timedelta(days=2)).isoformat(),
        },
    ),
    "client:bookings": lambda w: as_b_client(
        w,
        "post",
        "/api/client/bookings/",
        {
            "session_type": w["session_type"].pk,
            "start": w["booking"].start.isoformat(),
            "name": "X",
            "email": "x@b.test",
        },
    ),
    "client:package": lambda w: as_b_client(w, "get", f"/api/client/packages/{w['session_type'].pk}/"),
    "client:calendar-feed": lambda w: as_b_client(w, "get", f"/api/client/calendar/{w['feed']}.ics"),
    "client:contract": lambda w: as_b_client(w, "get", f"/api/client/contracts/{w['contract'].token}/"),
    "client:contract-sign": lambda w: as_b_client(w, "post", f"/api/client/contracts/{w['contract'].token}/sign/", {}),
    "client:contract-pdf": lambda w: as_b_client(w, "get", f"/api/client/contracts/{w['contract'].token}/pdf/"),
    "client:booking-manage": lambda w: as_b_client(
        w, "get", f"/api/client/bookings/manage/{w['booking'].manage_token}/"
    ),
    "client:booking-manage-reschedule": lambda w: as_b_client(
        w,
        "post",
        f"/api/client/bookings/manage/{w['booking'].manage_token}/reschedule/",
        {"start": (w["booking"].start + timedelta(days=1)).isoformat()},
    ),
    "client:booking-manage-availability": lambda w: as_b_client(
        w,
        "get",
        f"/api/client/bookings/manage/{w['booking'].manage_token}/availability/",
        {
            "start": w["booking"].start.date().isoformat(),
            "end": (w["booking"].start.date() + timedelta(days=2)).isoformat(),
        },
    ),
    "client:booking-manage-cancel": lambda w: as_b_client(
        w, "post", f"/api/client/bookings/manage/{w['booking'].manage_token}/cancel/", {"reason": "x"}
    ),
    "client:invoice": lambda w: as_b_client(w, "get", f"/api/client/invoices/{w['invoice'].token}/"),
    "client:invoice-checkout": lambda w: as_b_client(w, "post", f"/api/client/invoices/{w['invoice'].token}/checkout/"),
    # The client portal: A's link and A's portal token do nothing on B's host; B's client reaches none of A's.
    "client:portal-link": lambda w: as_b_client(w, "post", "/api/client/portal/link/", {"email": "emma@a.test"}),
    "client:portal-session": lambda w: as_b_client(
        w, "post", "/api/client/portal/session/", {"token": "a-portal-link"}
    ),
    "client:portal": lambda w: as_b_portal(w, "get", "/api/client/portal/", token="a_portal"),
    "client:portal-me": lambda w: as_b_portal(
        w, "patch", "/api/client/portal/me/", {"name": "Hacked"}, token="a_portal"
    ),
    "client:portal-gallery-access": lambda w: as_b_portal(
        w, "post", f"/api/client/portal/galleries/{w['gallery'].pk}/access/"
    ),
    "studio:client-portal-invitation": lambda w: as_b_key(
        w, "post", f"/api/studio/clients/{w['client'].pk}/portal-invitation/"
    ),
    "client:proposal": lambda w: as_b_client(w, "get", f"/api/client/proposals/{w['proposal'].token}/"),
    "client:proposal-accept": lambda w: as_b_client(w, "post", f"/api/client/proposals/{w['proposal'].token}/accept/"),
    "client:proposal-decline": lambda w: as_b_client(
        w, "post", f"/api/client/proposals/{w['proposal'].token}/decline/"
    ),
    "studio:proposal-detail": lambda w: as_b_key(w, "get", f"/api/studio/proposals/{w['proposal'].pk}/"),
    "studio:proposal-send": lambda w: as_b_key(w, "post", f"/api/studio/proposals/{w['proposal'].pk}/send/"),
    "studio:proposal-void": lambda w: as_b_key(w, "post", f"/api/studio/proposals/{w['proposal'].pk}/void/"),
    "studio:session-type-detail": lambda w: as_b_key(
        w, "patch", f"/api/studio/session-types/{w['session_type'].pk}/", {"name": "Hacked"}
    ),
    "studio:availability-rule-detail": lambda w: as_b_key(
        w, "delete", f"/api/studio/availability-rules/{w['rule'].pk}/"
    ),
    "studio:availability-override-detail": lambda w: as_b_key(
        w, "patch", f"/api/studio/availability-overrides/{w['override'].pk}/", {"note": "Hacked"}
    ),
    "studio:contract-template-detail": lambda w: as_b_key(
        w, "get", f"/api/studio/contract-templates/{w['template'].pk}/"
    ),
    "studio:contract-detail": lambda w: as_b_key(w, "get", f"/api/studio/contracts/{w['contract'].pk}/"),
    "studio:contract-void": lambda w: as_b_key(w, "post", f"/api/studio/contracts/{w['contract'].pk}/void/"),
    "studio:gallery-photos-order": lambda w: as_b_key(
        w, "post", f"/api/studio/galleries/{w['gallery'].pk}/photos/order/", {"photos": [w["photo"].pk]}
    ),
    "studio:gallery-photos-move": lambda w: as_b_key(
        w, "post", f"/api/studio/galleries/{w['gallery'].pk}/photos/move/", {"photos": [w["photo"].pk], "set": None}
    ),
    "studio:gallery-photos-hide": lambda w: as_b_key(
        w, "post", f"/api/studio/galleries/{w['gallery'].pk}/photos/hide/", {"photos": [w["photo"].pk], "hidden": True}
    ),
    "studio:gallery-photos-delete": lambda w: as_b_key(
        w, "post", f"/api/studio/galleries/{w['gallery'].pk}/photos/delete/", {"photos": [w["photo"].pk]}
    ),
    "studio:gallery-detail": lambda w: as_b_key(w, "get", f"/api/studio/galleries/{w['gallery'].pk}/"),
    "studio:gallery-photos": lambda w: as_b_key(w, "get", f"/api/studio/galleries/{w['gallery'].pk}/photos/"),
    "studio:gallery-start-upload": lambda w: as_b_key(
        w, "post", f"/api/studio/galleries/{w['gallery'].pk}/uploads/", {"filename": "x.jpg", "size": 10}
    ),
    "studio:gallery-complete-upload": lambda w: as_b_key(
        w, "post", f"/api/studio/galleries/{w['gallery'].pk}/uploads/{w['photo'].pk}/complete/"
    ),
    "studio:client-detail": lambda w: as_b_key(
        w, "patch", f"/api/studio/clients/{w['client'].pk}/", {"name": "Hacked"}
    ),
    "studio:booking-detail": lambda w: as_b_key(w, "get", f"/api/studio/bookings/{w['booking'].pk}/"),
    "studio:booking-cancel": lambda w: as_b_key(w, "post", f"/api/studio/bookings/{w['booking'].pk}/cancel/"),
    "studio:booking-confirm": lambda w: as_b_key(w, "post", f"/api/studio/bookings/{w['booking'].pk}/confirm/"),
    "studio:invoice-detail": lambda w: as_b_key(w, "get", f"/api/studio/invoices/{w['invoice'].pk}/"),
    "studio:webhook-endpoint-detail": lambda w: as_b_key(
        w, "delete", f"/api/studio/webhook-endpoints/{w['endpoint'].pk}/"
    ),
    "studio:webhook-delivery-detail": lambda w: as_b_key(
        w, "get", f"/api/studio/webhook-deliveries/{w['delivery'].pk}/"
    ),
    "client:questionnaire": lambda w: as_b_client(
        w, "post", f"/api/client/questionnaires/{w['questionnaire_request'].token}/", {"answers": {}}
    ),
    "studio:workflow-detail": lambda w: as_b_key(w, "get", f"/api/studio/workflows/{w['workflow'].pk}/"),
    "studio:workflow-run-detail": lambda w: as_b_key(w, "get", f"/api/studio/workflow-runs/{w['run'].pk}/"),
}
LISTINGS = {
    "studio:workflow-list": ("/api/studio/workflows/", "workflow"),
    "studio:workflow-run-list": ("/api/studio/workflow-runs/", "run"),
    "studio:gallery-list": ("/api/studio/galleries/", "gallery"),
    "studio:client-list": ("/api/studio/clients/", "client"),
    "studio:booking-list": ("/api/studio/bookings/", "booking"),
    "studio:invoice-list": ("/api/studio/invoices/", "invoice"),
    "studio:webhook-endpoint-list": ("/api/studio/webhook-endpoints/", "endpoint"),
    "studio:webhook-delivery-list": ("/api/studio/webhook-deliveries/", "delivery"),
    "studio:session-type-list": ("/api/studio/session-types/", "session_type"),
    "studio:availability-rule-list": ("/api/studio/availability-rules/", "rule"),
    "studio:availability-override-list": ("/api/studio/availability-overrides/", "override"),
    "studio:contract-template-list": ("/api/studio/contract-templates/", "template"),
    "studio:contract-list": ("/api/studio/contracts/", "contract"),
    "studio:proposal-list": ("/api/studio/proposals/", "proposal"),
}


# Public, answered for the host's studio: on B's host they show B's and never A's.
BY_HOST = {"client:packages": "/api/client/packages/", "client:studio-profile": "/api/client/studio/"}


@pytest.mark.parametrize("name", sorted(BY_HOST))
def test_public_endpoints_show_only_the_hosts_studio(client, world, name):
    response = client.get(BY_HOST[name], HTTP_HOST=world["b"].hostname)
    assert response.status_code == 200
    body = response.content.decode()
    assert world["a"].name not in body and world["session_type"].name not in body


def test_every_endpoint_has_an_isolation_case():
    missing = api_url_names() - CASES.keys() - LISTINGS.keys() - BY_HOST.keys()
    assert not missing, f"add isolation cases for {sorted(missing)}"


def snapshot(w):
    booking, contract, invoice, client = (
        type(o).objects.get(pk=o.pk) for o in (w["booking"], w["contract"], w["invoice"], w["client"])
    )
    return (
        booking.status,
        contract.status,
        contract.signed_at,
        invoice.status,
        client.name,
        w["gallery"].selections.count(),
        w["gallery"].comments.count() if hasattr(w["gallery"], "comments") else 0,
        WebhookEndpoint.objects.filter(studio=w["a"]).count(),
        Client.objects.filter(studio=w["a"]).count(),
        OutgoingEmail.objects.filter(studio=w["a"]).count(),
        PortalLink.objects.filter(studio=w["a"], used_at__isnull=True).count(),
        w["gallery"].accesses.count(),
        Proposal.objects.get(pk=w["proposal"].pk).status,
        type(w["session_type"]).objects.get(pk=w["session_type"].pk).name,
        AvailabilityRule.objects.filter(studio=w["a"]).count(),
        AvailabilityOverride.objects.get(pk=w["override"].pk).note,
        list(GalleryPhoto.objects.filter(gallery=w["gallery"]).values_list("pk", "order", "hidden", "set_id")),
        QuestionnaireRequest.objects.get(pk=w["questionnaire_request"].pk).answered_at,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_other_studio_gets_404_and_changes_nothing(client, world, name):
    method, url, data, headers = CASES[name](world)
    before = snapshot(world)

    if method == "get":
        response = client.get(url, data or {}, **headers)
    else:
        response = getattr(client, method)(url, data or {}, content_type="application/json", **headers)

    expected = {
        "client:inquiries": (400, 404),  # an unknown session type is a field error
        "client:portal-link": (202,),  # the same answer for any address; nothing is sent for A's client
        "client:portal": (401,),  # A's portal token signs nobody in on B's host
        "client:portal-me": (401,),
    }.get(name, (404,))
    assert response.status_code in expected, (response.status_code, response.content[:300])
    assert b"Emma" not in response.content and b"A's wedding" not in response.content
    assert snapshot(world) == before


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_other_studios_listing_shows_none_of_this_studios_rows(client, world, name):
    url, key = LISTINGS[name]
    response = client.get(url, HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {world['b_key']}")
    assert response.status_code == 200
    assert world[key].pk not in {row["id"] for row in response.json()["results"]}
    assert Invoice.objects.filter(studio=world["a"]).exists()
