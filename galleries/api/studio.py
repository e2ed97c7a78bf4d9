"""`/api/studio/galleries/`: the studio's galleries and photo uploads for integrations.

Uploads: with S3 storage, `POST uploads/` returns a presigned POST for the browser or tool to send the
file straight to the bucket, then `POST uploads/{photo}/complete/` queues processing. With local storage,
`POST photos/` takes the file as multipart. Either way the pipeline checks and processes each photo."""

import re

from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from frontend_api.errors import ApiError
from frontend_api.idempotency import idempotent
from frontend_api.parsers import JSONParser
from frontend_api.studio_api import StudioReadOnlyApiViewSet

from ..models import Gallery, GalleryPhoto, GallerySet
from ..uploads import add_upload, complete_direct_upload, start_direct_upload


class GallerySetSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="For `set` in photos/move/.")
    name = serializers.CharField()


class StudioGallerySerializer(serializers.ModelSerializer):
    photo_count = serializers.IntegerField(read_only=True)
    sets = serializers.SerializerMethodField()

    class Meta:
        model = Gallery
        fields = [
            "id",
            "title",
            "client",
            "live",
            "access_code",
            "expires_at",
            "downloadable",
            "selection_limit",
            "photo_count",
            "sets",
            "first_published_at",
        ]
        read_only_fields = fields

    @extend_schema_field(GallerySetSerializer(many=True))
    def get_sets(self, gallery) -> list[dict]:
        return [{"id": s.pk, "name": s.name} for s in gallery.sets.all()]


class UploadRequestSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=255)
    size = serializers.IntegerField(min_value=1, help_text="Bytes; the upload may not be larger.")
    set = serializers.IntegerField(required=False, allow_null=True)


class PhotoStatusSerializer(serializers.ModelSerializer):
    filename = serializers.CharField(source="image.original_filename")
    status = serializers.CharField(source="image.status")
    failure_reason = serializers.CharField(source="image.failure_reason")

    class Meta:
        model = GalleryPhoto
        fields = ["id", "filename", "status", "failure_reason", "set"]


PHOTO_UPLOAD = inline_serializer(
    "PhotoUpload", {"file": serializers.FileField(), "set": serializers.IntegerField(required=False)}
)


class GalleryViewSet(StudioReadOnlyApiViewSet):
    """Read-only galleries (they are made in the admin), with photo uploads."""

    model = Gallery
    queryset = Gallery.objects.none()
    serializer_class = StudioGallerySerializer
    filterset_fields = ["live"]
    ordering_fields = ["id", "title", "first_published_at"]

    def get_queryset(self):
        return Gallery.objects.filter(studio=self.studio).annotate(photo_count=Count("photos")).prefetch_related("sets")

    def _set(self, gallery, set_id):
        if set_id is None or set_id == "":
            return None
        # A multipart form sends text; "abc" or a 30-digit number is a bad request, not a query that fails.
        if not re.fullmatch(r"[0-9]{1,18}", str(set_id)):
            fields = {"set": ["A valid integer is required."]}
            raise ApiError("invalid", "No such set in this gallery.", 400, fields=fields)
        photo_set = GallerySet.objects.filter(gallery=gallery, pk=int(set_id)).first()
        if photo_set is None:
            raise ApiError("invalid", "No such set in this gallery.", 400, fields={"set": ["No such set."]})
        return photo_set

    @extend_schema(
        request=UploadRequestSerializer,
        responses={
            201: inline_serializer(
                "PresignedUpload",
                {
                    "photo": serializers.IntegerField(),
                    "url": serializers.URLField(),
                    "fields": serializers.DictField(child=serializers.CharField()),
                },
            )
        },
        summary="Start a direct-to-S3 upload (presigned POST)",
        description="Answers 201 with the presigned POST; send the file there, then call `complete/`.",
    )
    @idempotent  # above @action, which replaces the schema a decorator below it sets
    @action(detail=True, methods=["post"], url_path="uploads")
    def start_upload(self, request, pk=None):
        gallery = self.get_object()
        data = UploadRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # UploadRejected answers 400 upload_rejected, QuotaExceeded 413 storage_full (frontend_api.errors).
        post = start_direct_upload(
            gallery,
            data.validated_data["filename"],
            data.validated_data["size"],
            self._set(gallery, data.validated_data.get("set")),
        )
        return Response(post, status=201)

    @extend_schema(request=None, responses=PhotoStatusSerializer, summary="The file is in the bucket: process it")
    @idempotent  # above @action, which replaces the schema a decorator below it sets
    @action(detail=True, methods=["post"], url_path=r"uploads/(?P<photo_id>\d+)/complete")
    def complete_upload(self, request, pk=None, photo_id=None):
        gallery = self.get_object()
        photo = get_object_or_404(GalleryPhoto.objects.select_related("image"), gallery=gallery, pk=photo_id)
        photo = complete_direct_upload(photo)
        return Response(PhotoStatusSerializer(photo).data)

    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": PHOTO_UPLOAD},
        responses={201: PhotoStatusSerializer},
        summary="Upload one photo (multipart); it is processed in the background",
    )
    @extend_schema(
        methods=["GET"],
        request=None,
        filters=False,  # the gallery list's `live` and `ordering` do not apply to its photos
        responses=PhotoStatusSerializer(many=True),
        summary="List the gallery's photos with their processing status (a page, in gallery order)",
    )
    @idempotent  # above @action, which replaces the schema a decorator below it sets
    @action(detail=True, methods=["post", "get"], url_path="photos", parser_classes=[MultiPartParser, JSONParser])
    def photos(self, request, pk=None):
        gallery = self.get_object()
        if request.method == "GET":
            photos = GalleryPhoto.objects.filter(gallery=gallery).select_related("image").order_by("order", "id")
            page = self.paginate_queryset(photos)
            return self.get_paginated_response(PhotoStatusSerializer(page, many=True).data)
        upload = request.FILES.get("file")
        if upload is None:
            raise ApiError("invalid", "Send the photo as the `file` field.", 400, fields={"file": ["Required."]})
        photo = add_upload(gallery, upload, self._set(gallery, request.data.get("set")))
        photo.refresh_from_db()
        return Response(PhotoStatusSerializer(photo).data, status=201)
