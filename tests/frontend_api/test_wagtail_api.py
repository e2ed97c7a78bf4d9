"""Wagtail API v2 at /api/v2/ shows only the resolved studio's live, public content."""

import pytest

from cms.models import PortfolioPage
from studios.models import StudioDomain

pytestmark = pytest.mark.django_db


def add_portfolio(studio, title, cover=None, body=None, live=True):
    index = studio.home_page.get_children().first()
    page = PortfolioPage(title=title, slug=title.lower().replace(" ", "-"), cover=cover, body=body or [], live=live)
    index.add_child(instance=page)
    return page


def titles(response):
    return {item["title"] for item in response.json()["items"]}


def test_pages_are_those_of_the_host_studio(client, studio, other_studio):
    add_portfolio(studio, "Weddings")
    add_portfolio(studio, "Unpublished draft", live=False)
    add_portfolio(other_studio, "Harbour Families")

    response = client.get("/api/v2/pages/", HTTP_HOST=studio.hostname)

    assert response.status_code == 200
    assert "Weddings" in titles(response)
    assert "Harbour Families" not in titles(response)
    assert "Unpublished draft" not in titles(response)
    assert "Client galleries" not in titles(response)  # galleries are private to their code
    assert "Harbour Families" in titles(client.get("/api/v2/pages/", HTTP_HOST=other_studio.hostname))


def test_site_parameter_and_custom_domains(client, studio, other_studio):
    add_portfolio(other_studio, "Harbour Families")
    StudioDomain.objects.create(studio=other_studio, hostname="photos.harbour.example", is_verified=True)

    response = client.get("/api/v2/pages/", {"site": "photos.harbour.example"}, HTTP_HOST="localhost")

    assert response.status_code == 200
    assert "Harbour Families" in titles(response)


def test_another_studios_page_by_id_is_404(client, studio, other_studio):
    page = add_portfolio(other_studio, "Harbour Families")
    response = client.get(f"/api/v2/pages/{page.pk}/", HTTP_HOST=studio.hostname)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_site_is_a_json_404(client, studio):
    response = client.get("/api/v2/pages/", {"site": "nobody.example"}, HTTP_HOST="localhost")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_site"


def test_images_carry_renditions_and_blurhash_but_not_the_original(client, studio, other_studio, make_image):
    image = make_image(studio, "Lakeside", size=(2000, 1200))
    image.blurhash = "LEHV6nWB2yk8pyo0adR*.7kCMdnj"
    image.save()
    make_image(other_studio, "Harbour secret")

    response = client.get("/api/v2/images/", HTTP_HOST=studio.hostname)

    items = response.json()["items"]
    assert [i["title"] for i in items] == ["Lakeside"]
    item = items[0]
    assert item["blurhash"] == "LEHV6nWB2yk8pyo0adR*.7kCMdnj"
    assert item["renditions"]["thumb"]["width"] == 400 and item["renditions"]["thumb"]["height"] == 240
    assert item["renditions"]["preview"]["width"] == 1600
    assert item["renditions"]["thumb"]["url"].endswith(".webp")
    assert "download_url" not in item["meta"]


def count_queries(client, url, host):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200
    return len(queries)


def test_image_listing_queries_do_not_grow_with_images(client, studio, make_image):
    for i in range(3):
        make_image(studio, f"Photo {i}", seed=i)
    client.get("/api/v2/images/", HTTP_HOST=studio.hostname)  # renditions are made on first sight
    few = count_queries(client, "/api/v2/images/", studio.hostname)
    for i in range(3, 20):
        make_image(studio, f"Photo {i}", seed=i)
    client.get("/api/v2/images/", HTTP_HOST=studio.hostname)

    many = count_queries(client, "/api/v2/images/", studio.hostname)

    assert many == few
    assert few <= 8


def test_page_body_images_come_with_renditions(client, studio, make_image):
    image = make_image(studio, "Hero", size=(1800, 1200))
    page = add_portfolio(studio, "Weddings", cover=image, body=[("hero", {"image": image, "heading": "Hello"})])

    data = client.get(f"/api/v2/pages/{page.pk}/", HTTP_HOST=studio.hostname).json()

    hero = data["body"][0]["value"]["image"]
    assert hero["id"] == image.pk
    assert hero["renditions"]["preview"]["width"] == 1600
    assert set(hero["renditions"]) == {"thumb", "preview"}


def test_documents_are_scoped_to_the_studio_collection(client, studio, other_studio):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    Document.objects.create(title="Price list", collection=studio.collection, file=ContentFile(b"x", name="a.pdf"))
    Document.objects.create(
        title="Harbour prices", collection=other_studio.collection, file=ContentFile(b"x", name="b.pdf")
    )

    response = client.get("/api/v2/documents/", HTTP_HOST=studio.hostname)

    assert titles(response) == {"Price list"}


def test_detail_and_html_urls_are_absolute_on_the_studios_host_with_its_port(client, studio, make_image):
    page = add_portfolio(studio, "Weddings")
    image = make_image(studio, title="Dune")
    host = f"{studio.hostname}:8000"

    listing = client.get("/api/v2/pages/", {"type": "cms.PortfolioPage"}, HTTP_HOST=host).json()
    meta = next(item for item in listing["items"] if item["id"] == page.pk)["meta"]
    assert meta["detail_url"] == f"http://{host}/api/v2/pages/{page.pk}/"
    assert meta["html_url"] == f"http://{host}/portfolio/weddings/"
    detail = client.get(f"/api/v2/pages/{page.pk}/", HTTP_HOST=host).json()["meta"]
    assert detail["html_url"] == f"http://{host}/portfolio/weddings/"
    assert detail["parent"]["meta"]["html_url"] == f"http://{host}/portfolio/"
    images = client.get("/api/v2/images/", HTTP_HOST=host).json()["items"]
    assert images[0]["meta"]["detail_url"] == f"http://{host}/api/v2/images/{image.pk}/"

    # Called on the platform host with ?site=, the links still point at the studio's own host.
    by_site = client.get(f"/api/v2/pages/{page.pk}/", {"site": studio.hostname}, HTTP_HOST="127.0.0.1:8000").json()
    assert by_site["meta"]["html_url"] == f"http://{host}/portfolio/weddings/"


def test_find_by_html_path_redirects_to_the_page_and_keeps_the_site(client, studio, other_studio):
    page = add_portfolio(studio, "Weddings")
    add_portfolio(other_studio, "Weddings")

    found = client.get("/api/v2/pages/find/", {"html_path": "/portfolio/weddings/"}, HTTP_HOST=studio.hostname)
    assert found.status_code == 302 and found["Location"].endswith(f"/api/v2/pages/{page.pk}/?")

    by_site = client.get(
        "/api/v2/pages/find/", {"html_path": "/portfolio/weddings/", "site": studio.hostname}, HTTP_HOST="localhost"
    )
    assert by_site.status_code == 302 and by_site["Location"].endswith(
        f"/api/v2/pages/{page.pk}/?site={studio.hostname}"
    )
    followed = client.get(by_site["Location"], HTTP_HOST="localhost")
    assert followed.status_code == 200 and followed.json()["title"] == "Weddings"

    missing = client.get("/api/v2/pages/find/", {"html_path": "/nowhere/"}, HTTP_HOST=studio.hostname)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
