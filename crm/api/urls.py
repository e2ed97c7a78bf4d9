"""crm endpoints of the headless API (mounted by frontend_api.urls)."""

from django.urls import path

from .views import InquiryView

# /api/client/... (anonymous or gallery/contract/invoice token)
client_urlpatterns: list = [
    path("inquiries/", InquiryView.as_view(), name="inquiries"),
]
# /api/studio/... (studio API key)
studio_urlpatterns: list = []
