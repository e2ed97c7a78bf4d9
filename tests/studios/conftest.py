"""Studio B's admin content, with names that must never reach studio A's photographer."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from wagtail.documents.models import Document

from cms.models import PortfolioPage
from galleries.models import StudioImage
from studios.demo_images import landscape_jpeg

SECRET = b"Harbour Secret"
DENIED = (302, 403, 404)


@pytest.fixture
def b_content(other_studio, other_photographer):
    """B's page (with a revision by B's owner), images (more than one listing page), document and tag."""
    index = other_studio.home_page.get_children().first()
    page = index.add_child(instance=PortfolioPage(title="Harbour Secret Portfolio", slug="secret"))
    page.save_revision(user=other_photographer).publish()
    images = []
    for n in range(21):  # more than one page of 20
        image = StudioImage.objects.create(
            title=f"Harbour Secret Image {n}",
            collection=other_studio.collection,
            file=ImageFile(io.BytesIO(landscape_jpeg(n + 1, 32, 24)), name=f"harbour-secret-{n}.jpg"),
        )
        image.tags.add("harbour-secret-tag")
        images.append(image)
    document = Document.objects.create(
        title="Harbour Secret Contract",
        collection=other_studio.collection,
        file=ContentFile(b"%PDF-1.4 b", name="harbour-secret.pdf"),
    )
    document.tags.add("harbour-secret-tag")
    return {"page": page, "image": images[0], "images": images, "document": document, "home": other_studio.home_page}


@pytest.fixture
def a_admin(admin_client_for, photographer):
    return admin_client_for(photographer)


def assert_nothing_of_b(response):
    assert response.status_code in (200, *DENIED), response.status_code
    if response.status_code == 302:
        assert "/login/" not in response["Location"]  # refused, not merely signed out
    assert SECRET not in response.content
    assert b"harbour-secret" not in response.content
