"""contracts endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import frontend_api.converters  # noqa: F401 - registers <token:…>

from .studio import ContractTemplateViewSet, ContractViewSet
from .views import ContractPdfView, ContractSignView, ContractView

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("contracts/<token:token>/", ContractView.as_view(), name="contract"),
    path("contracts/<token:token>/sign/", ContractSignView.as_view(), name="contract-sign"),
    path("contracts/<token:token>/pdf/", ContractPdfView.as_view(), name="contract-pdf"),
]
# /api/studio/... (studio API key)
_studio_router = SimpleRouter()
_studio_router.register("contract-templates", ContractTemplateViewSet, basename="contract-template")
_studio_router.register("contracts", ContractViewSet, basename="contract")
studio_urlpatterns: list = _studio_router.urls
