"""proposals endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import frontend_api.converters  # noqa: F401 - registers <token:…>

from .studio import ProposalViewSet
from .views import ProposalAcceptView, ProposalDeclineView, ProposalView

# /api/client/... (by the proposal's secret token)
client_urlpatterns: list = [
    path("proposals/<token:token>/", ProposalView.as_view(), name="proposal"),
    path("proposals/<token:token>/accept/", ProposalAcceptView.as_view(), name="proposal-accept"),
    path("proposals/<token:token>/decline/", ProposalDeclineView.as_view(), name="proposal-decline"),
]
# /api/studio/... (studio API key)
_studio_router = SimpleRouter()
_studio_router.register("proposals", ProposalViewSet, basename="proposal")
studio_urlpatterns: list = _studio_router.urls
