"""`GET /api/v2/page_preview/?content_type=cms.portfoliopage&token=…`: the draft a
studio is previewing, for its headless client site. The token must be fresh
(HEADLESS_PREVIEW_MAX_AGE_SECONDS) and the page must belong to the resolved studio."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.signing import BadSignature, SignatureExpired
from django.http import Http404
from rest_framework.response import Response
from wagtail.models import Page
from wagtail_headless_preview.models import HeadlessPreviewMixin, PagePreview

from .errors import ApiError
from .wagtail_api import StudioPagesAPIViewSet, _studio


class PagePreviewAPIViewSet(StudioPagesAPIViewSet):
    known_query_parameters = StudioPagesAPIViewSet.known_query_parameters.union(["content_type", "token"])

    def listing_view(self, request):
        self.action = "detail_view"
        page = self.get_object()
        return Response(self.get_serializer(page).data)

    def detail_view(self, request, pk):
        return self.listing_view(request)

    def get_object(self):
        token = self.request.GET.get("token", "")
        app_label, _, model = self.request.GET.get("content_type", "").partition(".")
        try:
            HeadlessPreviewMixin.get_preview_signer().unsign(token, max_age=settings.HEADLESS_PREVIEW_MAX_AGE_SECONDS)
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
            preview = PagePreview.objects.get(content_type=content_type, token=token)
        except SignatureExpired as exc:
            raise ApiError(
                "preview_expired", "This preview link has expired: press Preview in the admin again.", 410
            ) from exc
        except (BadSignature, ContentType.DoesNotExist, PagePreview.DoesNotExist) as exc:
            raise Http404("No preview for this token.") from exc
        page = preview.as_page()
        studio = _studio(self.request)
        anchor = Page.objects.filter(pk=page.pk).first() if page.pk else None
        anchor = anchor or (page.get_parent() if page.path else None)
        if studio is None or anchor is None or not anchor.path.startswith(studio.home_page.path):
            raise Http404("No preview for this token.")
        if not page.pk:
            page.pk = 0
        return page
