"""Scope the parts of Wagtail's admin that have no hook for it.

Wagtail's permissions scope listings by page subtree and collection, but some
filters list rows from every tenant: the page listing's Site, Owner and
"Edited by" filters, and the "popular tags" of image and document listings and
choosers (wagtail#12969). There is no hook for these, so `install()` swaps their
querysets for ones that start from the signed-in photographer's studios.
Tested in tests/cms/test_admin_isolation.py, so an upgrade that moves them fails loudly."""

from contextvars import ContextVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.http import Http404
from taggit.models import Tag, TaggedItem
from wagtail.models import Collection, Page, Site

from . import rls, site_roots, url_registry
from .tenancy import studios_for_user

current_user: ContextVar = ContextVar("focusflow_admin_user", default=None)


class AdminUserMiddleware:
    """Remembers the signed-in user for the scoped querysets below, and narrows a photographer's admin to the
    site root paths of their own studios (studios/site_roots.py; platform staff keep every site's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = current_user.set(user)
        try:
            if _is_scoped(user) and request.path.startswith(rls.ADMIN_PREFIXES):
                with site_roots.narrow(photographer_site_root_paths(user), request):
                    return self.get_response(request)
            return self.get_response(request)
        finally:
            current_user.reset(token)


def photographer_site_root_paths(user) -> list:
    """The root paths of the user's studios' sites (loaded with their studios) and of Wagtail's default site:
    with more than one site Wagtail keeps giving absolute URLs, which the admin on the platform host needs."""
    paths = [site_roots.root_path_of(s.site) for s in studios_for_user(user) if s.site is not None]
    return paths + site_roots.default_site_root_paths()


def _is_scoped(user) -> bool:
    return user is not None and user.is_authenticated and not user.is_superuser


def owned_pages_q(user) -> Q:
    """The pages under the user's studios' home pages (a Q on Page)."""
    q = Q(pk__in=[])
    for studio in studios_for_user(user):
        if studio.home_page_id:
            q |= Q(path__startswith=studio.home_page.path)
    return q


def owned_collection_ids(user) -> list[int]:
    # Ids, not a path join: chooser searches can only filter on indexed fields.
    q = Q(pk__in=[])
    for studio in studios_for_user(user):
        if studio.collection_id:
            q |= Q(path__startswith=studio.collection.path)
    return list(Collection.objects.filter(q).values_list("pk", flat=True))


def owned_rows(model, user):
    """The user's studios' rows of a tenant model (pages by subtree, images and documents by collection,
    the rest by `studio`); None for a model that belongs to no studio."""
    if issubclass(model, Page):
        return model.objects.filter(owned_pages_q(user))
    field_names = {f.name for f in model._meta.get_fields()}
    if "collection" in field_names:
        return model.objects.filter(collection_id__in=owned_collection_ids(user))
    if "studio" in field_names:
        return model.objects.filter(studio__in=studios_for_user(user))
    return None


def owned_tags(user):
    """Tags on at least one of the user's studios' rows (taggit's generic tagged items)."""
    tags = Tag.objects.all()
    if not _is_scoped(user):
        return tags
    q = Q(pk__in=[])
    for content_type in ContentType.objects.filter(pk__in=TaggedItem.objects.values("content_type")):
        model = content_type.model_class()
        rows = owned_rows(model, user) if model is not None else None
        if rows is not None:
            q |= Q(
                taggit_taggeditem_items__content_type=content_type,
                taggit_taggeditem_items__object_id__in=rows.values("pk"),
            )
    return tags.filter(q).distinct()


# URL keyword arguments that name a page in Wagtail's admin (every namespace).
PAGE_ID_KWARGS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk")


def may_see_page(user, page_id) -> bool:
    if not _is_scoped(user):
        return True
    return Page.objects.filter(Q(pk=page_id) & (Q(depth=1) | owned_pages_q(user))).exists()


class AdminPageScopeMiddleware:
    """Any admin URL that names another studio's page is 404 before its view runs: Wagtail's page views
    (move, workflow preview, revisions…) check permissions one by one, and some show the title first.
    The sections studios.url_registry classes as `blocked` are 404 for everyone but superusers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not match.route.startswith("admin/"):
            return None
        if _is_scoped(request.user) and url_registry.is_blocked(match.route):
            raise Http404("No such page.")
        if match.url_name == "wagtail_bulk_action" and not may_bulk_act(request, view_kwargs):
            raise Http404("No such page.")
        for name in PAGE_ID_KWARGS:
            if name in view_kwargs and not may_see_page(request.user, view_kwargs[name]):
                raise Http404("No such page.")
        return None


def may_bulk_act(request, view_kwargs) -> bool:
    """Wagtail's bulk actions (`/admin/bulk/<app>/<model>/<action>/?id=…&childOf=…`) load the rows by id and
    list those the user may not change by title: every id, and the parent, must be the studio's own.
    Models that belong to no studio (users) have no bulk actions for a photographer."""
    user = request.user
    if not _is_scoped(user):
        return True
    try:
        model = apps.get_model(view_kwargs["app_label"], view_kwargs["model_name"])
    except (LookupError, KeyError):
        return True  # Wagtail answers 404 itself
    rows = owned_rows(model, user)
    if rows is None:
        return False
    ids = [i for i in request.GET.getlist("id") if i != "all"]
    if any(not i.isdigit() for i in ids) or rows.filter(pk__in=ids).count() != len(set(ids)):
        return False
    parent = request.GET.get("childOf")
    if parent is None:
        return True
    if issubclass(model, Page):
        return parent.isdigit() and may_see_page(user, parent)
    return parent.isdigit() and int(parent) in owned_collection_ids(user)


def _scoped_actionable_objects(original):
    """`?id=all` takes every row of Wagtail's listing query, which for pages is the whole tree: keep the
    studio's own rows only (the listing of those without access shows titles)."""

    def get_actionable_objects(self):
        objects, context = original(self)
        user = self.request.user
        if _is_scoped(user):
            owned = owned_rows(self.model, user)
            listed = [o.pk for o in objects] + [o.pk for o in context.get("items_with_no_access", [])]
            keep = set(owned.filter(pk__in=listed).values_list("pk", flat=True)) if owned is not None else set()
            objects = [o for o in objects if o.pk in keep]
            context["items_with_no_access"] = [o for o in context.get("items_with_no_access", []) if o.pk in keep]
        return objects, context

    return get_actionable_objects


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
    from wagtail.admin.views.bulk_action import BulkAction
    from wagtail.admin.views.pages import listing
    from wagtail.images.views import chooser as image_chooser

    for filterset in (listing.PageFilterSet, listing.GenericPageFilterSet):
        filterset.base_filters["site"].queryset = _sites
        filterset.base_filters["owner"].queryset = _colleagues
        filterset.base_filters["edited_by"].queryset = _colleagues
    admin_filters.popular_tags_for_model = popular_tags_for_model
    image_chooser.popular_tags_for_model = popular_tags_for_model
    BulkAction.get_actionable_objects = _scoped_actionable_objects(BulkAction.get_actionable_objects)
