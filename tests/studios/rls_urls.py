"""A probe for tests/studios/test_row_level_security.py: views that read tenant tables with no studio filter at all,
so what they return is whatever PostgreSQL's policies let through."""

from django.http import JsonResponse
from django.urls import path

from billing.models import InvoiceLine
from crm.models import Client
from studios import rls


def unscoped_rows(request):
    # Deliberately unscoped (no for_studio): the policies are the only filter.
    return JsonResponse(
        {
            "clients": sorted(Client.objects.values_list("studio_id", flat=True)),
            "invoice_lines": sorted(InvoiceLine.objects.values_list("invoice__studio_id", flat=True)),
        }
    )


urlpatterns = [
    path("rows/", unscoped_rows),
    path("admin/rows/", unscoped_rows),
    path("api/studio/rows/", unscoped_rows),
    path("billing/rows/", rls.across_studios(unscoped_rows)),
]
