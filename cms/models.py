"""The studio's site content: its home page, free-form pages and portfolio."""

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from studios.preview import StudioPreviewMixin

from .blocks import StudioStreamBlock

# --- Pages -----------------------------------------------------------------


class StudioHomePage(StudioPreviewMixin, Page):
    """The root of a studio's site."""

    intro = RichTextField(blank=True)
    body = StreamField(StudioStreamBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro"), APIField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.PortfolioIndexPage",
        "galleries.ClientGalleryIndexPage",
        "bookings.BookingPage",
        "cms.StandardPage",
    ]
    max_count_per_parent = 1

    template = "cms/studio_home_page.html"


class StandardPage(StudioPreviewMixin, Page):
    """About, pricing, FAQ: a free-form page."""

    body = StreamField(StudioStreamBlock(), blank=True, use_json_field=True)
    content_panels = Page.content_panels + [FieldPanel("body")]
    api_fields = [APIField("body")]
    parent_page_types = ["cms.StudioHomePage"]
    subpage_types: list[str] = []
    template = "cms/standard_page.html"


class PortfolioIndexPage(StudioPreviewMixin, Page):
    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["cms.StudioHomePage"]
    subpage_types = ["cms.PortfolioPage"]
    max_count_per_parent = 1
    template = "cms/portfolio_index_page.html"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["portfolios"] = PortfolioPage.objects.child_of(self).live().public().select_related("cover")
        return context


class PortfolioPage(StudioPreviewMixin, Page):
    cover = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    intro = models.CharField(max_length=300, blank=True)
    body = StreamField(StudioStreamBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("cover"), FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("cover"), APIField("intro"), APIField("body")]
    parent_page_types = ["cms.PortfolioIndexPage"]
    subpage_types: list[str] = []
    template = "cms/portfolio_page.html"
