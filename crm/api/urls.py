"""crm endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import frontend_api.converters  # noqa: F401 - registers <token:…>

from .portal import PortalGalleryAccessView, PortalLinkView, PortalMeView, PortalOverviewView, PortalSessionView
from .questionnaires import QuestionnaireView
from .studio import ClientViewSet
from .views import InquiryView

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("inquiries/", InquiryView.as_view(), name="inquiries"),
    # The client portal (crm/api/portal.py): a sign-in link, then the portal token.
    path("portal/", PortalOverviewView.as_view(), name="portal"),
    path("portal/link/", PortalLinkView.as_view(), name="portal-link"),
    path("portal/session/", PortalSessionView.as_view(), name="portal-session"),
    path("portal/me/", PortalMeView.as_view(), name="portal-me"),
    path("portal/galleries/<int:gallery_id>/access/", PortalGalleryAccessView.as_view(), name="portal-gallery-access"),
    path("questionnaires/<token:token>/", QuestionnaireView.as_view(), name="questionnaire"),
]
# /api/studio/... (studio API key)
_studio_router = SimpleRouter()
_studio_router.register("clients", ClientViewSet, basename="client")
studio_urlpatterns: list = _studio_router.urls
