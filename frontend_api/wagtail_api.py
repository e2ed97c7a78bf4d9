"""Wagtail API v2 at /api/v2/, limited to the resolved studio's live, public content.

Wagtail's own viewsets are not tenant-aware (docs/architecture.md): the images endpoint
lists every image, and `?site=` only knows Wagtail Site rows. These subclasses
start every queryset from `request.studio`."""

from django.http import Http404, JsonResponse
from rest_framework import serializers
from rest_framework.response import Response
from wagtail.api.querysets import get_public_pages_queryset
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.serializers import ImageSerializer
from wagtail.images.api.v2.views import ImagesAPIViewSet

from galleries.models import ClientGalleryIndexPage
from galleries.renditions import PUBLIC_RENDITIONS

from .renditions import RenditionsField

MAX_OFFSET = 10**9


class StudioScopedAPIMixin:
    """The studio comes from the middleware (Host or ?site=, custom domains included); errors
    come in the API's one shape, like the rest of /api/."""

    def dispatch(self, request, *args, **kwargs):
        offset = request.GET.get("offset", "0")
        if not offset.isdigit() or int(offset) > MAX_OFFSET:
            error = {"code": "bad_request", "message": f"offset must be a whole number up to {MAX_OFFSET}."}
            return JsonResponse({"error": error}, status=400)
        # Wagtail only knows Site rows for `site`, and rejects it on images and documents.
        if "site" in request.GET:
            request.GET = request.GET.copy()
            request.GET.pop("site")
        return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, Http404):
            return Response({"error": {"code": "not_found", "message": str(exc) or "Not found."}}, status=404)
        if isinstance(exc, BadRequestError):
            return Response({"error": {"code": "bad_request", "message": str(exc)}}, status=400)
        return super().handle_exception(exc)


def _studio(request):
    return getattr(request._request if hasattr(request, "_request") else request, "studio", None)


class StudioPagesAPIViewSet(StudioScopedAPIMixin, PagesAPIViewSet):
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
    def get_queryset(self):
        studio = _studio(self.request)
        if studio is None or studio.collection_id is None:
            return self.model.objects.none()
        return super().get_queryset().filter(collection__path__startswith=studio.collection.path)
