"""config.urls plus /bench/wagtail-images/: Wagtail's own ImagesAPIViewSet, unscoped (ours at /api/v2/images/
hides gallery photos), as the baseline for benchmarks/api.py. Never mounted outside the benchmark."""

from django.urls import path
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.images.api.v2.views import ImagesAPIViewSet

from config.urls import handler404, handler500  # noqa: F401 - the error handlers
from config.urls import urlpatterns as cms_urlpatterns

stock_router = WagtailAPIRouter("benchwagtailapi")
stock_router.register_endpoint("wagtail-images", ImagesAPIViewSet)

urlpatterns = [path("bench/", stock_router.urls), *cms_urlpatterns]
