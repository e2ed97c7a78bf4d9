"""Galleries with the rest of the platform: the plan's limits, the client timeline, webhooks, API v2."""

import pytest

from billing.models import Plan, StudioSubscription
from crm.models import Activity
from frontend_api.models import WebhookDelivery, WebhookEndpoint
from tests.factories import ClientFactory

from .factories import make_gallery

pytestmark = pytest.mark.django_db


def test_gallery_photos_never_appear_in_the_public_images_api(client, studio, gallery, photos):
    response = client.get("/api/v2/images/", HTTP_HOST=studio.hostname)
    titles = {item["title"] for item in response.json()["items"]}
    assert not titles & {p.image.title for p in photos}


def test_unlocking_and_downloading_go_on_the_clients_timeline(studio, gallery, photos, unlock, api):
    gallery.client = ClientFactory(studio=studio, email="emma@example.test")
    gallery.downloadable = True
    gallery.save()

    token = unlock(studio, email="emma@example.test")
    api("get", f"/api/client/photos/{photos[0].pk}/download/", studio, token, {"size": "web"})

    kinds = list(Activity.objects.filter(client=gallery.client).values_list("kind", flat=True))
    assert "gallery_viewed" in kinds and "gallery_downloaded" in kinds


def test_submitting_a_selection_and_publishing_a_gallery_reach_webhooks(studio, gallery, photos, unlock, api):
    WebhookEndpoint.objects.create(studio=studio, url="http://127.0.0.1:9/unused")
    token = unlock(studio, email="emma@example.test")
    api("post", f"/api/client/galleries/{gallery.pk}/selection/", studio, token, {"photo": photos[0].pk})
    api("post", f"/api/client/galleries/{gallery.pk}/selection/submit/", studio, token)
    gallery.save_revision().publish()

    selection = WebhookDelivery.objects.get(event="selection.submitted").payload["data"]
    assert selection["email"] == "emma@example.test"
    assert [p["filename"] for p in selection["photos"]] == [photos[0].filename]
    published = WebhookDelivery.objects.get(event="gallery.published").payload["data"]
    assert published["id"] == gallery.pk and published["photo_count"] == 4


def test_publishing_past_the_plans_active_gallery_limit_is_refused(studio, photographer, admin_client_for):
    Plan.objects.filter(code="starter").update(active_galleries=1)
    StudioSubscription.objects.create(studio=studio, plan=Plan.objects.get(code="starter"), status="active")
    make_gallery(studio, title="First", slug="first")  # live: the one allowed
    second = make_gallery(studio, title="Second", slug="second")
    second.unpublish()
    admin = admin_client_for(photographer)

    response = admin.post(
        f"/admin/pages/{second.pk}/edit/",
        {"action-publish": "1", "title": "Second"},
        HTTP_HOST="localhost",
        follow=True,
    )

    second.refresh_from_db()
    assert not second.live
    assert "allows" in response.content.decode() or "Upgrade to" in response.content.decode()
