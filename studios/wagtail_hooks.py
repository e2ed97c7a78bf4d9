"""Admin scoping: photographers see only their studio's pages, images and documents.

Wagtail's permissions already scope listings by page subtree and collection;
these hooks close the places it does not (choosers and the explorer show
other roots: wagtail#1700, #1058, #12969)."""

from django.db.models import Q
from wagtail import hooks
from wagtail.models import Collection

from . import dashboard  # noqa: F401 - registers the studio dashboard panels
from .tenancy import studios_for_user


def _page_filter(user):
    paths = [s.home_page.path for s in studios_for_user(user) if s.home_page_id]
    q = Q(pk__in=[])
    for prefix in paths:
        q |= Q(path__startswith=prefix)
    return q


def _collection_ids(user):
    # Ids, not a path join: chooser searches can only filter on indexed fields.
    q = Q(pk__in=[])
    for studio in studios_for_user(user):
        if studio.collection_id:
            q |= Q(path__startswith=studio.collection.path)
    return list(Collection.objects.filter(q).values_list("pk", flat=True))


@hooks.register("construct_explorer_page_queryset")
def explorer_only_own_studio(parent_page, pages, request):
    if request.user.is_superuser:
        return pages
    return pages.filter(_page_filter(request.user))


@hooks.register("construct_page_chooser_queryset")
def page_chooser_only_own_studio(pages, request):
    if request.user.is_superuser:
        return pages
    return pages.filter(_page_filter(request.user))


@hooks.register("construct_image_chooser_queryset")
def image_chooser_only_own_studio(images, request):
    if request.user.is_superuser:
        return images
    return images.filter(collection_id__in=_collection_ids(request.user))


@hooks.register("construct_document_chooser_queryset")
def document_chooser_only_own_studio(documents, request):
    if request.user.is_superuser:
        return documents
    return documents.filter(collection_id__in=_collection_ids(request.user))
