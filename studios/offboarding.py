"""Offboarding: a studio and everything it had, gone (issue 18).

`offboard_studio(studio)` deletes, in one transaction, the studio's page tree (galleries and their photos,
sets, accesses, favourites, comments… with it; revisions and log entries too), its Wagtail site, its media
collection with every image, rendition and document in it, its permission group, every row of every table with a
`studio` key (money first: payments and contracts protect what they point at), the admin's log entries of
those rows, the tags on its rows (taggit's generic tagged items, and the tags no other studio uses), and the
accounts of members who belong to no other studio. The stored files (originals, renditions, documents, contract
PDFs) are deleted from storage once the transaction commits: everything under the studio's prefix
(`tenants/<id>/`, studios/media.py; one listing and batched deletes on S3), which also takes files no row names any
more (a cancelled upload, a rendition of an earlier watermark), and file by file those stored before the prefix.
The hosts it answered on are forgotten (studios/tenancy.py). It runs in Celery (`studios.tasks.offboard_studio_task`)
from the platform admin's "Offboard" action (/django-admin/studios/studio/). `tests/studios/test_offboarding.py`
proves nothing of the studio is left and the other studio is untouched; tests/galleries/test_studio_prefixes.py
that the prefix goes, on local storage and on S3."""

import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import models, transaction
from taggit.models import Tag, TaggedItem
from wagtail.models import Collection, ModelLogEntry, Page, PageLogEntry, Revision, Site

from . import rls
from .media import delete_prefix, studio_prefix
from .models import Membership, Studio
from .tenancy import forget_hosts, hosts_of

logger = logging.getLogger(__name__)

# Rows that others protect (on_delete=PROTECT) go first, in this order; everything else with a `studio` key
# follows through the studio's own cascade.
PROTECTING_FIRST = [
    "billing.Refund",
    "billing.Payment",
    "billing.Invoice",
    "contracts.Signature",
    "contracts.Contract",
    "bookings.Booking",
]


def studio_models() -> list[type[models.Model]]:
    """Every model with a `studio` foreign key (the tenant tables)."""
    found = []
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "studio"), None)
        if field is not None and field.is_relation and field.related_model is Studio:
            found.append(model)
    return found


def _rows_of(model, studio: Studio):
    """The studio's rows of a model that holds files: by `studio`, by collection, or through a parent's
    `studio` (renditions); None if the model belongs to no studio."""
    names = {f.name: f for f in model._meta.concrete_fields}
    if "studio" in names and names["studio"].related_model is Studio:
        return model._default_manager.filter(studio=studio)
    if "collection" in names and studio.collection_id:
        return model._default_manager.filter(collection__path__startswith=studio.collection.path)
    for field in names.values():
        if field.is_relation and field.related_model is not None:
            parent = {f.name for f in field.related_model._meta.concrete_fields}
            if "studio" in parent:
                return model._default_manager.filter(**{f"{field.name}__studio": studio})
    return None


def stored_files(studio: Studio) -> set[str]:
    """The names of every stored file of the studio's rows."""
    names: set[str] = set()
    for model in apps.get_models():
        file_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if not file_fields:
            continue
        rows = _rows_of(model, studio)
        if rows is None:
            continue
        for values in rows.values_list(*file_fields):
            names.update(v for v in values if v)
    return names


def offboard_studio(studio: Studio) -> dict:
    """Delete the studio completely; returns what was removed (counts), for the log and the admin message."""
    with rls.platform():
        return _offboard(Studio.objects.select_related("site", "home_page", "collection", "group").get(pk=studio.pk))


@transaction.atomic
def _offboard(studio: Studio) -> dict:
    removed: dict[str, int] = {}
    files = stored_files(studio)
    hosts = hosts_of(studio)
    pages = Page.objects.filter(path__startswith=studio.home_page.path) if studio.home_page_id else Page.objects.none()
    page_ids = list(pages.values_list("pk", flat=True))
    member_ids = list(Membership.objects.filter(studio=studio).values_list("user_id", flat=True))
    logged = _logged_rows(studio)
    tagged, tag_ids = _tagged_items(studio, page_ids)

    # Pages first: galleries (pages whose studio key protects the studio) take their photos, sets and visits along.
    if studio.home_page_id:
        home = studio.home_page
        removed["pages"] = len(page_ids)
        home.delete()  # the subtree, and the site rooted at it (Site.root_page cascades)
    PageLogEntry.objects.filter(page_id__in=page_ids).delete()
    Revision.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page), object_id__in=[str(i) for i in page_ids]
    ).delete()

    if studio.site_id:
        removed["sites"] = Site.objects.filter(pk=studio.site_id).delete()[0]

    contracts = apps.get_model("contracts", "Contract")
    contracts.objects.filter(studio=studio).update(supersedes=None)  # contracts protect the ones they replace
    for label in PROTECTING_FIRST:
        model = apps.get_model(label)
        removed[label] = model._default_manager.filter(studio=studio).delete()[0]
    for model, ids in logged.items():
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(i) for i in ids]
        ).delete()

    collection, group = studio.collection, studio.group
    removed["studio"] = Studio.objects.filter(pk=studio.pk).delete()[0]  # every other `studio` key cascades
    if collection is not None:
        # Documents and any image left in the collection go with it (collection cascades).
        removed["collections"] = Collection.objects.filter(path__startswith=collection.path).count()
        collection.delete()
    if group is not None:
        group.delete()  # its page and collection permissions, and its members' places in it
    User = get_user_model()  # noqa: N806
    orphans = User.objects.filter(pk__in=member_ids, is_superuser=False, is_staff=False, memberships__isnull=True)
    removed["users"] = orphans.delete()[0]
    # Tagged items are generic (content type + id): the cascade takes an image's along (taggit's manager), but
    # nothing takes the tags, and rows deleted without it would leave their items. A tag goes when nobody uses it.
    removed["tagged_items"] = TaggedItem.objects.filter(pk__in=tagged).delete()[0]
    removed["tags"] = Tag.objects.filter(pk__in=tag_ids, taggit_taggeditem_items__isnull=True).delete()[0]

    forget_hosts(*hosts)
    prefix = studio_prefix(studio.pk)
    transaction.on_commit(lambda: _delete_files(files, prefix))
    removed["files"] = len(files)
    logger.info("Offboarded studio %s (%s): %s", studio.pk, studio.slug, removed)
    return removed


def _logged_rows(studio: Studio) -> dict:
    """The ids of the studio's rows per tenant model, for the admin's log entries about them."""
    return {
        model: list(model._default_manager.filter(studio=studio).values_list("pk", flat=True))
        for model in studio_models()
    }


def _tagged_items(studio: Studio, page_ids: list[int]) -> tuple[list[int], set[int]]:
    """The studio's tagged items (its images', documents', pages'…) and their tags, by id before their rows go."""
    ids: list[int] = []
    tag_ids: set[int] = set()
    for content_type in ContentType.objects.filter(pk__in=TaggedItem.objects.values("content_type")):
        model = content_type.model_class()
        if model is None:
            continue
        if issubclass(model, Page):
            owned = page_ids
        elif (rows := _rows_of(model, studio)) is not None:
            owned = rows.values("pk")
        else:
            continue
        for pk, tag_id in TaggedItem.objects.filter(content_type=content_type, object_id__in=owned).values_list(
            "pk", "tag_id"
        ):
            ids.append(pk)
            tag_ids.add(tag_id)
    return ids, tag_ids


def _delete_files(names: set[str], prefix: str) -> None:
    # Files stored before the per-studio prefix, by name; then the prefix, whatever it holds.
    for name in sorted(n for n in names if not n.startswith(prefix)):
        try:
            default_storage.delete(name)
        except Exception:  # a file already gone, or storage down: the rest still go; logged for a retry by hand
            logger.exception("Could not delete %s while offboarding", name)
    try:
        deleted = delete_prefix(default_storage, prefix)
    except Exception:
        logger.exception("Could not delete the files under %s while offboarding", prefix)
    else:
        logger.info("Offboarding deleted %s files under %s", deleted, prefix)
