"""Issue 16: the client portal's pages on the studio's host show the signed-in client's own bookings,
contracts, invoices and galleries (never another client's, nor another studio's), open a gallery without its
code, and let the client update their details (kept as text)."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from billing.invoicing import Line, create_invoice
from billing.models import Invoice
from contracts.issuing import issue_contract
from crm.portal import start_session
from galleries.models import GalleryAccess
from tests.factories import BookingFactory, ClientFactory
from tests.galleries.factories import make_gallery

pytestmark = pytest.mark.django_db
COOKIE = settings.PORTAL_COOKIE_NAME
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def eve(studio):
    return ClientFactory(studio=studio, name="Eve Marsh", email="eve@example.test")


@pytest.fixture
def portal(client, studio, eve):
    token, _session = start_session(eve)
    client.cookies[COOKIE] = token
    return client


@pytest.fixture
def eves_things(studio, eve, wedding_template):
    upcoming = BookingFactory(studio=studio, client=eve, location="The Old Mill")
    past = BookingFactory(
        studio=studio,
        client=eve,
        session_type=upcoming.session_type,
        start=timezone.now() - timedelta(days=30),
        end=timezone.now() - timedelta(days=30) + timedelta(hours=1),
    )
    contract = issue_contract(upcoming, wedding_template, notify=False)
    invoice = create_invoice(studio, eve, [Line("Portrait session", 25000)], booking=upcoming)
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.SENT)
    gallery = make_gallery(studio, title="Eve's engagement", client=eve)
    return {"upcoming": upcoming, "past": past, "contract": contract, "invoice": invoice, "gallery": gallery}


@pytest.fixture
def someone_elses(studio, other_studio):
    """Another client of the same studio, and a client of another studio, each with their own things."""
    made = {}
    for key, owner in (("ada", studio), ("harbour", other_studio)):
        person = ClientFactory(studio=owner, name=f"Other {key}", email=f"{key}@example.test")
        start = (timezone.now() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
        booking = BookingFactory(
            studio=owner, client=person, location=f"{key}-location", start=start, end=start + timedelta(hours=1)
        )
        invoice = create_invoice(owner, person, [Line(f"{key} prints", 9900)], booking=booking)
        Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.SENT)
        gallery = make_gallery(owner, title=f"{key} gallery", client=person, slug=f"{key}-g")
        made[key] = {"client": person, "booking": booking, "invoice": invoice, "gallery": gallery}
    return made


def test_the_home_page_lists_the_clients_own_things(portal, studio, eves_things, someone_elses):
    response = portal.get("/portal/home/", HTTP_HOST=studio.hostname)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The Old Mill" in html
    assert "Past and cancelled" in html
    assert f"/contracts/{eves_things['contract'].token}/" in html and "Read and sign" in html
    assert f"/api/client/contracts/{eves_things['contract'].token}/pdf/" in html
    assert f"/invoices/{eves_things['invoice'].token}/" in html and "Pay £250.00" in html
    assert "Eve&#x27;s engagement" in html or "Eve's engagement" in html
    assert f"/portal/galleries/{eves_things['gallery'].pk}/open/" in html
    for key in ("ada", "harbour"):
        assert f"{key}-location" not in html
        assert someone_elses[key]["invoice"].token not in html
        assert f"{key} gallery" not in html
    assert "Content-Security-Policy" in response.headers
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_a_booking_links_to_its_manage_page(portal, studio, eves_things):
    html = portal.get("/portal/home/", HTTP_HOST=studio.hostname).content.decode()
    booking = eves_things["upcoming"]
    assert booking.manage_token and f'href="{booking.manage_url}">Manage</a>' in html


def test_a_gallery_opens_without_its_code(portal, studio, eve, eves_things):
    gallery = eves_things["gallery"]
    response = portal.post(f"/portal/galleries/{gallery.pk}/open/", HTTP_HOST=studio.hostname)
    assert response.status_code == 200
    html = response.content.decode()
    handoff = json.loads(re.search(r'<script id="portal-gallery" type="application/json">(.*?)</script>', html)[1])
    assert handoff["gallery"] == gallery.pk and handoff["email"] == eve.email
    assert "focusflow-gallery:" in html  # where static/site/gallery.js resumes from
    nonce = re.search(r'<script nonce="([^"]+)">', html)[1]
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    # The token is a real gallery token: the client API opens the gallery with it.
    detail = portal.get(
        f"/api/client/galleries/{gallery.pk}/",
        HTTP_HOST=studio.hostname,
        HTTP_AUTHORIZATION=f"Bearer {handoff['token']}",
    )
    assert detail.status_code == 200, detail.content
    assert GalleryAccess.objects.filter(gallery=gallery, email=eve.email).count() == 1


def test_a_gallery_the_client_unlocked_with_their_address_is_listed(portal, studio, eve):
    gallery = make_gallery(studio, title="Cousin's wedding", slug="cousin")
    GalleryAccess.objects.create(
        gallery=gallery, token_hash="x" * 64, email=eve.email, expires_at=timezone.now() + timedelta(days=1)
    )
    assert "Cousin" in portal.get("/portal/home/", HTTP_HOST=studio.hostname).content.decode()
    assert portal.post(f"/portal/galleries/{gallery.pk}/open/", HTTP_HOST=studio.hostname).status_code == 200


def test_another_clients_gallery_is_a_404(portal, studio, someone_elses):
    for key in ("ada", "harbour"):
        gallery = someone_elses[key]["gallery"]
        response = portal.post(f"/portal/galleries/{gallery.pk}/open/", HTTP_HOST=studio.hostname)
        assert response.status_code == 404
        assert not GalleryAccess.objects.filter(gallery=gallery).exists()


def test_an_expired_gallery_is_not_opened(portal, studio, eve):
    gallery = make_gallery(studio, title="Old", slug="old", client=eve, expires_at=timezone.now() - timedelta(days=1))
    html = portal.get("/portal/home/", HTTP_HOST=studio.hostname).content.decode()
    assert "Closed" in html
    assert portal.post(f"/portal/galleries/{gallery.pk}/open/", HTTP_HOST=studio.hostname).status_code == 410


def test_pages_need_a_session(client, studio):
    for path in ("/portal/home/", "/portal/details/"):
        response = client.get(path, HTTP_HOST=studio.hostname)
        assert response.status_code == 302 and response["Location"] == "/portal/"
    assert client.post("/portal/galleries/1/open/", HTTP_HOST=studio.hostname)["Location"] == "/portal/"


def test_details_are_updated_and_kept_as_text(portal, studio, eve, photographer, admin_client_for):
    page = portal.get("/portal/details/", HTTP_HOST=studio.hostname)
    assert page.status_code == 200 and b"Eve Marsh" in page.content
    response = portal.post(
        "/portal/details/",
        {
            "name": f"Eve {SCRIPT}\r\nBcc: x@example.test",
            "phone": "+44 20\n7946 0000",
            "address": f"1 High St\r\n{SCRIPT}\r\n\r\nLondon",
            "email": "attacker@example.test",
        },
        HTTP_HOST=studio.hostname,
    )
    assert response.status_code == 302
    eve.refresh_from_db()
    assert eve.name == f"Eve {SCRIPT} Bcc: x@example.test"  # one line
    assert eve.phone == "+44 20 7946 0000"
    assert eve.address == f"1 High St\n{SCRIPT}\nLondon"
    assert eve.email == "eve@example.test"  # not changed here
    for html in (
        portal.get("/portal/details/?saved=1", HTTP_HOST=studio.hostname).content.decode(),
        portal.get("/portal/home/", HTTP_HOST=studio.hostname).content.decode(),
        admin_client_for(photographer).get(f"/admin/clients/inspect/{eve.pk}/", HTTP_HOST="localhost").content.decode(),
    ):
        assert SCRIPT not in html
        assert "&lt;script&gt;" in html


def test_an_empty_name_is_refused(portal, studio, eve):
    response = portal.post("/portal/details/", {"name": "  ", "phone": "", "address": ""}, HTTP_HOST=studio.hostname)
    assert response.status_code == 400 and b"can&#x27;t be empty" in response.content
    eve.refresh_from_db()
    assert eve.name == "Eve Marsh"


@pytest.fixture
def planning(studio):
    from crm.models import Questionnaire

    return Questionnaire.objects.get(studio=studio, name="Session planning")


def test_questionnaires_to_fill_in_are_listed_until_answered(portal, studio, eve, planning, someone_elses):
    from crm.models import QuestionnaireRequest
    from crm.questionnaires import send_questionnaire, withdraw_request

    withdrawn = send_questionnaire(studio, eve, planning)
    withdraw_request(withdrawn, reason="Booking cancelled")
    waiting = send_questionnaire(studio, eve, planning)
    assert waiting.pk != withdrawn.pk
    adas = send_questionnaire(studio, someone_elses["ada"]["client"], planning)

    html = portal.get("/portal/home/", HTTP_HOST=studio.hostname).content.decode()
    assert "Questionnaires to fill in" in html
    assert f'href="/questionnaires/{waiting.token}/">Session planning</a>' in html
    assert withdrawn.token not in html and adas.token not in html

    QuestionnaireRequest.objects.filter(pk=waiting.pk).update(answered_at=timezone.now())
    html = portal.get("/portal/home/", HTTP_HOST=studio.hostname).content.decode()
    assert waiting.token not in html and "Questionnaires to fill in" not in html


def test_a_questionnaire_the_studio_deleted_after_sending_still_shows_by_its_title(portal, studio, eve, planning):
    """What was sent is kept (the questions are frozen; crm.QuestionnaireRequest.questionnaire is SET_NULL), so
    the client still sees it by the title it was sent with, and can answer it."""
    sent = send_questionnaire_titled(studio, eve, planning, "Before your session")
    planning.delete()

    response = portal.get("/portal/home/", HTTP_HOST=studio.hostname)
    assert response.status_code == 200
    assert f'href="/questionnaires/{sent.token}/">Before your session</a>' in response.content.decode()


def send_questionnaire_titled(studio, client, questionnaire, title):
    from crm.models import QuestionnaireRequest
    from crm.questionnaires import send_questionnaire

    sent = send_questionnaire(studio, client, questionnaire)
    QuestionnaireRequest.objects.filter(pk=sent.pk).update(title=title)
    sent.title = title
    return sent


def test_a_receipt_says_what_was_refunded_of_it(portal, studio, eve, eves_things):
    from billing.models import Payment

    invoice = eves_things["invoice"]
    Payment.objects.create(
        studio=studio,
        invoice=invoice,
        amount=6250,
        currency="gbp",
        status=Payment.Status.SUCCEEDED,
        stripe_account_id="acct_1",
        amount_refunded=6250,
        paid_at=timezone.now(),
    )
    html = portal.get("/portal/home/", HTTP_HOST=studio.hostname).content.decode()
    receipt = re.search(r'<ul class="portal-receipts">(.*?)</ul>', html, re.S)[1]
    assert "Paid £62.50 on" in receipt and "£62.50 refunded" in receipt


def test_proposals_waiting_for_the_client_are_listed_with_their_link(portal, studio, eve, someone_elses):
    from proposals.models import Proposal
    from tests.factories import SessionTypeFactory

    now = timezone.now()
    package = SessionTypeFactory(studio=studio, name="Engagement shoot")
    start = (now + timedelta(days=12)).replace(microsecond=0)

    def proposal(client, status, **fields):
        return Proposal.objects.create(
            studio=studio, client=client, session_type=package, status=status, sent_at=now, **fields
        )

    waiting = proposal(eve, Proposal.Status.SENT, start=start)
    opened = proposal(eve, Proposal.Status.VIEWED, expires_at=now + timedelta(days=3))  # the client picks a slot
    for status in (Proposal.Status.DRAFT, Proposal.Status.ACCEPTED, Proposal.Status.DECLINED, Proposal.Status.VOID):
        proposal(eve, status)
    proposal(eve, Proposal.Status.SENT, expires_at=now - timedelta(minutes=1))  # too late to accept
    proposal(someone_elses["ada"]["client"], Proposal.Status.SENT)

    html = portal.get("/portal/home/", HTTP_HOST=studio.hostname).content.decode()
    section = html.split("data-portal-proposals", 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'href="(/proposals/[^"]+/)"', section) == [
        f"/proposals/{opened.token}/",
        f"/proposals/{waiting.token}/",
    ]
    local = start.astimezone(studio.tz)
    assert f"{local:%A} {local.day} {local:%B %Y, %H:%M}" in section and "you pick the time" in section
