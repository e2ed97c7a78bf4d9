"""The studio API's resources, as an integration would use them with a write key."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bookings.models import Booking
from crm.models import Client
from galleries.models import GalleryPhoto
from tests.billing.factories import invoice_for
from tests.bookings.factories import weekly_hours
from tests.factories import ClientFactory, SessionTypeFactory
from tests.frontend_api.conftest import bearer
from tests.galleries.factories import jpeg, make_gallery

pytestmark = pytest.mark.django_db


def test_clients_can_be_created_listed_filtered_and_updated(client, studio, api_key):
    created = client.post(
        "/api/studio/clients/",
        {"name": "Emma", "email": "Emma@Example.test", "stage": "lead"},
        content_type="application/json",
        **bearer(api_key),
    )
    assert created.status_code == 201, created.content
    assert Client.objects.get(pk=created.json()["id"]).studio == studio

    duplicate = client.post(
        "/api/studio/clients/",
        {"name": "Emma again", "email": "emma@example.test"},
        content_type="application/json",
        **bearer(api_key),
    )
    assert duplicate.status_code == 400 and "email" in duplicate.json()["error"]["fields"]

    ClientFactory(studio=studio, stage="customer")
    leads = client.get("/api/studio/clients/", {"stage": "lead"}, **bearer(api_key)).json()["results"]
    assert [c["name"] for c in leads] == ["Emma"]
    patched = client.patch(
        f"/api/studio/clients/{created.json()['id']}/",
        {"phone": "+44 20 7946 0000"},
        content_type="application/json",
        **bearer(api_key),
    )
    assert patched.json()["phone"] == "+44 20 7946 0000"


def test_bookings_follow_the_scheduling_rules(client, studio, api_key):
    weekly_hours(studio)
    session_type = SessionTypeFactory(studio=studio)
    emma = ClientFactory(studio=studio)
    day = datetime.now(ZoneInfo(studio.time_zone)).date() + timedelta(days=10)
    start = datetime.combine(day, time(10), tzinfo=ZoneInfo(studio.time_zone))
    body = {"client": emma.pk, "session_type": session_type.pk, "start": start.isoformat()}

    first = client.post("/api/studio/bookings/", body, content_type="application/json", **bearer(api_key))
    again = client.post("/api/studio/bookings/", body, content_type="application/json", **bearer(api_key))

    assert first.status_code == 201, first.content
    assert again.status_code == 409 and again.json()["error"]["code"] == "slot_taken"
    assert Booking.objects.filter(studio=studio).count() == 1
    booking_id = first.json()["id"]
    assert client.post(f"/api/studio/bookings/{booking_id}/confirm/", **bearer(api_key)).json()["status"] == "confirmed"
    assert client.post(f"/api/studio/bookings/{booking_id}/cancel/", **bearer(api_key)).json()["status"] == "cancelled"
    twice = client.post(f"/api/studio/bookings/{booking_id}/cancel/", **bearer(api_key))
    assert twice.status_code == 409


def test_a_booking_for_another_studios_client_is_a_field_error(client, studio, other_studio, api_key):
    weekly_hours(studio)
    session_type = SessionTypeFactory(studio=studio)
    stranger = ClientFactory(studio=other_studio)
    response = client.post(
        "/api/studio/bookings/",
        {"client": stranger.pk, "session_type": session_type.pk, "start": "2030-01-08T10:00:00Z"},
        content_type="application/json",
        **bearer(api_key),
    )
    assert response.status_code == 400 and "client" in response.json()["error"]["fields"]


def test_photos_upload_to_a_gallery_and_are_processed(client, studio, api_key, django_capture_on_commit_callbacks):
    gallery = make_gallery(studio, sets=["Ceremony"])
    ceremony = gallery.sets.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/studio/galleries/{gallery.pk}/photos/",
            {"file": SimpleUploadedFile("IMG_1.jpg", jpeg(3)), "set": ceremony.pk},
            HTTP_HOST="localhost",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"  # processed off the request path
    photo = GalleryPhoto.objects.get(pk=response.json()["id"])
    assert photo.set == ceremony and photo.image.status == "ready"  # the (eager) pipeline ran after commit
    listing = client.get(f"/api/studio/galleries/{gallery.pk}/photos/", **bearer(api_key)).json()
    assert [p["filename"] for p in listing["results"]] == ["IMG_1.jpg"]
    galleries = client.get("/api/studio/galleries/", **bearer(api_key)).json()["results"]
    assert galleries[0]["photo_count"] == 1 and galleries[0]["sets"] == [{"id": ceremony.pk, "name": "Ceremony"}]


def test_a_broken_file_is_accepted_then_fails_with_a_reason(
    client, studio, api_key, django_capture_on_commit_callbacks
):
    gallery = make_gallery(studio)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/studio/galleries/{gallery.pk}/photos/",
            {"file": SimpleUploadedFile("IMG_2.jpg", b"not a photo")},
            HTTP_HOST="localhost",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
    assert response.status_code == 201
    status = client.get(f"/api/studio/galleries/{gallery.pk}/photos/", **bearer(api_key)).json()["results"][0]
    assert status["status"] == "failed" and status["failure_reason"]


def test_direct_uploads_need_s3(client, studio, api_key):
    gallery = make_gallery(studio)
    response = client.post(
        f"/api/studio/galleries/{gallery.pk}/uploads/",
        {"filename": "a.jpg", "size": 100},
        content_type="application/json",
        **bearer(api_key),
    )
    assert response.status_code == 400 and "S3" in response.json()["error"]["message"]


def test_invoices_are_listed_read_only(client, studio, api_key):
    invoice = invoice_for(studio)
    rows = client.get("/api/studio/invoices/", {"status": "sent"}, **bearer(api_key)).json()["results"]
    assert [r["number"] for r in rows] == [invoice.number] and rows[0]["total"] == invoice.total
    assert (
        client.patch(
            f"/api/studio/invoices/{invoice.pk}/", {}, content_type="application/json", **bearer(api_key)
        ).status_code
        == 405
    )


def test_date_filters_accept_any_offset_python_does(client, studio, api_key):
    # PostgreSQL refuses offsets beyond ±15:59; the filter hands the database UTC.
    response = client.get("/api/studio/bookings/", {"start_after": "2030-01-27T13:54:23+22:01"}, **bearer(api_key))
    assert response.status_code == 200 and response.json()["results"] == []
    bad = client.get("/api/studio/bookings/", {"start_after": "next tuesday"}, **bearer(api_key))
    assert bad.status_code == 400 and "start_after" in bad.json()["error"]["fields"]
