"""billing endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path

from . import views

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("invoices/<str:token>/", views.ClientInvoiceView.as_view(), name="invoice"),
    path("invoices/<str:token>/checkout/", views.ClientInvoiceCheckoutView.as_view(), name="invoice-checkout"),
]
# /api/studio/... (studio API key)
studio_urlpatterns: list = []
