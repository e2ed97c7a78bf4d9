"""Business: the studio's numbers as charts (revenue, packages, what is owed, bookings, clients, galleries), each
with its CSV. The charts come from the apps that own the numbers, through the `register_business_charts` hook."""

from django.http import Http404, HttpResponse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .charts import HOOK_NAME, Chart
from .tenancy import admin_studio


def business_charts(studio) -> list[Chart]:
    charts = [chart for fn in hooks.get_hooks(HOOK_NAME) for chart in fn(studio)]
    return sorted(charts, key=lambda chart: chart.order)


class StudioBusinessMixin:
    def dispatch(self, request, *args, **kwargs):
        self.studio = admin_studio(request)
        if self.studio is None:
            raise Http404("Choose a studio first.")
        return super().dispatch(request, *args, **kwargs)


class BusinessView(StudioBusinessMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Business"
    header_icon = "table"
    template_name = "studios/business.html"

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "studio": self.studio, "charts": business_charts(self.studio)}


class BusinessCsvView(StudioBusinessMixin, TemplateView):
    def get(self, request, name):
        for chart in business_charts(self.studio):
            if chart.name == name:
                response = HttpResponse(chart.csv(), content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{self.studio.slug}-{chart.name}.csv"'
                return response
        raise Http404("No such chart.")
