"""`Idempotency-Key` on the API's creating POSTs (frontend_api.idempotency): a retry gets the first answer and
nothing is made twice; the key is per studio and caller; an error or a rollback leaves the key free."""

import threading
import uuid
from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.test import Client as HttpClient
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from bookings.models import Booking
from crm.models import Client, Inquiry
from frontend_api.idempotency import idempotent
from frontend_api.models import ApiKey, IdempotentRequest, WebhookDelivery, WebhookEndpoint
from frontend_api.tasks import purge_expired_idempotency_keys
from galleries.models import GalleryPhoto
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory
from tests.frontend_api.conftest import bearer
from tests.galleries.factories import jpeg, make_gallery

pytestmark = pytest.mark.django_db
BOOKINGS = "/api/client/bookings/"


def slot_for(studio):
    day = (timezone.now() + timedelta(days=7)).astimezone(studio.tz).date()
    return timezone.make_aware(timezone.datetime.combine(day, time(10)), studio.tz)


def bookable(studio):
    weekly_hours(studio, time(9), time(17))
    return SessionTypeFactory(studio=studio, duration=timedelta(hours=1), minimum_notice=timedelta(hours=1))


def booking_request(studio, session_type, **overrides):
    data = {
        "session_type": session_type.pk,
        "start": slot_for(studio).isoformat(),
        "name": "Mia Hart",
        "email": "mia@example.test",
    }
    return data | overrides


def post(http, url, data, host, key=None, **extra):
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return http.post(url, data, content_type="application/json", HTTP_HOST=host, **extra)


def test_a_retried_booking_returns_the_first_answer_and_books_once(client, studio, committed, mailoutbox):
    session_type = bookable(studio)
    WebhookEndpoint.objects.create(studio=studio, url="http://127.0.0.1:9/hook", events=["booking.created"])
    data, key = booking_request(studio, session_type), str(uuid.uuid4())

    first = committed(post, client, BOOKINGS, data, studio.hostname, key)
    sent = len(mailoutbox)
    retry = committed(post, client, BOOKINGS, data, studio.hostname, key)

    assert first.status_code == retry.status_code == 201, retry.content
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Booking.objects.get().pk == first.json()["id"]
    assert sent > 0 and len(mailoutbox) == sent  # the retry sent nothing
    assert WebhookDelivery.objects.filter(event="booking.created").count() == 1


def test_without_a_key_a_retry_is_a_new_request(client, studio):
    session_type = bookable(studio)
    data = booking_request(studio, session_type)
    assert post(client, BOOKINGS, data, studio.hostname).status_code == 201
    again = post(client, BOOKINGS, data, studio.hostname)
    assert again.status_code == 409 and again.json()["error"]["code"] == "slot_taken"
    assert "Idempotent-Replayed" not in again


def test_the_same_key_for_a_different_request_is_refused(client, studio):
    session_type = bookable(studio)
    key = str(uuid.uuid4())
    assert post(client, BOOKINGS, booking_request(studio, session_type), studio.hostname, key).status_code == 201

    later = slot_for(studio) + timedelta(hours=2)
    other = post(client, BOOKINGS, booking_request(studio, session_type, start=later.isoformat()), studio.hostname, key)

    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1
    # The same key on another endpoint is another request too.
    inquiry = {"name": "Mia Hart", "email": "mia@example.test", "message": "Hello"}
    assert post(client, "/api/client/inquiries/", inquiry, studio.hostname, key).status_code == 422


def test_json_key_order_is_the_same_request(client, studio):
    session_type = bookable(studio)
    data, key = booking_request(studio, session_type), "order-test"
    first = post(client, BOOKINGS, data, studio.hostname, key)
    reordered = dict(reversed(list(data.items())))
    assert post(client, BOOKINGS, reordered, studio.hostname, key).json() == first.json()


def test_keys_are_per_studio(client, studio, other_studio):
    mine, theirs = bookable(studio), bookable(other_studio)
    key = "shared-key-1"
    a = post(client, BOOKINGS, booking_request(studio, mine), studio.hostname, key)
    b = post(client, BOOKINGS, booking_request(other_studio, theirs), other_studio.hostname, key)
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b
    assert Booking.objects.for_studio(other_studio).get().pk == b.json()["id"] != a.json()["id"]


def test_an_error_answer_stores_nothing_and_the_key_stays_free(client, studio):
    session_type = bookable(studio)
    key = "after-a-fix"
    broken = post(client, BOOKINGS, booking_request(studio, session_type, email="not-an-address"), studio.hostname, key)
    assert broken.status_code == 400
    again = post(client, BOOKINGS, booking_request(studio, session_type, email="not-an-address"), studio.hostname, key)
    assert again.status_code == 400 and "Idempotent-Replayed" not in again
    assert not IdempotentRequest.objects.exists()
    assert post(client, BOOKINGS, booking_request(studio, session_type), studio.hostname, key).status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_a_malformed_key_is_a_400(client, studio, key):
    response = post(client, BOOKINGS, booking_request(studio, bookable(studio)), studio.hostname, key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert not Booking.objects.exists()


def test_a_255_character_key_is_fine(client, studio):
    response = post(client, BOOKINGS, booking_request(studio, bookable(studio)), studio.hostname, "k" * 255)
    assert response.status_code == 201


def test_keys_expire_after_a_day(client, studio):
    session_type = bookable(studio)
    key = "yesterday"
    data = booking_request(studio, session_type)
    assert post(client, BOOKINGS, data, studio.hostname, key).status_code == 201
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))

    # The old answer is gone: the key runs again, here for another time (no "reused" error).
    later = booking_request(studio, session_type, start=(slot_for(studio) + timedelta(hours=2)).isoformat())
    again = post(client, BOOKINGS, later, studio.hostname, key)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Booking.objects.count() == 2

    IdempotentRequest.objects.create(studio=studio, caller="anonymous", key="old", fingerprint="-", status_code=201)
    IdempotentRequest.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_expired_idempotency_keys() == 1
    assert not IdempotentRequest.objects.filter(key="old").exists()


def test_a_retried_inquiry_is_kept_once_and_told_once(client, studio, photographer, committed, mailoutbox):
    data = {"name": "Ava Stone", "email": "ava@example.test", "message": "Wedding on 12 June"}
    first = committed(post, client, "/api/client/inquiries/", data, studio.hostname, "inq-1")
    retry = committed(post, client, "/api/client/inquiries/", data, studio.hostname, "inq-1")
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert Inquiry.objects.count() == 1 and len(mailoutbox) == 1


def test_studio_api_keys_are_per_api_key(client, studio, api_key):
    other_key = ApiKey.issue(studio=studio, name="Zapier", scope=ApiKey.Scope.WRITE)[1]
    data = {"name": "Emma", "email": "emma@example.test"}

    first = client.post(
        "/api/studio/clients/", data, content_type="application/json", **bearer(api_key), HTTP_IDEMPOTENCY_KEY="c1"
    )
    retry = client.post(
        "/api/studio/clients/", data, content_type="application/json", **bearer(api_key), HTTP_IDEMPOTENCY_KEY="c1"
    )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert Client.objects.for_studio(studio).count() == 1

    # Another integration's key does not see this one's answer: it runs (and the e-mail is taken).
    theirs = client.post(
        "/api/studio/clients/", data, content_type="application/json", **bearer(other_key), HTTP_IDEMPOTENCY_KEY="c1"
    )
    assert theirs.status_code == 400 and "Idempotent-Replayed" not in theirs


def test_a_retried_photo_upload_adds_the_photo_once(client, studio, api_key, committed):
    gallery = make_gallery(studio)
    url = f"/api/studio/galleries/{gallery.pk}/photos/"

    def upload(content):
        # A new multipart body each time (new boundary): the same file is still the same request.
        return client.post(
            url,
            {"file": SimpleUploadedFile("IMG_1.jpg", content)},
            HTTP_HOST="localhost",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first = committed(upload, jpeg(3))
    retry = committed(upload, jpeg(3))
    assert first.status_code == retry.status_code == 201, retry.content
    assert retry.json()["id"] == first.json()["id"] and retry["Idempotent-Replayed"] == "true"
    assert GalleryPhoto.objects.filter(gallery=gallery).count() == 1
    assert committed(upload, jpeg(4)).status_code == 422  # another file under the same key


class CreatesThenFails(APIView):
    """A creating view whose connection dies after the insert: nothing of it may stay, nor its key."""

    authentication_classes: list = []
    fail = False

    @idempotent
    def post(self, request):
        created = Client.objects.create(studio=request.studio, name="Lee", email="lee@example.test")
        if self.fail:
            raise ConnectionError("the database went away")
        return Response({"id": created.pk}, status=201)


def test_a_request_that_fails_after_creating_leaves_nothing_and_frees_its_key(studio):
    def call(fail):
        request = APIRequestFactory().post("/x/", {"name": "Lee"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
        request.studio = studio
        return CreatesThenFails.as_view(fail=fail)(request)

    with pytest.raises(ConnectionError):
        call(fail=True)
    assert not Client.objects.exists() and not IdempotentRequest.objects.exists()

    first, retry = call(fail=False), call(fail=False)
    assert first.status_code == retry.status_code == 201 and retry.data == first.data
    assert Client.objects.get().pk == first.data["id"]


def test_the_schema_documents_the_header_on_creating_posts(client):
    schema = client.get("/api/schema/", {"format": "json"}, HTTP_HOST="localhost").json()

    def has_header(path, method="post"):
        params = schema["paths"][path][method].get("parameters", [])
        return any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in params)

    for path in [
        "/api/client/bookings/",
        "/api/client/inquiries/",
        "/api/client/galleries/{gallery_id}/selection/submit/",
        "/api/client/invoices/{token}/checkout/",
        "/api/studio/bookings/",
        "/api/studio/clients/",
        "/api/studio/galleries/{id}/photos/",
        "/api/studio/galleries/{id}/uploads/",
        "/api/studio/galleries/{id}/uploads/{photo_id}/complete/",
    ]:
        assert has_header(path), path
    assert not has_header("/api/studio/galleries/{id}/photos/", "get")


@pytest.mark.postgres
# Transactional: the threads use their own connections and must see committed rows.
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_retries_with_one_key_make_one_booking(studio):
    session_type = bookable(studio)
    data, key = booking_request(studio, session_type), str(uuid.uuid4())
    results: list = [None] * 10
    barrier = threading.Barrier(10)

    def request(i):
        try:
            http = HttpClient()
            barrier.wait(timeout=30)
            response = post(http, BOOKINGS, data, studio.hostname, key, REMOTE_ADDR=f"10.0.1.{i + 1}")
            results[i] = (response.status_code, response.json(), response.get("Idempotent-Replayed"))
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=request, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()

    booking = Booking.objects.get()  # exactly one
    assert {status for status, _, _ in results} <= {201, 409}, results
    assert [r for r in results if r[0] == 201 and r[2] is None] != []
    assert len([r for r in results if r[0] == 201 and r[2] is None]) == 1, results  # one ran, others replayed
    assert {body["id"] for status, body, _ in results if status == 201} == {booking.pk}
    assert {body["error"]["code"] for status, body, _ in results if status == 409} <= {"idempotency_key_in_use"}
    # A retry once it is over gets the booking.
    retry = post(HttpClient(), BOOKINGS, data, studio.hostname, key)
    assert retry.status_code == 201 and retry.json()["id"] == booking.pk
