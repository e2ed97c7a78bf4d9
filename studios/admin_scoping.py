"""Scope the parts of Wagtail's admin that have no hook for it.

Wagtail's permissions scope listings by page subtree and collection, but some
filters list rows from every tenant: the page listing's Site, Owner and
"Edited by" filters, and the "popular tags" of image and document listings and
choosers (wagtail#12969). There is no hook for these, so `install()` swaps their
querysets for ones that start from the signed-in photographer's studios.
Tested in tests/cms/test_admin_isolation.py, so an upgrade that moves them fails loudly."""

from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from taggit.models import Tag
from wagtail.models import Site

from .tenancy import studios_for_user

current_user: ContextVar = ContextVar("focusflow_admin_user", default=None)


class AdminUserMiddleware:
    """Remembers the signed-in user for the scoped querysets below."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_user.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            current_user.reset(token)


def _is_scoped(user) -> bool:
    return user is not None and user.is_authenticated and not user.is_superuser


def _sites(request):
    if not _is_scoped(request.user):
        return Site.objects.all()
    return Site.objects.filter(studio__in=studios_for_user(request.user))


def _colleagues(request):
    users = get_user_model().objects.all()
    if not _is_scoped(request.user):
        return users
    return users.filter(memberships__studio__in=studios_for_user(request.user)).distinct()


def popular_tags_for_model(model, count=10):
    """Wagtail's popular tags, counted over the photographer's own collections only."""
    content_type = ContentType.objects.get_for_model(model)
    tags = Tag.objects.filter(taggit_taggeditem_items__content_type=content_type)
    user = current_user.get()
    if _is_scoped(user) and hasattr(model, "collection"):
        collections = [s.collection for s in studios_for_user(user) if s.collection_id]
        owned = model.objects.none()
        for collection in collections:
            owned = owned | model.objects.filter(collection__path__startswith=collection.path)
        tags = tags.filter(taggit_taggeditem_items__object_id__in=owned.values("pk"))
    return tags.annotate(item_count=Count("taggit_taggeditem_items")).order_by("-item_count")[:count]


def install():
    # Wagtail's admin views import every model: load them from AppConfig.ready(), not at import time.
    from wagtail.admin import filters as admin_filters
    from wagtail.admin.views.pages import listing
    from wagtail.images.views import chooser as image_chooser

    for filterset in (listing.PageFilterSet, listing.GenericPageFilterSet):
        filterset.base_filters["site"].queryset = _sites
        filterset.base_filters["owner"].queryset = _colleagues
        filterset.base_filters["edited_by"].queryset = _colleagues
    admin_filters.popular_tags_for_model = popular_tags_for_model
    image_chooser.popular_tags_for_model = popular_tags_for_model
