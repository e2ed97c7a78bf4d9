"""proposals endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path

import frontend_api.converters  # noqa: F401 - registers <token:…>

from .views import ProposalAcceptView, ProposalDeclineView, ProposalView

# /api/client/... (by the proposal's secret token)
client_urlpatterns: list = [
    path("proposals/<token:token>/", ProposalView.as_view(), name="proposal"),
    path("proposals/<token:token>/accept/", ProposalAcceptView.as_view(), name="proposal-accept"),
    path("proposals/<token:token>/decline/", ProposalDeclineView.as_view(), name="proposal-decline"),
]
# /api/studio/... (studio API key)
studio_urlpatterns: list = []
