"""Shapes of the client gallery API (docs/api.md: the field names are a contract)."""

from django.db.models import Count, Q
from rest_framework import serializers

from ..downloads import downloads_left
from ..models import Selection


class UnlockSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    email = serializers.EmailField(required=False, allow_blank=True)
    pin = serializers.RegexField(r"^\d{4}$", required=False, allow_blank=True, error_messages={"invalid": "4 digits."})
    first_page = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=200,
        help_text="Also answer the gallery's first state (`first`): its first `first_page` photos, the client's "
        "favourites and selection, so a viewer paints with no second round trip.",
    )


class PhotoRefSerializer(serializers.Serializer):
    photo = serializers.IntegerField()
    list = serializers.CharField(max_length=60, required=False, allow_blank=True)


class FavoriteListsSerializer(serializers.Serializer):
    lists = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Photo ids per favourites list (the default list is `Favourites`).",
    )


class FavoriteChangeSerializer(FavoriteListsSerializer):
    photo = serializers.IntegerField()
    list = serializers.CharField(allow_blank=True)


class SelectionSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.IntegerField(), help_text="Photo ids, in the order chosen.")
    limit = serializers.IntegerField(allow_null=True, help_text="How many photos the client may select, if limited.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    locked = serializers.BooleanField(help_text="Submitted: no more changes.")


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    photo = serializers.IntegerField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommentListSerializer(serializers.Serializer):
    results = CommentSerializer(many=True)


class CommentInSerializer(serializers.Serializer):
    photo = serializers.IntegerField()
    body = serializers.CharField(max_length=2000)


class RenditionSerializer(serializers.Serializer):
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class RenditionSetSerializer(serializers.Serializer):
    thumb = RenditionSerializer(allow_null=True)
    # 800 px, for the viewer's grid (srcset between the thumb and the preview); null for a photo processed
    # before it existed until its gallery's renditions are made again.
    tile = RenditionSerializer(allow_null=True, required=False)
    preview = RenditionSerializer(allow_null=True)
    watermarked = RenditionSerializer(allow_null=True)


# Pages are built from plain rows by galleries.photo_pages (issue 14); this serializer documents them, and
# tests/galleries/test_photo_pages.py checks that its output (from prefetched renditions, never a
# get_rendition() per photo) is the same JSON for the same gallery.
class PhotoSerializer(serializers.Serializer):
    """Built from prefetched renditions only: never a get_rendition() per photo (docs/architecture.md)."""

    id = serializers.IntegerField()
    filename = serializers.CharField()
    width = serializers.IntegerField(source="image.width")
    height = serializers.IntegerField(source="image.height")
    blurhash = serializers.CharField(source="image.blurhash")
    set = serializers.IntegerField(source="set_id", allow_null=True)
    captured_at = serializers.DateTimeField(source="image.captured_at", allow_null=True)
    renditions = serializers.SerializerMethodField()

    def get_renditions(self, photo) -> RenditionSetSerializer:
        specs = self.context["specs"]
        by_spec = {r.filter_spec: r for r in photo.image.prefetched_renditions}
        result = {}
        for name, spec in specs.items():
            r = by_spec.get(spec)
            result[name] = {"url": self.absolute(r.url), "width": r.width, "height": r.height} if r else None
        return result

    def absolute(self, url: str) -> str:
        # Client sites live on other domains: local media URLs must carry the host (S3 URLs already do).
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url


class PhotoPageSerializer(serializers.Serializer):
    results = PhotoSerializer(many=True)
    next = serializers.CharField(allow_null=True)


def access_expiry(gallery, access):
    """When the gallery closes for this client: for a recipient's own link, the earlier of the two."""
    link = access.share_link if access.share_link_id else None
    moments = [m for m in (gallery.expires_at, link and link.expires_at) if m is not None]
    return min(moments) if moments else None


def gallery_payload(gallery, access) -> dict:
    """Gallery detail with sets, counts and what this client may do."""
    photos = gallery.photos.ready()
    counts = photos.aggregate(
        total=Count("id"), **{f"s{s.pk}": Count("id", filter=Q(set=s)) for s in gallery.sets.all()}
    )
    selection = (
        Selection.objects.filter(studio_id=gallery.studio_id, gallery=gallery, email=access.email)
        .annotate(n=Count("items"))
        .first()
    )
    return {
        "id": gallery.pk,
        "title": gallery.title,
        "intro": gallery.intro,
        "studio": gallery.studio.name,
        "expires_at": access_expiry(gallery, access),
        "photo_count": counts["total"],
        "sets": [{"id": s.pk, "name": s.name, "photo_count": counts[f"s{s.pk}"]} for s in gallery.sets.all()],
        "permissions": {
            "downloadable": gallery.downloadable,
            "download_resolution": gallery.download_resolution,
            "pin_required": bool(gallery.download_pin) and not access.pin_ok,
            "download_limit": access.share_link.download_limit if access.share_link_id else gallery.download_limit,
            "downloads_left": downloads_left(gallery, access),
            "selection_limit": gallery.selection_limit,
        },
        "selection": {
            "count": selection.n if selection else 0,
            "submitted_at": selection.submitted_at if selection else None,
            "locked": bool(selection and selection.locked),
        },
    }


class GallerySerializer(serializers.Serializer):
    """Documents gallery_payload() for the schema."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    intro = serializers.CharField()
    studio = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    photo_count = serializers.IntegerField()
    sets = serializers.ListField(child=serializers.DictField())
    permissions = serializers.DictField()
    selection = serializers.DictField()


class FirstStateSerializer(serializers.Serializer):
    photos = PhotoPageSerializer(help_text="The same JSON as `GET photos/?limit=<first_page>`.")
    favorites = FavoriteListsSerializer(help_text="As `GET favorites/`.")
    selection = SelectionSerializer(help_text="As `GET selection/`.")


class UnlockResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    gallery = GallerySerializer()
    first = FirstStateSerializer(required=False, help_text="Only when the unlock asked for `first_page`.")
