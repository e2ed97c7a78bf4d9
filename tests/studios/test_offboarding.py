"""Offboarding a studio leaves nothing of it behind, and the other studio exactly as it was (issue 18)."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.management import call_command
from taggit.models import Tag, TaggedItem
from wagtail.models import Collection, GroupPagePermission, Page, PageLogEntry, Revision, Site

from studios import rls
from studios.models import Studio
from studios.offboarding import offboard_studio, stored_files, studio_models

pytestmark = pytest.mark.django_db


def owned_ids(studio) -> dict:
    """Every row of the studio, by model: its `studio`-keyed rows, its pages (all their specific models), its
    collections and what they hold, its group and site."""
    pages = Page.objects.filter(path__startswith=studio.home_page.path)
    ids = {
        model: set(model._default_manager.filter(studio=studio).values_list("pk", flat=True))
        for model in studio_models()
    }
    ids[Page] = set(pages.values_list("pk", flat=True))
    collections = Collection.objects.filter(path__startswith=studio.collection.path)
    ids[Collection] = set(collections.values_list("pk", flat=True))
    ids[apps.get_model("wagtaildocs", "Document")] = set(
        apps.get_model("wagtaildocs", "Document")
        .objects.filter(collection__in=collections)
        .values_list("pk", flat=True)
    )
    ids[Group] = {studio.group_id}
    ids[Site] = {studio.site_id}
    ids[Studio] = {studio.pk}
    return ids


def referring_rows(ids: dict) -> dict:
    """Rows anywhere that point at one of these rows by a foreign key (tables without a `studio` key: favourites,
    comments, sets, renditions, invoice lines, permissions…), counted per table and field."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is None:
                continue
            for owned_model, owned in ids.items():
                if owned and issubclass(owned_model, target) or (owned and issubclass(target, owned_model)):
                    count = model._default_manager.filter(**{f"{field.attname}__in": owned}).count()
                    if count:
                        found[f"{model._meta.label}.{field.name}"] = count
    return found


def fingerprint(studio) -> dict:
    ids = owned_ids(studio)
    return {
        "rows": {m._meta.label: len(v) for m, v in ids.items()},
        "referring": referring_rows(ids),
        "files": sorted(stored_files(studio)),
    }


def test_offboarding_deletes_everything_of_the_studio_and_nothing_of_the_other(
    client, django_capture_on_commit_callbacks
):
    call_command("seed_demo", stdout=io.StringIO())  # two studios with galleries, photos, bookings, money, members
    with rls.platform():
        north = Studio.objects.get(slug="northlight")
        harbour = Studio.objects.get(slug="harbour")
        images = apps.get_model("galleries", "StudioImage").objects
        north_image, harbour_image = images.filter(studio=north).first(), images.filter(studio=harbour).first()
        north_image.tags.add("northlight-only", "wedding")
        harbour_image.tags.add("harbour-only", "wedding")
        harbour_tagged = set(TaggedItem.objects.filter(object_id=harbour_image.pk).values_list("pk", "tag__name"))
        ids = owned_ids(north)
        files = stored_files(north)
        harbour_before = fingerprint(harbour)
        page_ids = ids[Page]
    assert client.get("/", HTTP_HOST="northlight.localhost").status_code == 200  # the host → studio cache is warm
    populated = {m._meta.label for m, v in ids.items() if v}
    # The demo fills what a studio has: pages, photos, clients, bookings, contracts, invoices, payments, members.
    for label in [
        "galleries.StudioImage",
        "galleries.GalleryPhoto",
        "crm.Client",
        "bookings.Booking",
        "contracts.Contract",
        "billing.Invoice",
        "billing.Payment",
        "studios.Membership",
    ]:
        assert label in populated, label
    assert files and all(default_storage.exists(name) for name in files)
    with rls.platform():
        pointing = referring_rows(ids)
    for table in ["galleries.StudioRendition.image", "galleries.GallerySet.gallery", "billing.InvoiceLine.invoice"]:
        assert pointing.get(table), (table, sorted(pointing))  # the check below sees the tables without a studio key

    with django_capture_on_commit_callbacks(execute=True):
        removed = offboard_studio(north)
    assert removed["studio"] >= 1

    with rls.platform():
        for model, owned in ids.items():
            assert not model._default_manager.filter(pk__in=owned).exists(), model._meta.label
        for model in studio_models():
            assert not model._default_manager.filter(studio_id=north.pk).exists(), model._meta.label
        assert referring_rows(ids) == {}
        assert not Site.objects.filter(hostname="northlight.localhost").exists()
        assert not Group.objects.filter(name="Studio northlight").exists()
        assert not GroupPagePermission.objects.filter(page_id__in=page_ids).exists()
        assert not PageLogEntry.objects.filter(page_id__in=page_ids).exists()
        assert not Revision.objects.filter(object_id__in=[str(i) for i in page_ids]).exists()
        assert not apps.get_model("accounts", "User").objects.filter(email="demo@northlight.test").exists()
        assert fingerprint(harbour) == harbour_before
        # Its tagged items and the tag only it used are gone; the other studio's, and the tag it shares, stay.
        assert not TaggedItem.objects.filter(object_id=north_image.pk, tag__name="northlight-only").exists()
        assert (
            not TaggedItem.objects.exclude(pk__in=[pk for pk, _ in harbour_tagged])
            .filter(tag__name__in=["northlight-only", "harbour-only", "wedding"])
            .exists()
        )
        assert not Tag.objects.filter(name="northlight-only").exists()
        assert set(TaggedItem.objects.filter(object_id=harbour_image.pk).values_list("pk", "tag__name")) == (
            harbour_tagged
        )
        assert {"harbour-only", "wedding"} <= set(Tag.objects.values_list("name", flat=True))
    assert not any(default_storage.exists(name) for name in files)
    assert all(default_storage.exists(name) for name in harbour_before["files"])
    # Its host answers like any unknown host; the other studio's site still answers.
    assert client.get("/", HTTP_HOST="northlight.localhost").status_code == 404
    assert client.get("/", HTTP_HOST="harbour.localhost").status_code == 200


def test_the_platform_admin_offboards_a_studio_through_the_task(client, studio, other_studio, django_user_model):
    staff = django_user_model.objects.create_superuser(username="root@x.test", email="root@x.test", password="pw")
    client.force_login(staff)
    response = client.post(
        "/django-admin/studios/studio/",
        {"action": "offboard", "_selected_action": [studio.pk]},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    assert not Studio.objects.filter(pk=studio.pk).exists()
    assert Studio.objects.filter(pk=other_studio.pk).exists()
    assert not Page.objects.filter(pk=studio.home_page_id).exists()
