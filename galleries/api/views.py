"""Client gallery endpoints (docs/api.md). Authenticated by the unlock token:
`Authorization: Bearer <token>` or `X-Gallery-Token: <token>` (download links also take `?token=`)."""

import base64
import json
import logging
import re

from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from frontend_api.errors import ApiError
from frontend_api.idempotency import idempotent
from studios.client_address import client_ip

from .. import archives, downloads, photo_cache, photo_pages, pixels, proofing
from ..access import gallery_for, unlock_gallery
from ..models import Comment, DownloadEvent, GalleryPhoto
from ..renditions import rendition_specs
from . import schema  # noqa: F401 - registers the token scheme with drf-spectacular
from .auth import GalleryTokenAuthentication
from .serializers import (
    CommentInSerializer,
    CommentListSerializer,
    CommentSerializer,
    FavoriteChangeSerializer,
    FavoriteListsSerializer,
    GallerySerializer,
    PhotoPageSerializer,
    PhotoRefSerializer,
    SelectionSerializer,
    UnlockResponseSerializer,
    UnlockSerializer,
    gallery_payload,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_PAGE_SIZE = 200
TOKEN_PARAM = OpenApiParameter("token", str, description="The unlock token, for links opened in a browser.")
# DELETE takes the photo as query parameters (a JSON body, as before, works too: many HTTP clients and
# generated ones send no body with DELETE).
PHOTO_REF_QUERY = [
    OpenApiParameter("photo", int, required=True, description="The photo's id."),
    OpenApiParameter("list", str, description="The favourites list (default: `Favourites`)."),
]


def photo_ref(request) -> dict:
    """The `photo` (and `list`) of a DELETE: from the query string, else from a JSON body."""
    source = request.query_params if "photo" in request.query_params else request.data
    data = PhotoRefSerializer(data=source)
    data.is_valid(raise_exception=True)
    return data.validated_data


class GalleryAPIView(APIView):
    authentication_classes = [GalleryTokenAuthentication]

    def gallery(self, gallery_id):
        return gallery_for(self.request, gallery_id)

    @property
    def email(self) -> str:
        return self.request.auth.email


class UnlockView(APIView):
    authentication_classes: list = []
    throttle_scope = "gallery_unlock"

    throttle_classes = [ScopedRateThrottle]

    @extend_schema(request=UnlockSerializer, responses={201: UnlockResponseSerializer}, auth=[])
    def post(self, request):
        data = UnlockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, access = unlock_gallery(
            request.studio,
            data.validated_data["code"],
            data.validated_data.get("email", ""),
            data.validated_data.get("pin", ""),
            client_ip(request),
        )
        answer = {"token": token, "gallery": gallery_payload(access.gallery, access)}
        if limit := data.validated_data.get("first_page"):
            # What the viewer asks for next, answered now: the e-mailed link's first paint waits for one round
            # trip after the HTML, not two (issue 14). The photos are the cached page GET photos/ serves.
            gallery = access.gallery
            answer["first"] = {
                "photos": json.loads(cached_photo_page(self, gallery, limit, "", "").body),
                "favorites": {"lists": proofing.favorite_lists(gallery, access.email)},
                "selection": selection_payload(proofing.selection_for(gallery, access.email)),
            }
        response = Response(answer, status=201)
        # Compressed although a POST (config/compression.py says why BREACH finds nothing here): the first
        # photos' JSON is most of a phone's wait for the viewer's first paint.
        response.gzip_ok = True
        return response


class GalleryDetailView(GalleryAPIView):
    @extend_schema(responses=GallerySerializer)
    def get(self, request, gallery_id):
        return Response(gallery_payload(self.gallery(gallery_id), request.auth))


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


MAX_OFFSET = 10**9  # far beyond any gallery; a larger offset would overflow the database's LIMIT/OFFSET


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if raw[0] != "o" or not raw[1:].isascii() or not raw[1:].isdigit() or len(raw) > 11:
            raise ValueError
        offset = int(raw[1:])
        if offset > MAX_OFFSET:
            raise ValueError
        return offset
    except (ValueError, IndexError, UnicodeDecodeError):
        raise ApiError("invalid", "That page cursor is not valid; start again from the first page.", 400) from None


def page_limit(params) -> int:
    try:
        return max(1, min(MAX_PAGE_SIZE, int(params.get("limit", PAGE_SIZE))))
    except ValueError:
        return PAGE_SIZE


class PhotoListView(GalleryAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("set", int, description="Only this set's photos."),
            OpenApiParameter("cursor", str, description="The `next` value of the previous page."),
            OpenApiParameter(
                "limit", int, description=f"Photos per page (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE})."
            ),
        ],
        responses=PhotoPageSerializer,
    )
    def get(self, request, gallery_id):
        gallery = self.gallery(gallery_id)  # access checks run on every request, cached page or not
        params = request.query_params
        page = cached_photo_page(self, gallery, page_limit(params), params.get("set", ""), params.get("cursor", ""))
        # Weak comparison, as for any If-None-Match: a compressing proxy may have weakened our ETag.
        client_has = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
        if client_has & {page.etag, "*"}:
            response = HttpResponseNotModified()  # the client site's copy is still right
        else:
            renderer = request.accepted_renderer
            charset = f"; charset={renderer.charset}" if renderer.charset else ""
            response = HttpResponse(page.body, content_type=f"{renderer.media_type}{charset}")
        response["ETag"] = page.etag
        return response


def cached_photo_page(view, gallery, limit: int, raw_set: str, cursor: str):
    """A page of the gallery's photos (photo_cache.CachedPage: body and ETag) for `view`'s request, from the
    cache or built: GET photos/, and the unlock's `first` (the same bytes for the same page)."""
    request = view.request
    # Everything the body depends on besides the gallery; the host makes local media URLs absolute.
    variant = (request.build_absolute_uri("/"), request.accepted_media_type, raw_set, cursor, limit)

    def build(watermark_version: int) -> bytes:
        data = _photo_page(request, gallery, watermark_version, limit, raw_set, cursor)
        # The bytes a DRF Response of `data` would carry.
        return request.accepted_renderer.render(data, request.accepted_media_type, view.get_renderer_context())

    return photo_cache.photo_page(gallery, variant, build)


def _photo_page(request, gallery, watermark_version: int, limit: int, raw_set: str, cursor: str) -> dict:
    specs = rendition_specs(gallery, watermark_version)
    set_id = None
    if raw_set:
        if not raw_set.isdigit() or not gallery.sets.filter(pk=raw_set).exists():
            raise ApiError("invalid", "No such set in this gallery.", 400, fields={"set": ["Not found."]})
        set_id = int(raw_set)
    offset = decode_cursor(cursor) if cursor else 0
    # Plain rows, not model instances and PhotoSerializer (which documents the same JSON): issue 14.
    results, more = photo_pages.photo_page(
        gallery, specs, offset, limit, set_id, absolute=photo_pages.absolute_urls(request.build_absolute_uri)
    )
    return {"results": results, "next": encode_cursor(offset + limit) if more else None}


class FavoritesView(GalleryAPIView):
    @extend_schema(summary="List the client's favourites, per list", responses=FavoriteListsSerializer)
    def get(self, request, gallery_id):
        gallery = self.gallery(gallery_id)
        return Response({"lists": proofing.favorite_lists(gallery, self.email)})

    @extend_schema(
        summary="Add a photo to a favourites list",
        request=PhotoRefSerializer,
        responses={
            201: OpenApiResponse(FavoriteChangeSerializer, description="Added"),
            200: OpenApiResponse(FavoriteChangeSerializer, description="Already a favourite: nothing changed"),
        },
    )
    def post(self, request, gallery_id):
        gallery = self.gallery(gallery_id)
        data = PhotoRefSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = proofing.photo_in(gallery, data.validated_data["photo"])
        favorite, created = proofing.add_favorite(gallery, self.email, photo, data.validated_data.get("list", ""))
        return Response(
            {"photo": photo.pk, "list": favorite.list_name, "lists": proofing.favorite_lists(gallery, self.email)},
            status=201 if created else 200,
        )

    @extend_schema(
        summary="Remove a photo from a favourites list",
        parameters=PHOTO_REF_QUERY,
        request=None,
        responses={200: FavoriteListsSerializer},
    )
    def delete(self, request, gallery_id):
        gallery = self.gallery(gallery_id)
        ref = photo_ref(request)
        photo = proofing.photo_in(gallery, ref["photo"])
        proofing.remove_favorite(gallery, self.email, photo, ref.get("list", ""))
        return Response({"lists": proofing.favorite_lists(gallery, self.email)})


def selection_payload(selection) -> dict:
    return {
        "photos": list(selection.items.order_by("created_at", "id").values_list("photo_id", flat=True)),
        "limit": selection.gallery.selection_limit,
        "submitted_at": selection.submitted_at,
        "locked": selection.locked,
    }


class SelectionView(GalleryAPIView):
    @extend_schema(summary="Get the client's selection", responses=SelectionSerializer)
    def get(self, request, gallery_id):
        gallery = self.gallery(gallery_id)
        return Response(selection_payload(proofing.selection_for(gallery, self.email)))

    @extend_schema(summary="Add a photo to the selection", request=PhotoRefSerializer, responses=SelectionSerializer)
    def post(self, request, gallery_id):
        gallery = self.gallery(gallery_id)
        data = PhotoRefSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = proofing.photo_in(gallery, data.validated_data["photo"])
        return Response(selection_payload(proofing.select_photo(gallery, self.email, photo)))

    @extend_schema(
        summary="Take a photo out of the selection",
        parameters=PHOTO_REF_QUERY[:1],
        request=None,
        responses={200: SelectionSerializer},
    )
    def delete(self, request, gallery_id):
        gallery = self.gallery(gallery_id)
        photo = proofing.photo_in(gallery, photo_ref(request)["photo"])
        return Response(selection_payload(proofing.unselect_photo(gallery, self.email, photo)))


class SelectionSubmitView(GalleryAPIView):
    @extend_schema(summary="Submit the selection to the studio (locks it)", request=None, responses=SelectionSerializer)
    @idempotent
    def post(self, request, gallery_id):
        gallery = self.gallery(gallery_id)
        return Response(selection_payload(proofing.submit_selection(gallery, self.email)))


def comment_payload(comment: Comment) -> dict:
    return {"id": comment.pk, "photo": comment.photo_id, "body": comment.body, "created_at": comment.created_at}


class CommentsView(GalleryAPIView):
    @extend_schema(
        summary="List the client's comments (on one photo with `photo`)",
        parameters=[OpenApiParameter("photo", int)],
        responses=CommentListSerializer,
    )
    def get(self, request, gallery_id):
        gallery = self.gallery(gallery_id)
        comments = Comment.objects.filter(studio_id=gallery.studio_id, gallery=gallery, email=self.email)
        if photo := request.query_params.get("photo"):
            # At most 18 ASCII digits: a longer number would overflow the foreign-key query (a 500).
            comments = comments.filter(photo_id=photo if re.fullmatch(r"[0-9]{1,18}", photo) else 0)
        return Response({"results": [comment_payload(c) for c in comments]})

    @extend_schema(summary="Comment on a photo", request=CommentInSerializer, responses={201: CommentSerializer})
    @idempotent
    def post(self, request, gallery_id):
        gallery = self.gallery(gallery_id)
        data = CommentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = proofing.photo_in(gallery, data.validated_data["photo"])
        comment = proofing.add_comment(gallery, self.email, photo, data.validated_data["body"])
        return Response(comment_payload(comment), status=201)


class GalleryDownloadView(GalleryAPIView):
    """The whole gallery (or one set) as a ZIP of stored files: the originals, or the web renditions the
    pipeline made ahead. The whole gallery at web size is usually prepared as one stored file: sent as it is,
    or, on S3, a 302 to a signed link (10 minutes). Otherwise the ZIP streams as it is built; the same bytes
    either way. While some web files are still being made: 503 `download_preparing` with `Retry-After` (they
    are queued); nothing is counted.

    HEAD asks the same question without the ZIP: the same checks and answers (200, 503 `download_preparing`
    with `Retry-After`, 4xx), no body, nothing counted or logged. The viewer asks before it follows the link."""

    @extend_schema(
        parameters=[OpenApiParameter("set", int), TOKEN_PARAM],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
            302: OpenApiResponse(
                description="Where media is on S3: the gallery's prepared ZIP, at a signed link (`Location`) that "
                "works for 10 minutes. The download is counted when the link is handed out."
            ),
            503: OpenApiResponse(
                {"$ref": "#/components/schemas/Error"},
                description="`download_preparing`: web-size files are still being made; try again after "
                "`Retry-After` seconds.",
            ),
        },
    )
    def get(self, request, gallery_id):
        gallery, photo_set, entries = self.zip_entries(request, gallery_id)
        name = f"{gallery.title} - {photo_set.name}" if photo_set else gallery.title
        filename = f"{_ascii(name)}.zip"
        # The whole gallery at web size is prepared ahead as one stored file (galleries/archives.py).
        prepared = photo_set is None and gallery.download_resolution != gallery.Resolution.FULL
        archive = archives.current_archive(gallery, entries) if prepared else None
        # Counted before the first byte (so the limit holds under concurrency), given back if not delivered.
        downloads.use_one_download(gallery, request.auth)
        if archive is not None:
            try:
                return downloads.archive_response(archive, gallery, request.auth, filename, ip=client_ip(request))
            except OSError:  # its file is gone from local storage: stream this one, and prepare it again
                logger.warning("Archive %s of gallery %s is missing its file", archive.pk, gallery.pk, exc_info=True)
                archives.forget(archive)
        if prepared:
            archives.archive_soon(gallery.pk)  # not prepared yet (a lost message, a change since): the next click
        stream = downloads.DeliveredZip(gallery, entries, request.auth, photo_set, client_ip(request))
        response = StreamingHttpResponse(stream, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        if stream.length is not None:
            response["Content-Length"] = str(stream.length)  # the browser shows progress
        return response

    # Not in docs/openapi.yaml as an operation of its own (drf-spectacular leaves HEAD out): the docstring,
    # which is GET's description there, and docs/api.md say what it answers.
    def head(self, request, gallery_id):
        # Defined, so Django does not answer HEAD with get() (which would count a download and build the ZIP).
        gallery, _, _ = self.zip_entries(request, gallery_id)
        downloads.check_download_left(gallery, request.auth)
        return HttpResponse(status=200)

    def zip_entries(self, request, gallery_id):
        """The checks GET and HEAD share, in order, and what the ZIP holds: (gallery, set or None, entries)."""
        gallery = self.gallery(gallery_id)
        size = "full" if gallery.download_resolution == gallery.Resolution.FULL else "web"
        downloads.check_may_download(gallery, request.auth, size)
        photos = gallery.ordered_photos()
        photo_set = None
        if set_id := request.query_params.get("set"):
            photo_set = gallery.sets.filter(pk=set_id if set_id.isdigit() else 0).first()
            if photo_set is None:
                raise ApiError("invalid", "No such set in this gallery.", 400, fields={"set": ["Not found."]})
            photos = photos.filter(set=photo_set)
        rows = downloads.zip_rows(photos)  # values, not model instances: a ZIP may hold thousands
        if not rows:
            raise ApiError("nothing_to_download", "There are no photos to download here yet.", 404)
        # Stored files only, found before the first byte: 409 photo_too_large, 503 download_preparing.
        images = photos.values("image_id")  # a subquery for the web renditions, not 2,000 ids
        return gallery, photo_set, downloads.zip_entries(gallery, rows, size, images)


def _ascii(name: str) -> str:
    return "".join(c if c.isalnum() or c in " -_&" else "_" for c in name).strip() or "gallery"


class PhotoDownloadView(APIView):
    """One photo: `size=web` (2048 px; also web-640, web-1024) streams a JPEG; `size=full` redirects to a
    signed URL of the original that expires after 10 minutes."""

    authentication_classes = [GalleryTokenAuthentication]

    @extend_schema(
        parameters=[
            OpenApiParameter("size", str, enum=["web", "web-640", "web-1024", "web-2048", "full"]),
            TOKEN_PARAM,
        ],
        responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY), 302: None},
    )
    def get(self, request, photo_id):
        access = request.auth
        if access is None:
            raise ApiError("token_required", "Unlock the gallery with its access code first.", 401)
        photo = (
            GalleryPhoto.objects.ready()
            .filter(pk=photo_id, gallery_id=access.gallery_id, studio=request.studio)
            .select_related("image", "gallery")
            .first()
            if request.studio is not None
            else None
        )
        if photo is None:
            raise ApiError("not_found", "No such photo.", 404)
        gallery = gallery_for(request, photo.gallery_id)
        size = request.query_params.get("size", "web")
        downloads.check_may_download(gallery, access, size)
        if size != "full":
            pixels.check_renderable(photo)  # a clear 409, not a 500 from Pillow's bomb guard
        with downloads.one_download(gallery, access):  # given back if the rendition fails
            rendition = None if size == "full" else photo.image.get_rendition(downloads.web_spec(gallery, size))
        kind = DownloadEvent.Kind.FULL if size == "full" else DownloadEvent.Kind.WEB
        downloads.log_download(gallery, access, kind, photo=photo, ip=client_ip(request))
        if rendition is None:
            return HttpResponseRedirect(downloads.original_url(request, photo))
        stem = photo.filename.rsplit(".", 1)[0]
        return FileResponse(
            rendition.file.open("rb"), as_attachment=True, filename=f"{stem}.jpg", content_type="image/jpeg"
        )


class OriginalView(APIView):
    """Serves an original behind a signed, expiring link (local storage; S3 links are presigned)."""

    authentication_classes: list = []

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}, auth=[])
    def get(self, request, token):
        photo = downloads.photo_for_original_token(token, request.studio)
        return FileResponse(photo.image.file.open("rb"), as_attachment=True, filename=photo.filename)
