from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

import frontend_api.converters  # noqa: F401 - registers <token:…>
from billing.api.views import invoice_pay
from cms.client_pages import contract_page, invoice_page
from studios.admin_views import StudioPageBrowseView

from .health import healthz

handler404 = "frontend_api.views.not_found"
handler500 = "frontend_api.views.server_failure"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path(
        "admin/choose-page/<int:parent_page_id>/",
        require_admin_access(StudioPageBrowseView.as_view()),
        name="wagtailadmin_choose_page_child",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("frontend_api.urls")),
    path("billing/", include("billing.urls")),
    # Client pages on a studio's site that e-mails link to (not Wagtail pages: reached by secret token).
    path("contracts/<token:token>/", contract_page, name="contract_page"),
    path("invoices/<token:token>/", invoice_page, name="invoice_page"),
    path("invoices/<token:token>/pay/", invoice_pay, name="invoice_pay"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg")),
    path("", include(wagtail_urls)),
]
