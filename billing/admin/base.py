"""The base of billing's admin screens about one studio: the studio the photographer works in."""

from django.http import Http404
from django.urls import reverse
from django.views import View

from studios.tenancy import admin_studio


def studio_or_404(request):
    studio = admin_studio(request)
    if studio is None:
        raise Http404("Choose a studio first.")
    return studio


class StudioAdminView(View):
    def dispatch(self, request, *args, **kwargs):
        self.studio = studio_or_404(request)
        return super().dispatch(request, *args, **kwargs)

    def absolute(self, name: str, *args) -> str:
        return self.request.build_absolute_uri(reverse(name, args=args))


class TitledBreadcrumbsMixin:
    """Wagtail's slim header shows the last breadcrumb as the page's heading: without one for the view itself,
    billing's screens were headed "Home". Mixed in before WagtailAdminTemplateMixin."""

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": self.get_page_title()}]
