"""The "Galleries" admin menu item: a flat list of the studio's client galleries, like Pixieset's gallery list.

Galleries stay Wagtail pages (edited in the page editor); this is a PageListingViewSet over them. Wagtail would
list every gallery the user may explore; we scope by the gallery's studio explicitly, so the listing, its search,
filters and "Add gallery" never reach another studio even if page permissions were granted too widely."""

from html import escape

import django_filters
from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.forms import RadioSelect
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.timesince import timesince, timeuntil
from django.utils.timezone import template_localtime
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.templatetags.wagtailadmin_tags import timesince_simple
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.ui.tables.pages import BulkActionsColumn, PageTitleColumn
from wagtail.admin.views.pages.choose_parent import ChooseParentView
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import Page, PageViewRestriction

from studios.admin_viewsets import scope_queryset
from studios.tenancy import studios_for_user

from .models import Gallery, GalleryPhoto, Selection, StudioImage


def _count(queryset, **count):
    """A correlated COUNT over `queryset` (already filtered on OuterRef('pk')): one subquery, no row fan-out."""
    counted = queryset.order_by().values("gallery").annotate(n=Count("pk", **count)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_listing_counts(galleries):
    """Photos (ready and total) and submitted selections per gallery, computed in the listing's one query.

    The ready photos are counted with a FILTER over the gallery's photos, not a WHERE on the image's status:
    given `status = 'ready'` PostgreSQL may start from every ready image of the studio (its status index) for
    each gallery listed — 20 ms a row with a 2,000-photo gallery when the statistics lag a bulk upload."""
    photos = GalleryPhoto.objects.filter(gallery=OuterRef("pk"))
    return galleries.annotate(
        photos_total=_count(photos),
        photos_ready=_count(photos, filter=Q(image__status=StudioImage.Status.READY)),
        submitted_selections=_count(Selection.objects.filter(gallery=OuterRef("pk"), submitted_at__isnull=False)),
    )


def gallery_status(gallery, now=None) -> str:
    """What the photographer sees: an expired gallery no longer opens, whether it was published or not."""
    if gallery.is_expired(now):
        return "expired"
    return "live" if gallery.live else "draft"


class GalleryFilterSet(WagtailFilterSet):
    # Each gallery is in exactly one of these, the same one its Status column shows.
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[("live", "Live"), ("draft", "Draft"), ("expired", "Expired")],
        empty_label="Any",
        method="filter_status",
        widget=RadioSelect,
    )
    has_submitted_selection = django_filters.ChoiceFilter(
        label="Has a submitted selection",
        choices=[("yes", "Yes"), ("no", "No")],
        empty_label="Any",
        method="filter_has_submitted_selection",
        widget=RadioSelect,
    )

    class Meta:
        model = Gallery
        fields = []

    def filter_status(self, queryset, name, value):
        expired = Q(expires_at__isnull=False, expires_at__lte=timezone.now())
        if value == "expired":
            return queryset.filter(expired)
        if value in ("live", "draft"):
            return queryset.exclude(expired).filter(live=value == "live")
        return queryset

    def filter_has_submitted_selection(self, queryset, name, value):
        submitted = Exists(Selection.objects.filter(gallery=OuterRef("pk"), submitted_at__isnull=False))
        if value == "yes":
            return queryset.filter(submitted)
        if value == "no":
            return queryset.exclude(submitted)
        return queryset


class PhotosColumn(Column):
    def get_value(self, instance):
        return f"{instance.photos_ready} / {instance.photos_total}"


# The gallery's actions, in the order Wagtail's page listing sorts them (priority, then label): Wagtail's page
# actions (register_page_listing_more_buttons) and the gallery tools (galleries/wagtail_hooks.py). Each: URL name,
# icon, label, permission (a PagePermissionTester method), whether the URL takes ?next=. Not offered: "Add child
# page" and "Sort menu order" (a gallery has no child pages).
ROW_ACTIONS = [
    ("wagtailadmin_pages:edit", "edit", "Edit", "can_edit", True),
    ("galleries_manager", "image", "Photos", "can_edit", False),
    ("wagtailadmin_pages:view_draft", "draft", "View draft", None, False),
    ("galleries_manager#upload", "upload", "Upload photos", "can_edit", False),  # the manager's drop zone
    ("galleries_activity", "history", "Activity", "can_edit", False),
    (None, "doc-empty", "View live", None, False),
    ("wagtailadmin_pages:move", "arrow-right-full", "Move", "can_move", False),
    ("wagtailadmin_pages:copy", "copy", "Copy", "can_copy", True),
    ("wagtailadmin_pages:delete", "bin", "Delete", "can_delete", True),
    ("wagtailadmin_pages:unpublish", "download", "Unpublish", "can_unpublish", True),
    ("wagtailadmin_pages:history", "history", "History", "can_view_revisions", False),
]
_ID = 2_000_000_001  # reversed once per listing, then replaced by each gallery's id
# Each action's icon and label as its link shows them (the same for every row), and its rel attribute.
_REL = {"": "", "noreferrer": ' rel="noreferrer"'}
_ACTION_BODIES = {
    label: f'<svg class="icon icon-{icon} icon" aria-hidden="true"><use href="#icon-{icon}"></use></svg>{escape(label)}'
    for _name, icon, label, *_ in ROW_ACTIONS
}


class GalleryTitleColumn(PageTitleColumn):
    """Wagtail's page title cell for a gallery, lighter: the same title link, indicators and "more" actions, but
    one permission tester per row and URLs reversed once per listing, written out in one pass (Wagtail's own
    privacy and lock indicator templates only for a gallery that has one).

    Wagtail's cell builds each action as a button component from the hooks (about ten per row, each asking the
    page's permissions afresh and reversing its URL) and renders each through its own templates: ~7 ms a row,
    most of the galleries list's time. A template of our own for the cell still took ~0.2 ms a row."""

    def render_cell_html(self, instance, parent_context):
        # Joined as plain strings, each value escaped with html.escape (what Django's escape() does, without its
        # lazy-string checks): format_html() over ~10 actions a row cost more than the template it replaced.
        context = self.get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        name = escape(str(instance.get_admin_display_title()))
        title = f'<span id="page_{instance.pk}_title">{name}</span>'
        if context["page_perms"].can_edit():
            title = f'<a href="{escape(context["edit_url"])}" title="Edit this page">{title}</a>'
        indicators = "".join(
            get_template(template).render({"page": instance, "request": request})
            for template, shown in [
                ("wagtailadmin/pages/listing/_privacy_indicator.html", not _is_public(instance, request)),
                ("wagtailadmin/pages/listing/_locked_indicator.html", instance.locked),
            ]
            if shown
        )
        menu = ""
        if context["actions"]:
            links = "\n".join(
                f'<a href="{escape(url)}"{_REL[rel]}>{_ACTION_BODIES[label]}</a>'
                for url, _icon, label, rel in context["actions"]
            )
            menu = (
                '<ul class="actions"><li><div data-controller="w-dropdown" class="w-dropdown" type="button">'
                '<button type="button" class="w-dropdown__toggle w-dropdown__toggle--icon" '
                f'data-w-dropdown-target="toggle" aria-label="More options for &#x27;{name}&#x27;">'
                '<svg class="icon icon-dots-horizontal w-dropdown__toggle-icon" aria-hidden="true">'
                '<use href="#icon-dots-horizontal"></use></svg></button>'
                '<div data-w-dropdown-target="content" class="w-dropdown__content" hidden>'
                f"{links}</div></div></li></ul>"
            )
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'<td class="{escape(self.classname)}" data-listing-page-title><div class="title-wrapper">'
            f"{title}{indicators}</div>{menu}</td>"
        )

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        urls = getattr(request, "_gallery_action_urls", None)
        if urls is None:
            urls = request._gallery_action_urls = {name: _url_around_id(name) for name, *_ in ROW_ACTIONS if name}
        context["edit_url"] = str(instance.pk).join(urls["wagtailadmin_pages:edit"])
        context["actions"] = self.actions(instance, context["page_perms"], urls, context["actions_next_url"])
        return context

    def actions(self, page, perms, urls, next_url):
        query = "?" + urlencode({"next": next_url}) if next_url else ""
        allowed = {}
        actions = []
        for name, icon, label, permission, takes_next in ROW_ACTIONS:
            if permission and permission not in allowed:
                allowed[permission] = getattr(perms, permission)()
            if permission and not allowed[permission]:
                continue
            rel = ""
            if name == "wagtailadmin_pages:view_draft":
                if not (page.has_unpublished_changes and page.is_previewable()):
                    continue
                rel = "noreferrer"
            if name is None:  # View live
                url = page.live and page.url
                if not url:
                    continue
                actions.append((url, icon, label, "noreferrer"))
                continue
            url = str(page.pk).join(urls[name]) + (query if takes_next else "")
            actions.append((url, icon, label, rel))
        return actions


def _url_around_id(name: str) -> list[str]:
    """The URL of `name` (which may end in "#fragment") split around the page's id, to join with each row's."""
    url_name, _, fragment = name.partition("#")
    return (reverse(url_name, args=[_ID]) + (f"#{fragment}" if fragment else "")).split(str(_ID))


def _is_public(page, request) -> bool:
    """Wagtail's `test_page_is_public` tag: no view restriction on the page or above (one query per request)."""
    if not hasattr(request, "all_page_view_restriction_paths"):
        request.all_page_view_restriction_paths = PageViewRestriction.objects.values_list("page__path", flat=True)
    return not any(page.path.startswith(path) for path in request.all_page_view_restriction_paths)


class ExpiryColumn(Column):
    """The expiry date in the studio's zone with how far off it is: 'Tue 16 Mar 2027 (in 3 months)'.

    Wagtail's DateColumn shows time *since* a date, which reads "Just now" for any date in the future."""

    def get_value(self, instance):
        return expiry_label(instance.expires_at, instance.studio.tz if instance.studio_id else None)


def expiry_label(expires_at, tz=None, now=None) -> str:
    if expires_at is None:
        return "Never"
    now = now or timezone.now()
    day = timezone.localtime(expires_at, tz).strftime("%a %d %b %Y")
    if expires_at <= now:
        return f"Expired {day} ({timesince(expires_at, now, depth=1)} ago)"
    return f"{day} (in {timeuntil(expires_at, now, depth=1)})"


class UpdatedColumn(DateColumn):
    """Wagtail's DateColumn cell ("3 hours ago", the full date as its tooltip), written out in one pass: its two
    templates per row (the cell, then the `human_readable_date` tag's) took ~0.15 ms a row, the most of any
    column after the title. tests/galleries/test_admin_gallery_listing.py compares it with Wagtail's cell."""

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        classname = format_html(' class="{}"', self.classname) if self.classname else ""
        if not value:
            return format_html("<td{}></td>", classname)
        local = template_localtime(value)  # what the template's `date` filter is given
        tooltip_format = get_format("DATETIME_FORMAT") or "N j, Y, P"
        return format_html(
            '<td{}><button type="button" class="w-human-readable-date" data-controller="w-tooltip" '
            'data-w-tooltip-content-value="{}" data-w-tooltip-placement-value="top">'
            '<time class="w-human-readable-date__date" datetime="{}">{}</time></button></td>',
            classname,
            date_format(local, tooltip_format),
            date_format(local, "c"),
            capfirst(timesince_simple(value)),
        )


class GalleryStatusColumn(StatusTagColumn):
    def get_value(self, instance):
        return gallery_status(instance)

    def get_primary(self, instance):
        return gallery_status(instance) == "live"


class GalleryIndexView(IndexView):
    """Wagtail's flat page listing, scoped to the photographer's studio, searched and ordered in the database."""

    page_title = "Galleries"

    def get_base_queryset(self):
        return scope_queryset(super().get_base_queryset(), self.request.user)

    def annotate_queryset(self, pages):
        # Wagtail's version adds `.specific()`, which refetches rows and drops select_related: with the client
        # column that would be a query per row. The queryset is already of Gallery, so skip it.
        pages = pages.select_related("client", "studio").prefetch_related("content_type", "sites_rooted_here")
        if getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
            pages = pages.prefetch_workflow_states()
        pages = pages.annotate_site_root_state().annotate_approved_schedule()
        return with_listing_counts(pages)

    def search_queryset(self, queryset):
        # The search index knows titles only; photographers look galleries up by client too.
        if not self.is_searching:
            return queryset
        query = self.search_query
        return queryset.filter(
            Q(title__icontains=query) | Q(client__name__icontains=query) | Q(client__email__icontains=query)
        )

    def get_ordering(self):
        # Keep the default order while searching (Wagtail's page listing drops it for relevance ranking).
        ordering = self.request.GET.get("ordering", self.default_ordering)
        return ordering if ordering in self.get_valid_orderings() else self.default_ordering

    def order_queryset(self, queryset):
        field = self.ordering.lstrip("-")
        if self.ordering.startswith("-"):
            return queryset.order_by(F(field).desc(nulls_last=True), "-pk")
        return queryset.order_by(F(field).asc(nulls_first=True), "pk")


class GalleryChooseParentView(ChooseParentView):
    """ "Add gallery": only the user's own studios' "Client galleries" pages (straight to the editor when one)."""

    def get_valid_parent_pages(self, user):
        parents = super().get_valid_parent_pages(user)
        if user.is_superuser:
            return parents
        homes = Q(pk__in=[])
        for studio in studios_for_user(user):
            if studio.home_page_id:
                homes |= Q(path__startswith=studio.home_page.path)
        return parents.filter(homes)

    def get_form(self):
        form = super().get_form()
        form.fields["parent_page"].queryset = Page.objects.filter(
            pk__in=self.get_valid_parent_pages(self.request.user).values("pk")
        )
        return form


class StudioMemberMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or bool(studios_for_user(request.user))


class GalleryListingViewSet(PageListingViewSet):
    model = Gallery
    name = "gallery_listing"
    url_prefix = "galleries"
    icon = "image"
    menu_label = "Galleries"
    menu_order = 240  # after Clients, Bookings and Contracts; before Invoices
    add_to_admin_menu = True
    index_view_class = GalleryIndexView
    choose_parent_view_class = GalleryChooseParentView
    filterset_class = GalleryFilterSet
    ordering = "-latest_revision_created_at"
    columns = [
        BulkActionsColumn("bulk_actions"),
        GalleryTitleColumn("title", label="Title", sort_key="title", classname="title"),
        Column("client", label="Client", accessor="client.name", sort_key="client__name"),
        PhotosColumn("photos", label="Photos (ready / total)", sort_key="photos_total"),
        GalleryStatusColumn("status", label="Status", sort_key="live"),
        ExpiryColumn("expires_at", label="Expires", sort_key="expires_at"),
        Column("submitted_selections", label="Submitted selections", sort_key="submitted_selections"),
        UpdatedColumn("latest_revision_created_at", label="Updated", sort_key="latest_revision_created_at"),
    ]

    @cached_property
    def menu_item_class(self):
        return StudioMemberMenuItem
