"""A client reschedules or cancels their own booking from its secret link, as the session type's policy
allows (issue 16): the window, the reschedule limit, the same no-double-booking guarantee, and what a
cancellation sets off (contract void, invoice void, e-mails with .ics to the client, a notice to the
studio, webhooks, timeline). Refunds through Stripe: tests/billing/test_booking_cancellation_refunds.py."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.test import Client as HttpClient
from django.utils import timezone

from billing.models import Invoice
from bookings.models import Booking
from bookings.scheduling import BookingError, book
from bookings.selfservice import client_cancel, client_reschedule
from contracts.models import Contract
from frontend_api.models import WebhookDelivery, WebhookEndpoint
from tests.factories import BookingFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(open_studio, portrait, slot, photographer):
    return book(open_studio, portrait, slot, name="Mia Hart", email="mia@example.test")


def manage_api(booking, action=""):
    return f"/api/client/bookings/manage/{booking.manage_token}/" + (f"{action}/" if action else "")


def page(booking, action=""):
    return f"/bookings/manage/{booking.manage_token}/" + (f"{action}/" if action else "")


def to(mailoutbox, address):
    return [m for m in mailoutbox if address in m.to]


# --- The link and the policy --------------------------------------------------------------------------


def test_every_booking_has_its_own_unguessable_manage_link_in_the_confirmation(
    open_studio, portrait, slot, mailoutbox, photographer
):
    portrait.auto_confirm = True
    portrait.save()
    first = book(open_studio, portrait, slot, name="Mia Hart", email="mia@example.test")
    second = book(open_studio, portrait, slot + timedelta(days=1), name="Ava Lee", email="ava@example.test")
    assert first.manage_token != second.manage_token and len(first.manage_token) >= 40
    assert first.manage_url.endswith(f"://{open_studio.hostname}/bookings/manage/{first.manage_token}/")
    [confirmation] = [m for m in to(mailoutbox, "mia@example.test") if m.subject.startswith("Confirmed")]
    assert first.manage_url in confirmation.body
    assert "until 2 days before the session" in confirmation.body  # the policy, as the client reads it
    assert any(a[0].endswith(".ics") for a in confirmation.attachments)


def test_the_packages_api_shows_each_policy(client, open_studio, portrait):
    portrait.client_change_hours, portrait.reschedule_limit = 72, 2
    portrait.cancellation_deposit, portrait.full_refund_hours = "kept", 336
    portrait.save()
    [package] = client.get("/api/client/packages/", HTTP_HOST=open_studio.hostname).json()
    assert package["policy"] == {
        "changes_online": True,
        "change_until_hours_before": 72,
        "reschedule_limit": 2,
        "deposit_on_cancellation": "kept",
        "full_refund_until_hours_before": 336,
        "summary": package["policy"]["summary"],
    }
    assert "at least 14 days before the session, your deposit is refunded" in package["policy"]["summary"]


def test_the_manage_api_shows_the_booking_and_what_may_change(client, booking, open_studio):
    body = client.get(manage_api(booking), HTTP_HOST=open_studio.hostname).json()
    assert body["id"] == booking.pk and body["status"] == "booked"
    assert (body["can_cancel"], body["can_reschedule"], body["reschedules_left"]) == (True, True, 1)
    assert body["policy"]["change_until_hours_before"] == 48
    assert body["manage_url"] == booking.manage_url
    assert body["change_until"] == (booking.start - timedelta(hours=48)).isoformat().replace("+00:00", "Z")


def test_a_token_of_studio_a_is_nothing_on_studio_bs_host(client, booking, other_studio):
    assert client.get(manage_api(booking), HTTP_HOST=other_studio.hostname).status_code == 404
    assert client.post(manage_api(booking, "cancel"), {}, HTTP_HOST=other_studio.hostname).status_code == 404
    assert client.get(page(booking), HTTP_HOST=other_studio.hostname).status_code == 404
    refused = client.post(page(booking, "cancel"), {"confirm": "yes"}, HTTP_HOST=other_studio.hostname)
    assert refused.status_code == 404
    assert client.get(manage_api(booking)[:-5] + "nope/", HTTP_HOST=booking.studio.hostname).status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == "booked"


# --- Rescheduling ---------------------------------------------------------------------------------------


def test_the_client_moves_their_session_once_as_the_policy_allows(
    client, booking, open_studio, slot, mailoutbox, photographer
):
    endpoint = WebhookEndpoint.objects.create(studio=open_studio, url="http://127.0.0.1:9/unused")
    new_start = slot + timedelta(days=1, hours=2)
    response = client.post(
        manage_api(booking, "reschedule"),
        {"start": new_start.isoformat()},
        content_type="application/json",
        HTTP_HOST=open_studio.hostname,
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["reschedules_left"], response.json()["can_reschedule"]) == (0, False)
    booking.refresh_from_db()
    assert (booking.start, booking.client_reschedules) == (new_start, 1)
    assert booking.events.get(kind="rescheduled").previous_start == slot
    assert "(by the client)" in booking.client.activities.get(kind="booking_rescheduled").summary

    [moved] = [m for m in to(mailoutbox, "mia@example.test") if m.subject.startswith("New time")]
    assert any(a[0].endswith(".ics") and "method=PUBLISH" in a[2] for a in moved.attachments)
    [notice] = [m for m in to(mailoutbox, photographer.email) if m.subject.startswith("Moved by Mia Hart")]
    assert "It was:" in notice.body
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint, event="booking.rescheduled")
    assert (delivery.payload["data"]["id"], delivery.payload["type"]) == (booking.pk, "booking.rescheduled")

    # The limit is one move: the second is refused and nothing changes.
    again = client.post(
        manage_api(booking, "reschedule"),
        {"start": (slot + timedelta(days=2)).isoformat()},
        content_type="application/json",
        HTTP_HOST=open_studio.hostname,
    )
    assert again.status_code == 403 and again.json()["error"]["code"] == "reschedule_limit_reached"
    assert Booking.objects.get(pk=booking.pk).start == new_start


def test_moving_onto_a_taken_time_is_slot_taken(booking, open_studio, portrait, slot):
    BookingFactory(studio=open_studio, session_type=portrait, start=slot + timedelta(days=1))
    with pytest.raises(BookingError) as excinfo:
        client_reschedule(booking, slot + timedelta(days=1, minutes=30))
    assert excinfo.value.code == "slot_taken"
    booking.refresh_from_db()
    assert (booking.start, booking.client_reschedules) == (slot, 0)


def test_outside_the_window_nothing_changes_online(open_studio, portrait, photographer):
    portrait.minimum_notice = timedelta(hours=1)
    portrait.save()
    soon = (timezone.now() + timedelta(hours=30)).replace(minute=0, second=0, microsecond=0)
    booking = BookingFactory(studio=open_studio, session_type=portrait, start=soon)
    for attempt in (lambda: client_reschedule(booking, soon + timedelta(days=3)), lambda: client_cancel(booking)):
        with pytest.raises(BookingError) as excinfo:
            attempt()
        assert excinfo.value.code == "too_late_to_change"
        assert "please contact Northlight Photography" in excinfo.value.message
    assert Booking.objects.get(pk=booking.pk).status == "booked"

    portrait.client_change_hours = 0  # the studio takes no changes online at all
    portrait.save()
    later = BookingFactory(studio=open_studio, session_type=portrait, start=soon + timedelta(days=20))
    with pytest.raises(BookingError, match="does not take changes online") as excinfo:
        client_cancel(later)
    assert excinfo.value.code == "too_late_to_change"


def test_a_limit_of_zero_allows_cancelling_but_not_moving(booking, portrait, slot):
    portrait.reschedule_limit = 0
    portrait.save()
    booking.refresh_from_db()
    with pytest.raises(BookingError) as excinfo:
        client_reschedule(booking, slot + timedelta(days=1))
    assert excinfo.value.code == "reschedule_limit_reached"
    assert client_cancel(booking).status == "cancelled"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clients_moving_to_one_slot_at_once_one_wins(open_studio, portrait, slot):
    first = BookingFactory(studio=open_studio, session_type=portrait, start=slot)
    second = BookingFactory(studio=open_studio, session_type=portrait, start=slot + timedelta(hours=2))
    target = slot + timedelta(days=1)
    results: list = [None, None]
    barrier = threading.Barrier(2)

    def move(i, booking):
        try:
            http = HttpClient()
            barrier.wait(timeout=30)
            response = http.post(
                manage_api(booking, "reschedule"),
                {"start": target.isoformat()},
                content_type="application/json",
                HTTP_HOST=open_studio.hostname,
                REMOTE_ADDR=f"10.0.2.{i + 1}",
            )
            results[i] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(i, b)) for i, b in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()

    assert sorted(r[0] for r in results) == [200, 409], results
    assert [r[1]["error"]["code"] for r in results if r[0] == 409] == ["slot_taken"]
    assert Booking.objects.filter(start=target).count() == 1
    loser = next(b for b, r in zip((first, second), results, strict=True) if r[0] == 409)
    loser.refresh_from_db()
    assert loser.client_reschedules == 0 and not loser.events.filter(kind="rescheduled").exists()


# --- Cancelling -----------------------------------------------------------------------------------------


def test_cancelling_voids_the_unsigned_contract_and_the_unpaid_invoice_and_tells_both_sides(
    client, open_studio, portrait, slot, wedding_template, mailoutbox, photographer
):
    portrait.contract_template, portrait.price, portrait.deposit_percent = wedding_template, 30_000, 25
    portrait.save()
    endpoint = WebhookEndpoint.objects.create(studio=open_studio, url="http://127.0.0.1:9/unused")
    booking = book(open_studio, portrait, slot, name="Mia Hart", email="mia@example.test")
    [contract] = Contract.objects.filter(booking=booking)
    [invoice] = Invoice.objects.filter(booking=booking)
    assert (contract.status, invoice.status) == ("sent", "sent")

    reason = "<b>Ill</b>\r\nBcc: x@example.com"
    response = client.post(
        manage_api(booking, "cancel"),
        {"reason": reason},
        content_type="application/json",
        HTTP_HOST=open_studio.hostname,
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["can_cancel"]) == ("cancelled", False)
    contract.refresh_from_db()
    invoice.refresh_from_db()
    assert (contract.status, invoice.status) == ("void", "void")
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    # The slot is free again for anyone.
    assert book(open_studio, portrait, slot, name="Ava", email="ava@example.test").start == slot

    [cancelled] = [m for m in to(mailoutbox, "mia@example.test") if m.subject.startswith("Cancelled")]
    assert any("method=CANCEL" in a[2] for a in cancelled.attachments)
    assert "the studio keeps the deposit" in cancelled.body
    [notice] = [m for m in to(mailoutbox, photographer.email) if m.subject.startswith("Cancelled by Mia Hart")]
    html = next(content for content, mimetype in notice.alternatives if mimetype == "text/html")
    assert "<b>Ill</b>" not in html and "&lt;b&gt;Ill&lt;/b&gt;" in html
    assert "\nBcc:" not in notice.body and "Bcc" not in notice.extra_headers
    assert WebhookDelivery.objects.filter(endpoint=endpoint, event="booking.cancelled").count() == 1
    activity = booking.client.activities.get(kind="booking_cancelled")
    assert activity.summary.startswith("By the client (deposit kept per policy)")

    # The page says what became of the contract and the invoice.
    shown = client.get(page(booking), HTTP_HOST=open_studio.hostname).content.decode()
    assert "Your contract is withdrawn: there is nothing to sign." in shown
    assert f"Invoice {invoice.number} is void: there is nothing to pay." in shown

    # A second cancel of the same booking is refused.
    again = client.post(
        manage_api(booking, "cancel"), {}, content_type="application/json", HTTP_HOST=open_studio.hostname
    )
    assert again.status_code == 409


def test_the_studio_cancelling_voids_unpaid_but_refunds_nothing_by_itself(open_studio, portrait, slot, photographer):
    from bookings.scheduling import cancel

    portrait.price = 30_000
    portrait.save()
    booking = book(open_studio, portrait, slot, name="Mia Hart", email="mia@example.test")
    cancel(booking, by=photographer, reason="Studio flooded")
    assert Invoice.objects.get(booking=booking).status == "void"


# --- The page (no JavaScript) ---------------------------------------------------------------------------


def test_the_page_shows_the_policy_and_free_slots_and_moves_without_javascript(client, booking, open_studio, slot):
    html = client.get(page(booking), HTTP_HOST=open_studio.hostname).content.decode()
    assert "Family portrait" in html and "You can move it yourself once." in html
    assert 'name="start"' in html and 'value="' + (slot + timedelta(days=1)).isoformat() + '"' in html
    assert f'value="{slot.isoformat()}"' not in html  # its own time is not offered
    assert "csrfmiddlewaretoken" in html

    new_start = slot + timedelta(days=1)
    moved = client.post(page(booking, "reschedule"), {"start": new_start.isoformat()}, HTTP_HOST=open_studio.hostname)
    assert moved.status_code == 302 and moved["Location"] == page(booking) + "?done=rescheduled"
    assert Booking.objects.get(pk=booking.pk).start == new_start
    after = client.get(moved["Location"], HTTP_HOST=open_studio.hostname).content.decode()
    assert "Your session has moved" in after and 'name="start"' not in after  # the one move is used


def test_cancelling_on_the_page_needs_the_confirmation_box(client, booking, open_studio):
    unconfirmed = client.post(page(booking, "cancel"), {"reason": "<i>x</i>"}, HTTP_HOST=open_studio.hostname)
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.content.decode()
    assert "&lt;i&gt;x&lt;/i&gt;" in unconfirmed.content.decode()  # the reason is kept, as text
    assert Booking.objects.get(pk=booking.pk).status == "booked"

    done = client.post(page(booking, "cancel"), {"confirm": "yes"}, HTTP_HOST=open_studio.hostname)
    assert done.status_code == 302
    html = client.get(done["Location"], HTTP_HOST=open_studio.hostname).content.decode()
    assert "Your session is cancelled" in html and "Cancel my session" not in html


def test_the_page_says_when_it_is_too_late(client, open_studio, portrait):
    portrait.minimum_notice = timedelta(hours=1)
    portrait.save()
    soon = (timezone.now() + timedelta(hours=30)).replace(minute=0, second=0, microsecond=0)
    booking = BookingFactory(studio=open_studio, session_type=portrait, start=soon)
    html = client.get(page(booking), HTTP_HOST=open_studio.hostname).content.decode()
    assert "Online changes closed" in html and "Cancel my session" not in html
    refused = client.post(page(booking, "cancel"), {"confirm": "yes"}, HTTP_HOST=open_studio.hostname)
    assert refused.status_code == 409 and "please contact" in refused.content.decode()


def test_other_session_types_keep_their_own_policy(open_studio):
    strict = SessionTypeFactory(studio=open_studio, client_change_hours=0)
    booking = BookingFactory(studio=open_studio, session_type=strict)
    with pytest.raises(BookingError) as excinfo:
        client_cancel(booking)
    assert excinfo.value.code == "too_late_to_change"
