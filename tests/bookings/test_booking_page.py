"""The studio site's booking page, and what a client's booking of a priced package sets in motion:
contract, invoice and deposit in one flow."""

import json
import re

import pytest

from billing.models import Invoice, StudioSubscription
from bookings.models import BookingPage
from contracts.models import Contract
from tests.bookings.test_booking_api import book

pytestmark = pytest.mark.django_db


def test_every_new_studio_has_a_live_booking_page_in_its_menu(studio):
    page = BookingPage.objects.child_of(studio.home_page).get()
    assert page.live and page.show_in_menus and page.url_path.endswith("/book/")


def test_the_page_is_built_on_the_public_api_alone(client, portrait):
    """No server-only data: the page carries the public API's own answers (GET /api/client/studio/ and
    /packages/) and draws its first state, the package cards, from them, so nothing moves when booking.js starts
    (issue 14: CLS); booking.js reads the same JSON (tests/browser/test_client_booking.py shows it working)."""
    host = portrait.studio.hostname
    response = client.get("/book/", HTTP_HOST=host)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-api="/api/client"' in html
    assert 'href="/book/"' in html  # in the site's navigation
    first = json.loads(
        re.search(r'id="booking-first-state" type="application/json"[^>]*>(.*?)</script>', html).group(1)
    )
    assert first == {
        "profile": client.get("/api/client/studio/", HTTP_HOST=host).json(),
        "packages": client.get("/api/client/packages/", HTTP_HOST=host).json(),
    }
    card = re.search(r'<label class="package-card">(.*?)</label>', html, re.S).group(1)
    assert f'name="session_type" value="{portrait.pk}"' in card
    text = " ".join(re.sub(r"<[^>]+>", " ", card).split())
    assert text == "Family portrait 1 hour · £250.00 £62.50 deposit holds your time Northlight studio, Leeds", text
    assert "Loading the sessions" not in html


def test_with_no_packages_the_first_state_says_how_to_get_in_touch(client, studio):
    html = client.get("/book/", HTTP_HOST=studio.hostname).content.decode()
    assert '<fieldset class="packages" data-packages hidden>' in html
    assert "No sessions are open for booking online just now." in html
    assert (
        json.loads(re.search(r'id="booking-first-state" type="application/json"[^>]*>(.*?)<', html).group(1))[
            "packages"
        ]
        == []
    )


def test_the_booking_page_is_editable_content_and_in_the_pages_api(client, studio):
    page = BookingPage.objects.child_of(studio.home_page).get()
    page.intro = "<p>Sessions run Tuesday to Saturday.</p>"
    page.save_revision().publish()
    assert "Sessions run Tuesday to Saturday." in client.get("/book/", HTTP_HOST=studio.hostname).content.decode()
    listing = client.get("/api/v2/pages/?type=bookings.BookingPage&fields=intro", HTTP_HOST=studio.hostname).json()
    assert [item["intro"] for item in listing["items"]] == ["<p>Sessions run Tuesday to Saturday.</p>"]


def test_booking_a_priced_package_issues_the_contract_and_sends_the_deposit_invoice(
    client, portrait, slot, wedding_template, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.INVOICE_LINK_URL = "https://{host}/invoices/{token}/"
    portrait.contract_template = wedding_template
    portrait.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = book(client, portrait.studio, portrait, slot)
    assert response.status_code == 201, response.content
    body = response.json()
    contract = Contract.objects.get(booking_id=body["id"])
    invoice = Invoice.objects.get(booking_id=body["id"])
    assert body["contract"] == {"token": contract.token, "status": "sent"}
    assert body["invoice"] == {
        "token": invoice.token,
        "status": "sent",
        "currency": "gbp",
        "total": 25000,
        "next_payment": 6250,  # the deposit first
    }
    assert [(step.kind, step.amount) for step in invoice.installments.all()] == [("deposit", 6250), ("balance", 18750)]
    invoice_mail = next(m for m in mailoutbox if m.subject.startswith("Invoice"))
    assert invoice_mail.to == ["mia@example.test"]
    assert f"https://{portrait.studio.hostname}/invoices/{invoice.token}/" in invoice_mail.body
    # the booking e-mail lists the next steps in order, each with its link
    booking_mail = next(m for m in mailoutbox if "request" in m.subject.lower())
    steps = booking_mail.body.split("Next:")[1]
    assert steps.index(f"/contracts/{contract.token}/") < steps.index(f"/invoices/{invoice.token}/")


def test_a_free_package_is_booked_without_an_invoice(client, portrait, slot):
    portrait.price = 0
    portrait.save()
    response = book(client, portrait.studio, portrait, slot)
    assert response.status_code == 201 and response.json()["invoice"] is None
    assert not Invoice.objects.exists()


def test_a_lapsed_studio_still_takes_the_booking_but_sends_no_invoice(client, portrait, slot, plans):
    StudioSubscription.objects.create(
        studio=portrait.studio, plan=plans["professional"], status=StudioSubscription.Status.CANCELLED
    )
    response = book(client, portrait.studio, portrait, slot)
    assert response.status_code == 201 and response.json()["invoice"] is None
    assert not Invoice.objects.exists()


@pytest.fixture
def plans(db):
    from billing.models import Plan

    return {plan.code: plan for plan in Plan.objects.all()}
