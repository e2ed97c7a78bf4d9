"""Wagtail API v2 at /api/v2/, limited to the resolved studio's live, public content.

Wagtail's own viewsets are not tenant-aware (docs/architecture.md): the images endpoint
lists every image, and `?site=` only knows Wagtail Site rows. These subclasses
start every queryset from `request.studio`."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, JsonResponse
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.response import Response
from wagtail.api.querysets import get_public_pages_queryset
from wagtail.api.v2.serializers import (
    DetailUrlField,
    PageHtmlUrlField,
    PageParentField,
    PageSerializer,
    get_serializer_class,
)
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.serializers import DocumentSerializer
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.serializers import ImageSerializer
from wagtail.images.api.v2.views import ImagesAPIViewSet

from galleries.models import ClientGalleryIndexPage
from galleries.renditions import PUBLIC_RENDITIONS

from .renditions import RenditionsField
from .site import studio_root_url

MAX_OFFSET = 10**9


class StudioScopedAPIMixin:
    """The studio comes from the middleware (Host or ?site=, custom domains included); errors
    come in the API's one shape, like the rest of /api/."""

    def dispatch(self, request, *args, **kwargs):
        offset = request.GET.get("offset", "0")
        if not offset.isdigit() or int(offset) > MAX_OFFSET:
            error = {"code": "bad_request", "message": f"offset must be a whole number up to {MAX_OFFSET}."}
            return JsonResponse({"error": error}, status=400)
        # Wagtail only knows Site rows for `site`, and rejects it on images and documents; `find/` puts it
        # back on its redirect.
        request.studio_site_param = request.GET.get("site", "")
        if "site" in request.GET:
            request.GET = request.GET.copy()
            request.GET.pop("site")
        return super().dispatch(request, *args, **kwargs)

    def find_view(self, request):
        """Wagtail's `find/` redirects to the detail URL with the other query parameters; `?site=` too."""
        response = super().find_view(request)
        site = getattr(request._request, "studio_site_param", "")
        if site and response.status_code in (301, 302):
            joiner = "&" if "?" in response["Location"] and not response["Location"].endswith("?") else ""
            response["Location"] = f"{response['Location']}{joiner}{urlencode({'site': site})}"
        return response

    def handle_exception(self, exc):
        if isinstance(exc, Http404):
            return Response({"error": {"code": "not_found", "message": str(exc) or "Not found."}}, status=404)
        if isinstance(exc, BadRequestError):
            return Response({"error": {"code": "bad_request", "message": str(exc)}}, status=400)
        return super().handle_exception(exc)


def _studio(request):
    return getattr(request._request if hasattr(request, "_request") else request, "studio", None)


def api_base_url(request) -> str:
    """Where absolute URLs in the responses start, as Wagtail documents them: `WAGTAILAPI_BASE_URL` when set,
    else the studio's own site with the caller's scheme and port (`http://northlight.localhost:8000`)."""
    if settings.WAGTAILAPI_BASE_URL:
        return settings.WAGTAILAPI_BASE_URL.rstrip("/")
    django_request = request._request if hasattr(request, "_request") else request
    studio = _studio(request)
    if studio is None:
        return django_request.build_absolute_uri("/").rstrip("/")
    return studio_root_url(django_request, studio).rstrip("/")


class AbsoluteDetailUrlField(DetailUrlField):
    """`meta.detail_url` as an absolute URL on the studio's host."""

    def get_attribute(self, instance):
        path = self.context["router"].get_object_detail_urlpath(type(instance), instance.pk)
        if not path:
            raise SkipField
        return api_base_url(self.context["request"]) + path


class StudioHtmlUrlField(PageHtmlUrlField):
    """`meta.html_url`: the page on the studio's site, absolute (with the dev server's port)."""

    def to_representation(self, page):
        request = self.context["request"]
        parts = page.get_url_parts(request)
        if parts is None:
            return None
        return api_base_url(request) + parts[2]


class StudioPageParentField(PageParentField):
    """`meta.parent` with the same absolute URLs (Wagtail builds it on its own PageSerializer)."""

    def to_representation(self, value):
        serializer_class = get_serializer_class(
            value.__class__,
            ["id", "type", "detail_url", "html_url", "title"],
            meta_fields=["type", "detail_url", "html_url"],
            base=StudioPageSerializer,
        )
        return serializer_class(context=self.context).to_representation(value)


class StudioPageSerializer(PageSerializer):
    detail_url = AbsoluteDetailUrlField(read_only=True)
    html_url = StudioHtmlUrlField(read_only=True)
    parent = StudioPageParentField(read_only=True)


class StudioDocumentSerializer(DocumentSerializer):
    detail_url = AbsoluteDetailUrlField(read_only=True)


class StudioPagesAPIViewSet(StudioScopedAPIMixin, PagesAPIViewSet):
    base_serializer_class = StudioPageSerializer

    def get_base_queryset(self):
        studio = _studio(self.request)
        if studio is None or studio.home_page_id is None:
            return self.model.objects.none()
        queryset = self._public_pages(self.request._request).descendant_of(studio.home_page, inclusive=True)
        # Client galleries are private to their access code.
        for index in ClientGalleryIndexPage.objects.descendant_of(studio.home_page):
            queryset = queryset.not_descendant_of(index, inclusive=True)
        return queryset

    @staticmethod
    def _public_pages(request):
        return get_public_pages_queryset(request)


class PrefetchedTagsField(serializers.Field):
    """Tag names from the prefetched tags (Wagtail's TagsField queries once per image)."""

    def to_representation(self, value):
        return sorted(tag.name for tag in value.all())


class StudioImageSerializer(ImageSerializer):
    detail_url = AbsoluteDetailUrlField(read_only=True)
    renditions = RenditionsField()
    blurhash = serializers.CharField(read_only=True)

    def build_property_field(self, field_name, model_class):
        if field_name == "tags":
            return PrefetchedTagsField, {"read_only": True}
        return super().build_property_field(field_name, model_class)


class StudioImagesAPIViewSet(StudioScopedAPIMixin, ImagesAPIViewSet):
    base_serializer_class = StudioImageSerializer
    body_fields = ImagesAPIViewSet.body_fields + ["blurhash", "renditions"]
    # Originals stay private: no download_url.
    meta_fields = [f for f in ImagesAPIViewSet.meta_fields if f != "download_url"]
    listing_default_fields = [f for f in ImagesAPIViewSet.listing_default_fields if f != "download_url"] + [
        "width",
        "height",
        "blurhash",
        "renditions",
    ]
    nested_default_fields = [f for f in ImagesAPIViewSet.nested_default_fields if f != "download_url"] + [
        "renditions",
    ]

    def get_queryset(self):
        studio = _studio(self.request)
        if studio is None:
            return self.model.objects.none()
        return (
            super()
            .get_queryset()
            .for_studio(studio)
            .public()
            .prefetch_renditions(*PUBLIC_RENDITIONS.values())
            .prefetch_related("tags")
        )


class StudioDocumentsAPIViewSet(StudioScopedAPIMixin, DocumentsAPIViewSet):
    base_serializer_class = StudioDocumentSerializer

    def get_queryset(self):
        studio = _studio(self.request)
        if studio is None or studio.collection_id is None:
            return self.model.objects.none()
        return super().get_queryset().filter(collection__path__startswith=studio.collection.path)
