"""`/api/studio/galleries/{id}/photos/…`: the gallery manager's actions for integrations (order, move to a
set, hide, delete), each one `galleries.curation` service: every photo id must be this gallery's, or nothing
changes and the answer is 404."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from frontend_api.studio_api import StudioApiMixin

from .. import curation
from ..models import Gallery

MAX_PHOTOS = 5000


def photo_ids(**kwargs):
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=MAX_PHOTOS,
        **kwargs,
    )


class PhotoIdsSerializer(serializers.Serializer):
    photos = photo_ids(help_text="Ids of the gallery's photos.")


class ReorderSerializer(serializers.Serializer):
    photos = photo_ids(
        help_text="Photo ids in their new order; they take the places those photos held (the gallery switches to "
        "manual order)."
    )


class MoveSerializer(PhotoIdsSerializer):
    set = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, allow_null=True, help_text="One of the gallery's sets; null: no set."
    )


class HideSerializer(PhotoIdsSerializer):
    hidden = serializers.BooleanField(help_text="True hides the photos from clients; false shows them again.")


CHANGED = inline_serializer("PhotosChanged", {"changed": serializers.IntegerField()})


class GalleryPhotosActionView(StudioApiMixin, GenericAPIView):
    queryset = Gallery.objects.none()
    pagination_class = None
    filter_backends: list = []
    http_method_names = ["post", "options"]
    request_serializer: type[serializers.Serializer] = PhotoIdsSerializer

    def get_serializer_class(self):  # OPTIONS describes the body
        return self.request_serializer

    def gallery(self) -> Gallery:
        return get_object_or_404(Gallery.objects.filter(studio=self.studio), pk=self.kwargs["gallery_id"])

    def post(self, request, gallery_id):
        gallery = self.gallery()
        data = self.request_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"changed": self.perform(gallery, data.validated_data)})


class ReorderPhotosView(GalleryPhotosActionView):
    request_serializer = ReorderSerializer

    @extend_schema(request=ReorderSerializer, responses=CHANGED, summary="Reorder a gallery's photos")
    def post(self, request, gallery_id):
        return super().post(request, gallery_id)

    def perform(self, gallery, data):
        return curation.reorder(gallery, data["photos"])


class MovePhotosView(GalleryPhotosActionView):
    request_serializer = MoveSerializer

    @extend_schema(request=MoveSerializer, responses=CHANGED, summary="Move photos into a set (or out of any)")
    def post(self, request, gallery_id):
        return super().post(request, gallery_id)

    def perform(self, gallery, data):
        return curation.move_to_set(gallery, data["photos"], data["set"])


class HidePhotosView(GalleryPhotosActionView):
    request_serializer = HideSerializer

    @extend_schema(request=HideSerializer, responses=CHANGED, summary="Hide photos from clients, or show them")
    def post(self, request, gallery_id):
        return super().post(request, gallery_id)

    def perform(self, gallery, data):
        return curation.set_hidden(gallery, data["photos"], data["hidden"])


class DeletePhotosView(GalleryPhotosActionView):
    @extend_schema(request=PhotoIdsSerializer, responses=CHANGED, summary="Delete photos and their files")
    def post(self, request, gallery_id):
        return super().post(request, gallery_id)

    def perform(self, gallery, data):
        return curation.delete_photos(gallery, data["photos"])
