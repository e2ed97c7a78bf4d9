"""Wagtail admin views that would show another studio's pages or tags, scoped to the signed-in photographer's.

Routed in config/urls.py ahead of Wagtail's own admin URLs (same paths)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from taggit.models import Tag, TagBase
from wagtail.admin.views import tags
from wagtail.admin.views.chooser import BrowseView, ChosenMultipleView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportFilterSet, PageTypesUsageReportView
from wagtail.models import Page

from .admin_scoping import owned_pages_q, owned_tags
from .admin_viewsets import user_may_browse


class StudioPageBrowseView(BrowseView):
    """The page chooser's browse step: another studio's page is 404, not a peek (wagtail#1700)."""

    def get(self, request, parent_page_id=None):
        if parent_page_id is not None:
            page = get_object_or_404(Page, pk=parent_page_id)
            if not user_may_browse(request.user, page):
                raise Http404("No such page.")
        return super().get(request, parent_page_id)


class StudioChosenMultipleView(ChosenMultipleView):
    """The chooser's "chosen" step answers with each page's title: only for the studio's own pages."""

    def get(self, request):
        if not request.user.is_superuser:
            own = Page.objects.filter(owned_pages_q(request.user), pk__in=request.GET.getlist("id"))
            request.GET = request.GET.copy()
            request.GET.setlist("id", [str(pk) for pk in own.values_list("pk", flat=True)])
        return super().get(request)


class StudioPageTypesUsageFilterSet(PageTypesUsageReportFilterSet):
    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None and not request.user.is_superuser and "site" in self.filters:
            # The site filter lists every studio's site; a photographer's pages are all on their own.
            self.sites_filter_enabled = False
            self.sites = {}
            del self.filters["site"]


class StudioPageTypesUsageReportView(PageTypesUsageReportView):
    """Counts and "last edited" pages over the photographer's own pages only."""

    filterset_class = StudioPageTypesUsageFilterSet

    def get_queryset(self):
        if self.request.user.is_superuser:
            return super().get_queryset()
        own = owned_pages_q(self.request.user)
        queryset = self.filter_queryset(ContentType.objects.filter(model__in=self.page_models))
        language_code = self.filters.form.cleaned_data.get("page_locale", None)
        page_filter = Q(locale__language_code=language_code) if language_code else Q()
        own_pages = Page.objects.filter(own, page_filter)
        latest = own_pages.filter(content_type=OuterRef("pk")).order_by(
            F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk"
        )
        count = own_pages.filter(content_type=OuterRef("pk")).order_by().values("content_type")
        queryset = queryset.annotate(
            count=Coalesce(Subquery(count.annotate(n=Count("pk")).values("n")[:1]), 0),
            last_edited_page_id=Subquery(latest.values("pk")[:1]),
        )
        self.queryset = queryset
        return queryset.order_by("-count", "app_label", "model")


def studio_tag_autocomplete(request, app_name=None, model_name=None):
    """Tag suggestions from the tags on the studio's own rows, not every studio's (wagtail#12969)."""
    if request.user.is_superuser:
        return tags.autocomplete(request, app_name, model_name)
    tag_model = Tag
    if app_name and model_name:
        content_type = ContentType.objects.filter(app_label=app_name, model=model_name).first()
        tag_model = content_type.model_class() if content_type else None
        if tag_model is None or not issubclass(tag_model, TagBase):
            raise Http404
    term = request.GET.get("term")
    if not term or tag_model is not Tag:  # a custom tag model has no studio to scope it by
        return JsonResponse([], safe=False)
    names = owned_tags(request.user).filter(name__istartswith=term).order_by("name").values_list("name", flat=True)
    return JsonResponse(list(names[: tags.TAGS_AUTOCOMPLETE_LIMIT]), safe=False)
