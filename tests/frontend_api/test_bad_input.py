"""Bad input answers 400 (or 404) in the API error shape, never 500, and changes nothing (issue 12)."""

import base64
import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import StripeEvent
from bookings.models import Booking, CalendarFeed
from crm.models import Client, Inquiry
from galleries.models import GalleryPhoto
from tests.billing.conftest import WEBHOOK_SECRET, WEBHOOK_URL, make_event, post_event, sign
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory
from tests.frontend_api.conftest import bearer
from tests.galleries.factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db

INQUIRIES = "/api/client/inquiries/"
BOOKINGS = "/api/client/bookings/"
LONE_SURROGATE = '"Ava \\ud800 Stone"'  # a JSON escape no UTF-8 text can hold


def assert_error(response, status: int):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return error


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


@pytest.fixture
def unlocked(client, studio):
    gallery = make_gallery(studio, access_code="WEDDING24")
    upload(gallery, jpeg(1), "IMG_1.jpg")
    unlock = "/api/client/galleries/unlock/"
    body = {"code": "WEDDING24"}
    token = client.post(unlock, body, content_type="application/json", HTTP_HOST=studio.hostname).json()["token"]
    return gallery, {"HTTP_HOST": studio.hostname, "HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize("raw", ["o" + "9" * 30, "o" + "9" * 19, f"o{2**63}", "o" + "9" * 5000])
def test_a_photos_cursor_with_a_huge_offset_is_400(client, unlocked, raw):
    gallery, headers = unlocked
    response = client.get(f"/api/client/galleries/{gallery.pk}/photos/", {"cursor": cursor(raw)}, **headers)
    assert assert_error(response, 400)["code"] == "invalid"


def test_a_sane_cursor_still_pages(client, unlocked):
    gallery, headers = unlocked
    response = client.get(f"/api/client/galleries/{gallery.pk}/photos/", {"cursor": cursor("o1")}, **headers)
    assert response.status_code == 200 and response.json()["results"] == []


@pytest.mark.parametrize("token", ["%00", "abc%00def", "%2e%2e%2f", "x" * 5000])
def test_a_calendar_feed_token_that_cannot_be_one_is_404_without_a_query(client, studio, token):
    CalendarFeed.objects.get_or_create(studio=studio)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/client/calendar/{token}.ics", HTTP_HOST=studio.hostname)
    assert_error(response, 404)
    # PostgreSQL refuses a NUL in text outright (a 500): such a token must never reach a query.
    assert not [q for q in queries if "calendarfeed" in q["sql"]]


def test_the_calendar_feed_still_opens_with_its_token(client, studio):
    feed = CalendarFeed.objects.get_or_create(studio=studio)[0]
    response = client.get(f"/api/client/calendar/{feed.token}.ics", HTTP_HOST=studio.hostname)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")


@pytest.mark.parametrize("set_id", ["abc", "1.5", "9" * 30])
def test_a_studio_api_upload_to_a_set_that_is_not_a_number_is_400(client, studio, api_key, set_id):
    gallery = make_gallery(studio, sets=["Ceremony"])
    response = client.post(
        f"/api/studio/galleries/{gallery.pk}/photos/",
        {"file": SimpleUploadedFile("IMG_1.jpg", jpeg(3)), "set": set_id},
        **bearer(api_key),
    )
    error = assert_error(response, 400)
    assert "set" in error["fields"]
    assert GalleryPhoto.objects.count() == 0


def deeply_nested(levels: int) -> str:
    return '{"name": ' + '{"a": ' * levels + "1" + "}" * levels + ', "email": "a@example.test", "message": "hi"}'


@pytest.mark.parametrize("levels", [10_000, 100_000])
def test_deeply_nested_json_is_400(client, studio, levels):
    response = client.post(INQUIRIES, deeply_nested(levels), content_type="application/json", HTTP_HOST=studio.hostname)
    assert assert_error(response, 400)["code"] == "parse_error"
    assert Inquiry.objects.count() == 0 and Client.objects.count() == 0


def test_deep_nesting_is_refused_long_before_the_recursion_limit(client, studio):
    # 200 levels parse, but every later json.dumps/validation would walk them: refuse at the parser.
    response = client.post(INQUIRIES, deeply_nested(200), content_type="application/json", HTTP_HOST=studio.hostname)
    assert assert_error(response, 400)["code"] == "parse_error"


def test_a_lone_surrogate_in_an_inquiry_is_400(client, studio):
    body = '{"name": ' + LONE_SURROGATE + ', "email": "ava@example.test", "message": "Wedding"}'
    response = client.post(INQUIRIES, body, content_type="application/json", HTTP_HOST=studio.hostname)
    assert assert_error(response, 400)["code"] == "parse_error"
    assert Inquiry.objects.count() == 0 and Client.objects.count() == 0


def test_a_lone_surrogate_in_a_key_is_400(client, studio):
    body = '{"name": "Ava", "email": "ava@example.test", "message": "Wedding", "\\udc00": 1}'
    response = client.post(INQUIRIES, body, content_type="application/json", HTTP_HOST=studio.hostname)
    assert assert_error(response, 400)["code"] == "parse_error"


def test_a_lone_surrogate_in_a_booking_is_400(client, studio):
    weekly_hours(studio)
    session_type = SessionTypeFactory(studio=studio)
    day = datetime.now(ZoneInfo(studio.time_zone)).date() + timedelta(days=10)
    start = datetime.combine(day, time(10), tzinfo=ZoneInfo(studio.time_zone))
    fields = {"session_type": session_type.pk, "start": start.isoformat(), "email": "mia@example.test"}
    body = json.dumps(fields)[:-1] + ', "name": ' + LONE_SURROGATE + "}"
    response = client.post(BOOKINGS, body, content_type="application/json", HTTP_HOST=studio.hostname)
    assert assert_error(response, 400)["code"] == "parse_error"
    assert Booking.objects.count() == 0 and Client.objects.count() == 0
    # The same booking with a real name goes through: the guard only refuses what no text can hold.
    ok = client.post(
        BOOKINGS, {**fields, "name": "Mia \U0001f4f7"}, content_type="application/json", HTTP_HOST=studio.hostname
    )
    assert ok.status_code == 201, ok.content


def test_a_valid_astral_character_escaped_as_a_surrogate_pair_is_fine(client, studio):
    body = '{"name": "Ava \\ud83d\\udcf7", "email": "ava@example.test", "message": "Wedding"}'
    response = client.post(INQUIRIES, body, content_type="application/json", HTTP_HOST=studio.hostname)
    assert response.status_code == 201, response.content
    assert Client.objects.get().name == "Ava \U0001f4f7"


@pytest.mark.parametrize("field", ["id", "type", "account"])
def test_a_signed_stripe_event_with_an_overlong_id_is_400_and_not_recorded(client, webhook_secret, field):
    event = make_event("invoice.paid", {"id": "in_1", "object": "invoice"})
    event[field] = "evt_" + "x" * 5000
    response = post_event(client, event)
    assert assert_error(response, 400)["code"] == "invalid_event"
    assert StripeEvent.objects.count() == 0


@pytest.mark.parametrize("created", [10**30, "soon", -(10**20)])
def test_a_signed_stripe_event_with_an_impossible_time_is_400_and_not_recorded(client, webhook_secret, created):
    event = make_event("invoice.paid", {"id": "in_1", "object": "invoice"})
    event["created"] = created
    response = post_event(client, event)
    assert_error(response, 400)
    assert StripeEvent.objects.count() == 0


def test_a_signed_stripe_event_nested_too_deeply_is_400_and_not_recorded(client, webhook_secret):
    payload = ('{"id": "evt_1", "type": "invoice.paid", "created": 1, "data": ' + '{"a": ' * 100_000 + "1").encode()
    payload += b"}" * 100_001
    response = client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        HTTP_HOST="localhost",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )
    assert_error(response, 400)
    assert StripeEvent.objects.count() == 0
