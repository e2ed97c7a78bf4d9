"""The headless API. Each domain app owns its endpoints in `<app>/api/urls.py`;
this module mounts them under /api/client/ and /api/studio/."""

from django.urls import include, path

from billing.api import urls as billing_api
from bookings.api import urls as bookings_api
from contracts.api import urls as contracts_api
from crm.api import urls as crm_api
from galleries.api import urls as galleries_api

DOMAIN_APIS = [galleries_api, crm_api, bookings_api, contracts_api, billing_api]

client_urlpatterns = [p for api in DOMAIN_APIS for p in api.client_urlpatterns]
studio_urlpatterns = [p for api in DOMAIN_APIS for p in api.studio_urlpatterns]

urlpatterns = [
    path("client/", include((client_urlpatterns, "client"))),
    path("studio/", include((studio_urlpatterns, "studio"))),
]
