"""crm endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

import frontend_api.converters  # noqa: F401 - registers <token:…>

from .questionnaires import QuestionnaireView
from .studio import ClientViewSet
from .views import InquiryView

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("inquiries/", InquiryView.as_view(), name="inquiries"),
    path("questionnaires/<token:token>/", QuestionnaireView.as_view(), name="questionnaire"),
]
# /api/studio/... (studio API key)
_studio_router = SimpleRouter()
_studio_router.register("clients", ClientViewSet, basename="client")
studio_urlpatterns: list = _studio_router.urls
