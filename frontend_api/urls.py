"""The headless API. Each domain app owns its endpoints in `<app>/api/urls.py`;
this module mounts them under /api/client/ and /api/studio/, beside Wagtail's
API v2 (/api/v2/) and the OpenAPI schema."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter
from wagtail.api.v2.router import WagtailAPIRouter

from billing.api import urls as billing_api
from bookings.api import urls as bookings_api
from contracts.api import urls as contracts_api
from crm.api import urls as crm_api
from galleries.api import urls as galleries_api
from proposals.api import urls as proposals_api
from workflows.api import urls as workflows_api

from .preview_api import PagePreviewAPIViewSet
from .profile_api import StudioProfileView
from .studio_api import WebhookDeliveryViewSet, WebhookEndpointViewSet
from .views import unknown_api_path
from .wagtail_api import StudioDocumentsAPIViewSet, StudioImagesAPIViewSet, StudioPagesAPIViewSet

DOMAIN_APIS = [galleries_api, crm_api, bookings_api, contracts_api, billing_api, workflows_api, proposals_api]

studio_router = SimpleRouter()
studio_router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
studio_router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

client_urlpatterns = [
    path("studio/", StudioProfileView.as_view(), name="studio-profile"),
    *(p for api in DOMAIN_APIS for p in api.client_urlpatterns),
]
studio_urlpatterns = [p for api in DOMAIN_APIS for p in api.studio_urlpatterns] + studio_router.urls

# Wagtail API v2, narrowed to the resolved studio's site (frontend_api.wagtail_api).
api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", StudioPagesAPIViewSet)
api_router.register_endpoint("images", StudioImagesAPIViewSet)
api_router.register_endpoint("documents", StudioDocumentsAPIViewSet)
api_router.register_endpoint("page_preview", PagePreviewAPIViewSet)

urlpatterns = [
    path("v2/", api_router.urls),
    path("client/", include((client_urlpatterns, "client"))),
    path("studio/", include((studio_urlpatterns, "studio"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Last: unknown /api/ paths are JSON 404s, not the studio site's pages.
    re_path(r"^(?P<rest>.*)$", unknown_api_path),
]
