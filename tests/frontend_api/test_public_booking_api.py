"""The public endpoints a custom booking page is built on: the studio's packages and its profile (issue 16)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SessionTypeFactory

pytestmark = pytest.mark.django_db


def test_packages_list_the_active_session_types_with_money_in_minor_units(client, studio, make_image):
    studio.currency = "gbp"
    studio.save()
    cover = make_image(studio, title="Family on the beach")
    SessionTypeFactory(
        studio=studio,
        name="Wedding",
        description="The whole day.",
        duration=timedelta(hours=8),
        price=250000,
        deposit_percent=20,
        location="Anywhere in Yorkshire",
        cover_image=cover,
    )
    SessionTypeFactory(studio=studio, name="Mini session", duration=timedelta(minutes=30), price=9500)
    SessionTypeFactory(studio=studio, name="Retired package", is_active=False)

    response = client.get("/api/client/packages/", HTTP_HOST=studio.hostname)

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    packages = response.json()
    assert [p["name"] for p in packages] == ["Mini session", "Wedding"]  # cheapest first, inactive left out
    wedding = packages[1]
    assert wedding["duration_minutes"] == 480
    assert (wedding["price"], wedding["deposit"], wedding["currency"]) == (250000, 50000, "GBP")
    assert wedding["location"] == "Anywhere in Yorkshire" and wedding["description"] == "The whole day."
    assert wedding["cover_image"]["alt"] == "Family on the beach"
    thumb = wedding["cover_image"]["renditions"]["thumb"]
    assert thumb["url"].startswith(f"http://{studio.hostname}/") and thumb["width"] <= 400
    assert packages[0]["cover_image"] is None


def test_packages_are_read_in_a_bounded_number_of_queries(client, studio, make_image):
    for i in range(2):
        SessionTypeFactory(studio=studio, name=f"P{i}", cover_image=make_image(studio, title=f"c{i}", seed=i))
    client.get("/api/client/packages/", HTTP_HOST=studio.hostname)  # renditions made once
    with CaptureQueriesContext(connection) as two:
        client.get("/api/client/packages/", HTTP_HOST=studio.hostname)
    for i in range(2, 8):
        SessionTypeFactory(studio=studio, name=f"P{i}", cover_image=make_image(studio, title=f"c{i}", seed=i))
    client.get("/api/client/packages/", HTTP_HOST=studio.hostname)
    with CaptureQueriesContext(connection) as eight:
        response = client.get("/api/client/packages/", HTTP_HOST=studio.hostname)
    assert len(response.json()) == 8
    assert len(eight) == len(two)


def test_one_package_and_never_another_studios(client, studio, other_studio, make_image):
    mine = SessionTypeFactory(studio=studio, name="Family portrait", price=18000)
    theirs = SessionTypeFactory(studio=other_studio, name="Harbour headshots")
    # An image of the other studio set as a cover by some other path is never shown.
    mine.cover_image = make_image(other_studio, title="Harbour's photo")
    mine.save()

    response = client.get(f"/api/client/packages/{mine.pk}/", HTTP_HOST=studio.hostname)
    assert response.status_code == 200
    assert response.json()["name"] == "Family portrait" and response.json()["cover_image"] is None

    stolen = client.get(f"/api/client/packages/{theirs.pk}/", HTTP_HOST=studio.hostname)
    assert stolen.status_code == 404 and stolen.json()["error"]["code"] == "not_found"
    listed = client.get("/api/client/packages/", HTTP_HOST=studio.hostname).json()
    assert [p["name"] for p in listed] == ["Family portrait"]
    by_site = client.get("/api/client/packages/", {"site": other_studio.hostname}, HTTP_HOST="localhost").json()
    assert [p["name"] for p in by_site] == ["Harbour headshots"]


def test_the_studio_profile_has_name_branding_and_contact(client, studio, make_image):
    studio.tagline = "Light, honestly"
    studio.contact_email = "hello@northlight.test"
    studio.primary_color = "#123456"
    studio.logo = make_image(studio, title="Northlight logo")
    studio.save()

    response = client.get("/api/client/studio/", HTTP_HOST=f"{studio.hostname}:8000")

    assert response.status_code == 200
    profile = response.json()
    assert profile["name"] == "Northlight Photography" and profile["tagline"] == "Light, honestly"
    assert profile["site_url"] == f"http://{studio.hostname}:8000/"
    assert profile["contact"] == {"email": "hello@northlight.test"}
    assert profile["branding"]["primary_color"] == "#123456"
    assert profile["branding"]["logo"]["renditions"]["thumb"]["url"].startswith(f"http://{studio.hostname}:8000/")
    assert profile["time_zone"] == studio.time_zone


def test_the_profile_by_site_parameter_points_at_the_studios_own_host(client, studio):
    response = client.get("/api/client/studio/", {"site": studio.hostname}, HTTP_HOST="127.0.0.1:8000")
    assert response.json()["site_url"] == f"http://{studio.hostname}:8000/"


def test_an_unknown_host_has_no_profile(client):
    response = client.get("/api/client/studio/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_site"
