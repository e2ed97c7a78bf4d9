"""Revenue: paid, outstanding and overdue by month for a year, on screen and as CSV."""

import csv

from django.http import HttpResponse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import revenue
from .base import StudioAdminView, TitledBreadcrumbsMixin


class RevenueView(StudioAdminView, TitledBreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Revenue"
    header_icon = "table"
    template_name = "billing/admin/revenue.html"

    def year(self) -> int:
        try:
            return int(self.request.GET.get("year", ""))
        except ValueError:
            return revenue.today_in(self.studio).year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.year()
        rows = revenue.by_month(self.studio, year)
        context.update(
            studio=self.studio,
            year=year,
            rows=rows,
            totals=revenue.totals(rows),
            currency=self.studio.currency,
            years=[year - 1, year + 1],
        )
        return context


class RevenueCsvView(RevenueView):
    def get(self, request, *args, **kwargs):
        year = self.year()
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="revenue-{self.studio.slug}-{year}.csv"'
        writer = csv.writer(response)
        currency = self.studio.currency.upper()
        writer.writerow(["month", f"paid ({currency})", f"outstanding ({currency})", f"overdue ({currency})"])
        for row in revenue.by_month(self.studio, year):
            writer.writerow([row["month"].strftime("%Y-%m"), *(f"{row[k] / 100:.2f}" for k in revenue.COLUMNS)])
        return response
