"""Bookings in the Wagtail admin: upcoming first, filters, actions with history, and isolation per studio."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from bookings.models import AvailabilityOverride, AvailabilityRule, Booking, CalendarFeed, SessionType
from contracts.models import ContractTemplate
from tests.factories import BookingFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_admin(admin_client_for, photographer):
    return admin_client_for(photographer)


@pytest.fixture
def b_rows(other_studio):
    session_type = SessionTypeFactory(studio=other_studio, name="Harbour Secret Package")
    booking = BookingFactory(studio=other_studio, session_type=session_type, client__name="Harbour Secret Client")
    rule = AvailabilityRule.objects.create(studio=other_studio, weekday=0, start_time=time(9), end_time=time(17))
    override = AvailabilityOverride.objects.create(
        studio=other_studio, date=date(2027, 1, 1), note="Harbour Secret Day"
    )
    feed = CalendarFeed.objects.create(studio=other_studio)
    return {"bookings": booking, "session_types": session_type, "availability_rules": rule,
            "availability_overrides": override, "calendar_feeds": feed}  # fmt: skip


VIEWS = ["edit", "delete", "inspect", "history", "usage"]


@pytest.mark.parametrize(
    "viewset", ["bookings", "session_types", "availability_rules", "availability_overrides", "calendar_feeds"]
)
def test_another_studios_rows_are_404(a_admin, b_rows, viewset):
    for view in VIEWS:
        response = a_admin.get(f"/admin/{viewset}/{view}/{b_rows[viewset].pk}/", HTTP_HOST="localhost")
        if viewset == "calendar_feeds" and view == "edit":
            # Feeds have no edit view for anyone (the token is generated): denied before the object is read.
            assert (response.status_code, response["Location"]) == (302, "/admin/")
        else:
            assert response.status_code == 404, (view, response.status_code)
        assert b"Harbour Secret" not in response.content


def test_actions_on_another_studios_booking_are_404_and_change_nothing(a_admin, b_rows):
    booking = b_rows["bookings"]
    for action in ["confirm", "cancel", "complete", "reschedule", "issue-contract"]:
        response = a_admin.post(
            f"/admin/bookings/{booking.pk}/{action}/", {"start": "2030-01-01T10:00"}, HTTP_HOST="localhost"
        )
        assert response.status_code == 404, action
    after = Booking.objects.get(pk=booking.pk)
    assert (after.status, after.start) == (booking.status, booking.start)
    assert not after.events.exists()


def test_listings_show_only_own_rows(a_admin, b_rows):
    for viewset in ["bookings", "session_types", "availability_rules", "availability_overrides", "calendar_feeds"]:
        response = a_admin.get(f"/admin/{viewset}/", HTTP_HOST="localhost")
        assert response.status_code == 200
        assert b"Harbour Secret" not in response.content
        assert b_rows["calendar_feeds"].token.encode() not in response.content


def test_bookings_listing_upcoming_first_and_filters(a_admin, studio):
    now = timezone.now()
    wedding = SessionTypeFactory(studio=studio, name="Wedding")
    past = BookingFactory(studio=studio, start=now - timedelta(days=3), client__name="Paula Past", status="completed")
    later = BookingFactory(studio=studio, start=now + timedelta(days=20), client__name="Larry Later")
    soon = BookingFactory(studio=studio, session_type=wedding, start=now + timedelta(days=2), client__name="Sara Soon")
    html = a_admin.get("/admin/bookings/", HTTP_HOST="localhost").content.decode()
    assert html.index("Sara Soon") < html.index("Larry Later") < html.index("Paula Past")

    def names(**params):
        content = a_admin.get("/admin/bookings/", params, HTTP_HOST="localhost").content.decode()
        return {b.client.name for b in (past, later, soon) if b.client.name in content}

    assert names(status="completed") == {"Paula Past"}
    assert names(session_type=wedding.pk) == {"Sara Soon"}
    day = (now + timedelta(days=20)).date().isoformat()
    assert names(start_from=day, start_to=day) == {"Larry Later"}


def test_photographers_cannot_add_bookings_without_the_checks(a_admin):
    assert a_admin.get("/admin/bookings/new/", HTTP_HOST="localhost").status_code in (302, 403)


def test_reschedule_and_cancel_from_the_admin_keep_history(a_admin, open_studio, portrait, slot, photographer):
    booking = BookingFactory(studio=open_studio, session_type=portrait, start=slot)
    new_local = (slot + timedelta(days=1, hours=3)).astimezone(open_studio.tz).strftime("%Y-%m-%dT%H:%M")
    response = a_admin.post(f"/admin/bookings/{booking.pk}/reschedule/", {"start": new_local}, HTTP_HOST="localhost")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == slot + timedelta(days=1, hours=3)

    # Outside hours: a clear message, nothing moved.
    bad = (slot + timedelta(hours=10)).astimezone(open_studio.tz).strftime("%Y-%m-%dT%H:%M")
    response = a_admin.post(
        f"/admin/bookings/{booking.pk}/reschedule/", {"start": bad}, HTTP_HOST="localhost", follow=True
    )
    assert "outside the studio" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).start == slot + timedelta(days=1, hours=3)

    a_admin.post(f"/admin/bookings/{booking.pk}/cancel/", {"reason": "Moved away"}, HTTP_HOST="localhost")
    page = a_admin.get(f"/admin/bookings/inspect/{booking.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Rescheduled" in page and "Moved away" in page and photographer.email in page


def test_session_type_form_offers_only_own_contract_templates(a_admin, studio, other_studio):
    ContractTemplate.objects.create(studio=other_studio, title="Harbour Secret Template", body=[])
    mine = ContractTemplate.objects.create(studio=studio, title="Northlight Wedding Contract", body=[])
    page = a_admin.get("/admin/session_types/new/", HTTP_HOST="localhost").content.decode()
    assert "Northlight Wedding Contract" in page and "Harbour Secret" not in page

    data = {
        "name": "Mini session", "description": "", "duration": "00:30:00", "slot_interval": "00:30:00",
        "price": "99", "deposit_amount": "0", "deposit_percent": "50", "buffer_before": "0", "buffer_after": "0",
        "minimum_notice": "1 00:00:00", "booking_horizon": "90 00:00:00", "max_per_day": "", "location": "",
        "contract_template": str(mine.pk), "is_active": "on",
        "client_change_hours": "72", "reschedule_limit": "2", "cancellation_deposit": "refunded",
        "full_refund_hours": "0",
    }  # fmt: skip
    response = a_admin.post("/admin/session_types/new/", data, HTTP_HOST="localhost")
    assert response.status_code == 302, response.content.decode()[-3000:]
    created = SessionType.objects.get(name="Mini session")
    assert created.studio == studio and created.contract_template == mine and created.deposit == 4950
    # The client's reschedule/cancel policy is part of the package.
    assert (created.client_change_hours, created.reschedule_limit, created.cancellation_deposit) == (72, 2, "refunded")

    theirs = ContractTemplate.objects.get(studio=other_studio)
    response = a_admin.post(
        "/admin/session_types/new/",
        {**data, "name": "Sneaky", "contract_template": str(theirs.pk)},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200
    assert not SessionType.objects.filter(name="Sneaky").exists()


def test_weekly_hours_and_overrides_from_the_admin(a_admin, studio):
    response = a_admin.post(
        "/admin/availability_rules/new/",
        {"weekday": "1", "start_time": "09:00", "end_time": "17:00"},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    assert AvailabilityRule.objects.get().studio == studio

    response = a_admin.post(
        "/admin/availability_rules/new/",
        {"weekday": "2", "start_time": "17:00", "end_time": "09:00"},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200 and AvailabilityRule.objects.count() == 1
    assert "The end must be after the start" in response.content.decode()

    response = a_admin.post(
        "/admin/availability_overrides/new/",
        {"date": "2027-01-02", "kind": "extra", "start_time": "", "end_time": "", "note": ""},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200
    assert "Extra hours need a start and an end time." in response.content.decode()
    assert not AvailabilityOverride.objects.exists()


def test_admin_menu_has_the_studio_manager_sections(a_admin):
    html = a_admin.get("/admin/", HTTP_HOST="localhost").content.decode()
    for label in ("Clients", "Sessions", "Session types", "Weekly hours", "Contracts", "Contract templates"):
        assert label in html


def test_photographer_books_a_session_with_the_same_checks(
    a_admin, open_studio, portrait, slot, photographer, other_studio, mailoutbox
):
    from tests.factories import ClientFactory

    mine = ClientFactory(studio=open_studio, name="Nora Vale")
    theirs = ClientFactory(studio=other_studio, name="Harbour Secret Client")
    page = a_admin.get("/admin/bookings/book/", HTTP_HOST="localhost").content.decode()
    assert "Nora Vale" in page and "Harbour Secret" not in page
    assert "/admin/bookings/book/" in a_admin.get("/admin/bookings/", HTTP_HOST="localhost").content.decode()

    local = slot.astimezone(open_studio.tz).strftime("%Y-%m-%dT%H:%M")
    data = {"client": mine.pk, "session_type": portrait.pk, "start": local, "notes": "", "confirm_now": "on"}
    response = a_admin.post("/admin/bookings/book/", data, HTTP_HOST="localhost")
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.client, booking.start, booking.status) == (mine, slot, "confirmed")
    assert booking.events.get(kind="created").by == photographer
    assert any(m.attachments for m in mailoutbox)  # the client's .ics

    # The same time again: the clear slot-taken message, nothing added.
    response = a_admin.post("/admin/bookings/book/", data, HTTP_HOST="localhost")
    assert response.status_code == 200 and "just booked" in response.content.decode()
    # Another studio's client is not a choice.
    response = a_admin.post("/admin/bookings/book/", {**data, "client": theirs.pk}, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert Booking.objects.count() == 1


def test_admin_views_need_a_login(client, b_rows):
    for url in ("/admin/bookings/book/", f"/admin/bookings/{b_rows['bookings'].pk}/confirm/"):
        response = client.post(url, HTTP_HOST="localhost")
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert Booking.objects.get(pk=b_rows["bookings"].pk).status == "booked"


def test_photographer_books_a_sunday_wedding_outside_the_weekly_hours_when_they_say_so(
    a_admin, open_studio, portrait, slot, photographer
):
    from tests.factories import ClientFactory

    nora = ClientFactory(studio=open_studio, name="Nora Vale")
    evening = slot.replace(hour=19)  # the studio is open 09:00–17:00
    data = {"client": nora.pk, "session_type": portrait.pk, "start": evening.strftime("%Y-%m-%dT%H:%M"), "notes": ""}

    refused = a_admin.post("/admin/bookings/book/", data, HTTP_HOST="localhost")
    assert refused.status_code == 200 and "outside the studio" in refused.content.decode()
    assert not Booking.objects.exists()
    assert "Book outside the studio" in a_admin.get("/admin/bookings/book/", HTTP_HOST="localhost").content.decode()

    booked = a_admin.post("/admin/bookings/book/", {**data, "outside_hours": "on"}, HTTP_HOST="localhost")
    assert booked.status_code == 302
    wedding = Booking.objects.get()
    assert wedding.start == evening

    # The override is about hours only: the same evening cannot be double-booked, nor moved into the past.
    again = a_admin.post("/admin/bookings/book/", {**data, "outside_hours": "on"}, HTTP_HOST="localhost")
    assert "just booked" in again.content.decode() and Booking.objects.count() == 1

    # Rescheduling outside hours needs the same explicit tick.
    later = (evening + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    url = f"/admin/bookings/{wedding.pk}/reschedule/"
    page = a_admin.post(url, {"start": later}, HTTP_HOST="localhost", follow=True).content.decode()
    assert "outside the studio" in page
    a_admin.post(url, {"start": later, "outside_hours": "on"}, HTTP_HOST="localhost")
    wedding.refresh_from_db()
    assert wedding.start == evening + timedelta(hours=1)


def test_clients_cannot_book_outside_hours_whatever_they_send(open_studio, portrait, slot):
    from bookings.scheduling import BookingError, book

    with pytest.raises(BookingError, match="outside the studio"):
        book(open_studio, portrait, slot.replace(hour=19), name="Eve", email="eve@example.test", outside_hours=True)
