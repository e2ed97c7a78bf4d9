"""billing endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import frontend_api.converters  # noqa: F401 - registers <token:…>

from . import views
from .studio import InvoiceViewSet

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("invoices/<token:token>/", views.ClientInvoiceView.as_view(), name="invoice"),
    path("invoices/<token:token>/checkout/", views.ClientInvoiceCheckoutView.as_view(), name="invoice-checkout"),
]
# /api/studio/... (studio API key)
_studio_router = SimpleRouter()
_studio_router.register("invoices", InvoiceViewSet, basename="invoice")
studio_urlpatterns: list = _studio_router.urls
