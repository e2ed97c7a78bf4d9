"""A photographer of studio A, in the real Wagtail admin, never sees or touches studio B."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from wagtail.documents.models import Document

from cms.models import PortfolioPage
from galleries.models import StudioImage
from studios.demo_images import landscape_jpeg
from studios.models import Membership, StudioDomain
from tests.factories import UserFactory
from tests.galleries.factories import make_gallery

pytestmark = pytest.mark.django_db

DENIED = (302, 403, 404)


@pytest.fixture
def b_content(other_studio, other_photographer):
    """Studio B's page, gallery, image, document, domain and team member, with names we can look for."""
    index = other_studio.home_page.get_children().first()
    page = index.add_child(instance=PortfolioPage(title="Harbour Secret Portfolio", slug="secret"))
    make_gallery(other_studio, title="Harbour Secret Gallery", slug="secret-gallery", access_code="HARBOURSECRET")
    image = StudioImage.objects.create(
        title="Harbour Secret Image",
        collection=other_studio.collection,
        file=ImageFile(io.BytesIO(landscape_jpeg(1, 64, 48)), name="b.jpg"),
    )
    image.tags.add("harbour-secret-tag")
    document = Document.objects.create(
        title="Harbour Secret Contract",
        collection=other_studio.collection,
        file=ContentFile(b"%PDF-1.4 b", name="b.pdf"),
    )
    domain = StudioDomain.objects.create(studio=other_studio, hostname="harbour-secret.example", is_verified=True)
    # Created directly: B's owner already takes the Starter plan's one seat.
    member = Membership.objects.create(
        studio=other_studio,
        user=UserFactory(email="assistant@harbour.test", first_name="Harbour", last_name="Secret Assistant"),
        role=Membership.Role.STAFF,
    )
    return {
        "page": page,
        "image": image,
        "document": document,
        "home": other_studio.home_page,
        "domain": domain,
        "member": member,
    }


@pytest.fixture
def a_admin(admin_client_for, photographer):
    return admin_client_for(photographer)


def assert_denied(response):
    assert response.status_code in DENIED, response.status_code
    if response.status_code == 302:
        assert "/login/" not in response["Location"]  # denied, not merely logged out
    assert b"Harbour Secret" not in response.content


def test_image_uploaded_to_a_studio_collection_belongs_to_that_studio(b_content, other_studio):
    assert b_content["image"].studio == other_studio


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/pages/",
        "/admin/pages/search/?q=Harbour",
        "/admin/images/",
        "/admin/images/?q=Harbour",
        "/admin/documents/",
        "/admin/documents/?q=Harbour",
        "/admin/choose-page/",
        "/admin/choose-page/search/?q=Harbour",
        "/admin/images/chooser/",
        "/admin/images/chooser/results/?q=Harbour",
        "/admin/documents/chooser/",
        "/admin/documents/chooser/results/?q=Harbour",
        "/admin/studio-settings/",
        "/admin/team/",
        "/admin/galleries/",
        "/admin/galleries/?q=Harbour",
        "/admin/galleries/results/?q=Harbour",
        "/admin/galleries/?status=live",
        "/admin/galleries/choose_parent/",
    ],
)
def test_listings_and_choosers_show_only_own_studio(a_admin, b_content, other_photographer, studio, url):
    b_content["page"].owner = other_photographer
    b_content["page"].save_revision(user=other_photographer).publish()
    response = a_admin.get(url, HTTP_HOST="localhost", follow=True)

    assert response.status_code == 200
    assert b"Harbour Secret" not in response.content
    assert b"Harbour Studio" not in response.content  # e.g. the Site filter
    assert b"harbour-secret-tag" not in response.content  # popular tags
    assert b"owner@harbour.test" not in response.content  # Owner / Edited by filters
    assert b"harbour-secret.example" not in response.content  # Studio settings' custom domains


def test_explorer_lists_own_pages(a_admin, studio):
    response = a_admin.get(f"/admin/pages/{studio.home_page.pk}/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"Portfolio" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/admin/pages/{home}/",
        "/admin/pages/{page}/edit/",
        "/admin/pages/{page}/delete/",
        "/admin/pages/{page}/history/",
        "/admin/pages/{home}/add_subpage/",
        "/admin/choose-page/{home}/",
        "/admin/images/{image}/",
        "/admin/images/{image}/delete/",
        "/admin/documents/edit/{document}/",
        "/admin/documents/delete/{document}/",
        "/admin/collections/",
        "/admin/collections/{collection}/",
        "/admin/sites/",
        "/admin/users/",
        "/admin/groups/",
        "/admin/studio-settings/domains/{domain}/remove/",
        "/admin/team/{member}/remove/",
    ],
)
def test_other_studios_objects_cannot_be_opened(a_admin, b_content, other_studio, url):
    url = url.format(
        home=b_content["home"].pk,
        page=b_content["page"].pk,
        image=b_content["image"].pk,
        document=b_content["document"].pk,
        collection=other_studio.collection.pk,
        domain=b_content["domain"].pk,
        member=b_content["member"].pk,
    )
    assert_denied(a_admin.get(url, HTTP_HOST="localhost"))


def test_other_studios_page_cannot_be_edited_by_post(a_admin, b_content):
    page = b_content["page"]
    response = a_admin.post(
        f"/admin/pages/{page.pk}/edit/", {"title": "Hijacked", "slug": "secret"}, HTTP_HOST="localhost"
    )

    assert_denied(response)
    page.refresh_from_db()
    assert page.title == "Harbour Secret Portfolio"


def test_other_studios_image_cannot_be_deleted(a_admin, b_content):
    image = b_content["image"]
    assert_denied(a_admin.post(f"/admin/images/{image.pk}/delete/", HTTP_HOST="localhost"))
    assert StudioImage.objects.filter(pk=image.pk).exists()


def test_other_studios_domain_cannot_be_removed(a_admin, b_content):
    domain = b_content["domain"]
    assert_denied(a_admin.post(f"/admin/studio-settings/domains/{domain.pk}/remove/", HTTP_HOST="localhost"))
    assert StudioDomain.objects.filter(pk=domain.pk).exists()


def test_other_studios_team_cannot_be_changed(a_admin, b_content):
    member = b_content["member"]
    assert_denied(a_admin.post(f"/admin/team/{member.pk}/remove/", HTTP_HOST="localhost"))
    assert_denied(a_admin.post(f"/admin/team/{member.pk}/role/", {"role": "owner"}, HTTP_HOST="localhost"))
    member.refresh_from_db()  # still there
    assert member.role == Membership.Role.STAFF


def test_photographer_can_edit_own_pages(a_admin, studio):
    index = studio.home_page.get_children().first()
    assert a_admin.get(f"/admin/pages/{index.pk}/edit/", HTTP_HOST="localhost").status_code == 200
    assert a_admin.get(f"/admin/pages/add/cms/portfoliopage/{index.pk}/", HTTP_HOST="localhost").status_code == 200


def test_signed_out_visitor_cannot_browse_the_page_chooser(client, b_content):
    response = client.get(f"/admin/choose-page/{b_content['home'].pk}/", HTTP_HOST="localhost")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
