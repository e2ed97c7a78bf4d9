"""contracts endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path

from .views import ContractPdfView, ContractSignView, ContractView

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("contracts/<str:token>/", ContractView.as_view(), name="contract"),
    path("contracts/<str:token>/sign/", ContractSignView.as_view(), name="contract-sign"),
    path("contracts/<str:token>/pdf/", ContractPdfView.as_view(), name="contract-pdf"),
]
# /api/studio/... (studio API key)
studio_urlpatterns: list = []
