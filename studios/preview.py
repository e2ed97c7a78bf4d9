"""Previews: a studio with its own client site (a preview URL) previews headlessly
there (wagtail-headless-preview); others preview in the built-in theme."""

from django.conf import settings
from wagtail_headless_preview.models import HeadlessPreviewMixin

from .models import Studio


class StudioPreviewMixin(HeadlessPreviewMixin):
    def page_studio(self):
        page = self if self.pk else self.get_parent()
        return Studio.objects.for_page(page).first()

    def get_client_root_url(self, request):
        # wagtail-headless-preview looks at the admin's host; the page's studio decides (docs/architecture.md).
        studio = self.page_studio()
        url = (studio and studio.preview_url) or settings.WAGTAIL_HEADLESS_PREVIEW["CLIENT_URLS"]["default"]
        return url.rstrip("/") + "/"

    def serve_preview(self, request, preview_mode):
        studio = self.page_studio()
        if studio is None or not studio.preview_url:
            return super(HeadlessPreviewMixin, self).serve_preview(request, preview_mode)
        return super().serve_preview(request, preview_mode)
