"""contracts endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path

import frontend_api.converters  # noqa: F401 - registers <token:…>

from .views import ContractPdfView, ContractSignView, ContractView

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("contracts/<token:token>/", ContractView.as_view(), name="contract"),
    path("contracts/<token:token>/sign/", ContractSignView.as_view(), name="contract-sign"),
    path("contracts/<token:token>/pdf/", ContractPdfView.as_view(), name="contract-pdf"),
]
# /api/studio/... (studio API key)
studio_urlpatterns: list = []
