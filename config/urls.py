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
from bookings.api.pages import booking_manage_cancel, booking_manage_reschedule
from cms.booking_manage import booking_manage_page
from cms.client_pages import contract_page, invoice_page, proposal_page
from cms.portal_pages import portal_details, portal_gallery, portal_home, portal_open, portal_signout
from cms.questionnaire_page import questionnaire_page
from crm.api.portal import portal_signin
from studios.admin_views import (
    StudioChosenMultipleView,
    StudioPageBrowseView,
    StudioPageTypesUsageReportView,
    studio_tag_autocomplete,
)
from studios.media_views import public_media, signed_media
from studios.unsubscribe_views import unsubscribe

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
    # Wagtail's own paths, answered by studio-scoped views (studios/admin_views.py).
    path(
        "admin/choose-page/chosen-multiple/",
        require_admin_access(StudioChosenMultipleView.as_view()),
        name="wagtailadmin_choose_page_chosen_multiple",
    ),
    path(
        "admin/reports/page-types-usage/",
        require_admin_access(StudioPageTypesUsageReportView.as_view()),
        name="studio_page_types_usage",
    ),
    path(
        "admin/reports/page-types-usage/results/",
        require_admin_access(StudioPageTypesUsageReportView.as_view(results_only=True)),
        name="studio_page_types_usage_results",
    ),
    path(
        "admin/tag-autocomplete/", require_admin_access(studio_tag_autocomplete), name="wagtailadmin_tag_autocomplete"
    ),
    path(
        "admin/tag-autocomplete/<slug:app_name>/<slug:model_name>/",
        require_admin_access(studio_tag_autocomplete),
        name="wagtailadmin_tag_model_autocomplete",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("frontend_api.urls")),
    path("billing/", include("billing.urls")),
    # Client pages on a studio's site that e-mails link to (not Wagtail pages: reached by secret token).
    path("contracts/<token:token>/", contract_page, name="contract_page"),
    path("invoices/<token:token>/", invoice_page, name="invoice_page"),
    path("invoices/<token:token>/pay/", invoice_pay, name="invoice_pay"),
    # The client portal on the studio's host (issue 16): sign in by e-mailed link (cms/portal_pages.py).
    path("portal/", portal_signin, name="portal_signin"),
    path("portal/open/<token:token>/", portal_open, name="portal_open"),
    path("portal/home/", portal_home, name="portal_home"),
    path("portal/details/", portal_details, name="portal_details"),
    path("portal/galleries/<int:gallery_id>/open/", portal_gallery, name="portal_gallery"),
    path("portal/signout/", portal_signout, name="portal_signout"),
    # The client's booking: see it, reschedule or cancel by the studio's policy (Booking.manage_url).
    path("bookings/manage/<token:token>/", booking_manage_page, name="booking_manage"),
    path("bookings/manage/<token:token>/reschedule/", booking_manage_reschedule, name="booking_manage_reschedule"),
    path("bookings/manage/<token:token>/cancel/", booking_manage_cancel, name="booking_manage_cancel"),
    path("questionnaires/<token:token>/", questionnaire_page, name="questionnaire_page"),
    path("proposals/<token:token>/", proposal_page, name="proposal_page"),
    # One-click unsubscribe from a studio's marketing e-mail (RFC 8058), on the studio's host.
    path("email/unsubscribe/<str:token>/", unsubscribe, name="email_unsubscribe"),
    # The e-mail provider's tracking webhooks (bounces, complaints): studios/email_tracking.py.
    path("anymail/", include("anymail.urls")),
]

# Local storage in every environment: renditions by their plain URL, any other file only by a signed,
# expiring link (studios/media.py). On S3 the bucket is private and these answer 404.
urlpatterns += [path("private-media/<str:token>/<str:filename>", signed_media, name="signed_media")]
if settings.MEDIA_URL.startswith("/"):
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", public_media, name="public_media")]

urlpatterns += [
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg")),
    path("", include(wagtail_urls)),
]
