"""The studio API for the rest of the studio's business, as an integration would use it with a write key:
session types, working hours and days off, contract templates and contracts, and a gallery's photos. Every
object is the key's studio's: another studio's id is a 404 (a reference in a body, a field error)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bookings.models import AvailabilityOverride, AvailabilityRule, SessionType
from contracts.models import Contract
from galleries.models import GalleryPhoto, StudioImage
from tests.factories import BookingFactory, SessionTypeFactory
from tests.frontend_api.conftest import bearer
from tests.galleries.factories import jpeg, make_gallery, upload

pytestmark = pytest.mark.django_db


def post(client, key, url, body, **extra):
    return client.post(url, body, content_type="application/json", **bearer(key), **extra)


def patch(client, key, url, body):
    return client.patch(url, body, content_type="application/json", **bearer(key))


def test_session_types_are_created_listed_and_changed_in_minutes(client, studio, api_key, wedding_template):
    created = post(
        client,
        api_key,
        "/api/studio/session-types/",
        {
            "name": "Headshots",
            "duration_minutes": 45,
            "price": 15000,
            "deposit_percent": 20,
            "contract_template": wedding_template.pk,
            "minimum_notice_minutes": 120,
        },
        HTTP_IDEMPOTENCY_KEY="st-1",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["duration_minutes"], body["deposit"], body["minimum_notice_minutes"]) == (45, 3000, 120)
    again = post(
        client,
        api_key,
        "/api/studio/session-types/",
        {"name": "Headshots", "duration_minutes": 45, "price": 15000, "deposit_percent": 20},
        HTTP_IDEMPOTENCY_KEY="st-1",
    )
    assert again.status_code in (201, 422) and SessionType.objects.filter(name="Headshots").count() == 1
    package = SessionType.objects.get(pk=body["id"])
    assert (package.studio, package.duration) == (studio, timedelta(minutes=45))

    changed = patch(client, api_key, f"/api/studio/session-types/{package.pk}/", {"is_active": False, "price": 0})
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    listed = client.get("/api/studio/session-types/", {"is_active": "false"}, **bearer(api_key)).json()["results"]
    assert [row["name"] for row in listed] == ["Headshots"]
    refused = patch(client, api_key, f"/api/studio/session-types/{package.pk}/", {"deposit_percent": 120})
    assert refused.status_code == 400 and "deposit_percent" in refused.json()["error"]["fields"]
    zero = patch(client, api_key, f"/api/studio/session-types/{package.pk}/", {"duration_minutes": 0})
    assert zero.status_code == 400


def test_another_studios_ids_are_not_found(client, studio, other_studio, api_key, other_api_key, wedding_template):
    package = SessionTypeFactory(studio=studio, name="Northlight package")
    rule = AvailabilityRule.objects.create(studio=studio, weekday=0, start_time="09:00", end_time="17:00")
    for url in (
        f"/api/studio/session-types/{package.pk}/",
        f"/api/studio/availability-rules/{rule.pk}/",
        f"/api/studio/contract-templates/{wedding_template.pk}/",
    ):
        assert client.get(url, **bearer(other_api_key)).status_code == 404
    assert patch(client, other_api_key, f"/api/studio/session-types/{package.pk}/", {"name": "X"}).status_code == 404
    # naming this studio's contract template from the other studio's key is a field error, nothing is made
    made = post(
        client,
        other_api_key,
        "/api/studio/session-types/",
        {"name": "Borrowed", "contract_template": wedding_template.pk},
    )
    assert made.status_code == 400 and "contract_template" in made.json()["error"]["fields"]
    booking = BookingFactory(studio=studio, session_type=package)
    issued = post(client, other_api_key, "/api/studio/contracts/", {"booking": booking.pk})
    assert issued.status_code == 400 and "booking" in issued.json()["error"]["fields"]
    assert not Contract.objects.exists() and not SessionType.objects.filter(name="Borrowed").exists()


def test_working_hours_and_days_off(client, studio, api_key):
    rule = post(
        client, api_key, "/api/studio/availability-rules/", {"weekday": 1, "start_time": "09:00", "end_time": "17:00"}
    )
    assert rule.status_code == 201, rule.content
    backwards = post(
        client, api_key, "/api/studio/availability-rules/", {"weekday": 2, "start_time": "17:00", "end_time": "09:00"}
    )
    assert backwards.status_code == 400 and "end_time" in backwards.json()["error"]["fields"]
    moved = patch(client, api_key, f"/api/studio/availability-rules/{rule.json()['id']}/", {"end_time": "18:30"})
    assert moved.status_code == 200 and moved.json()["end_time"] == "18:30"
    late = patch(client, api_key, f"/api/studio/availability-rules/{rule.json()['id']}/", {"start_time": "19:00"})
    assert late.status_code == 400  # checked against the stored end

    day_off = post(client, api_key, "/api/studio/availability-overrides/", {"date": "2030-01-01", "note": "Holiday"})
    assert day_off.status_code == 201 and day_off.json()["kind"] == "blackout"
    extra_without_times = post(
        client, api_key, "/api/studio/availability-overrides/", {"date": "2030-01-02", "kind": "extra"}
    )
    assert extra_without_times.status_code == 400
    half = post(client, api_key, "/api/studio/availability-overrides/", {"date": "2030-01-03", "start_time": "12:00"})
    assert half.status_code == 400
    assert AvailabilityOverride.objects.filter(studio=studio).count() == 1
    gone = client.delete(f"/api/studio/availability-rules/{rule.json()['id']}/", **bearer(api_key))
    assert gone.status_code == 204 and not AvailabilityRule.objects.filter(studio=studio).exists()
    listed = client.get("/api/studio/availability-overrides/", **bearer(api_key)).json()["results"]
    assert [(row["date"], row["note"]) for row in listed] == [(date(2030, 1, 1).isoformat(), "Holiday")]


def test_contracts_are_issued_listed_and_voided(client, studio, api_key, wedding_template, mailoutbox):
    package = SessionTypeFactory(studio=studio, contract_template=wedding_template)
    booking = BookingFactory(studio=studio, session_type=package, start=datetime(2030, 6, 1, 10, tzinfo=UTC))
    templates = client.get("/api/studio/contract-templates/", **bearer(api_key)).json()["results"]
    assert templates[0]["id"] == wedding_template.pk and templates[0]["blocks"][0]["type"] == "heading"

    issued = post(client, api_key, "/api/studio/contracts/", {"booking": booking.pk}, HTTP_IDEMPOTENCY_KEY="c-1")
    assert issued.status_code == 201, issued.content
    contract = issued.json()
    assert (contract["booking"], contract["version"], contract["status"]) == (booking.pk, 1, "sent")
    retried = post(client, api_key, "/api/studio/contracts/", {"booking": booking.pk}, HTTP_IDEMPOTENCY_KEY="c-1")
    assert retried.json()["id"] == contract["id"] and Contract.objects.count() == 1
    assert any("sign" in m.subject.lower() for m in mailoutbox)

    listed = client.get("/api/studio/contracts/", {"booking": booking.pk}, **bearer(api_key)).json()["results"]
    assert [row["id"] for row in listed] == [contract["id"]]
    voided = post(client, api_key, f"/api/studio/contracts/{contract['id']}/void/", {})
    assert voided.status_code == 200 and voided.json()["status"] == "void"

    Contract.objects.filter(pk=contract["id"]).update(status="signed", signed_at=datetime.now(UTC))
    locked = post(client, api_key, f"/api/studio/contracts/{contract['id']}/void/", {})
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "contract_locked"

    no_template = BookingFactory(studio=studio)
    refused = post(client, api_key, "/api/studio/contracts/", {"booking": no_template.pk})
    assert refused.status_code == 400 and "template" in refused.json()["error"]["fields"]


def test_gallery_photos_are_ordered_moved_hidden_and_deleted(client, studio, other_studio, api_key, other_api_key):
    gallery = make_gallery(studio, title="Wedding", sets=["Ceremony", "Party"])
    photos = [upload(gallery, jpeg(seed), f"IMG_{seed}.jpg") for seed in (1, 2, 3)]
    ids = [p.pk for p in photos]
    base = f"/api/studio/galleries/{gallery.pk}/photos/"

    reordered = post(client, api_key, base + "order/", {"photos": list(reversed(ids))})
    assert reordered.status_code == 200, reordered.content
    listed = client.get(base, **bearer(api_key)).json()["results"]
    assert [row["id"] for row in listed] == list(reversed(ids))

    party = gallery.sets.get(name="Party")
    moved = post(client, api_key, base + "move/", {"photos": ids[:2], "set": party.pk})
    assert moved.json() == {"changed": 2}
    assert set(GalleryPhoto.objects.filter(set=party).values_list("pk", flat=True)) == set(ids[:2])
    assert post(client, api_key, base + "move/", {"photos": ids[:1], "set": 999999}).status_code == 400

    hidden = post(client, api_key, base + "hide/", {"photos": [ids[0]], "hidden": True})
    assert hidden.json() == {"changed": 1} and GalleryPhoto.objects.get(pk=ids[0]).hidden

    # another gallery's photo in the list: 404 and nothing changes
    other = make_gallery(other_studio, title="Harbour")
    stranger = upload(other, jpeg(9), "IMG_9.jpg")
    mixed = post(client, api_key, base + "hide/", {"photos": [ids[1], stranger.pk], "hidden": True})
    assert mixed.status_code == 404 and not GalleryPhoto.objects.get(pk=ids[1]).hidden
    # another studio's key on this gallery: 404
    assert post(client, other_api_key, base + "delete/", {"photos": ids}).status_code == 404

    deleted = post(client, api_key, base + "delete/", {"photos": [ids[2]]})
    assert deleted.json() == {"changed": 1}
    assert not GalleryPhoto.objects.filter(pk=ids[2]).exists()
    assert not StudioImage.objects.filter(pk=photos[2].image_id).exists()
    assert post(client, api_key, base + "delete/", {"photos": []}).status_code == 400
