"""How images appear in the API: the rendition URLs with their sizes, as a serializer field.

The names and specs are the contract in `galleries.renditions`."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from galleries.renditions import rendition_urls


class RenditionsField(serializers.Field):
    """`{thumb: {url, width, height}, preview: {...}}` for an image."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, image):
        return rendition_urls(image, self.context.get("request"))


class ImageRenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class PublicRenditionsSerializer(serializers.Serializer):
    thumb = ImageRenditionSerializer(help_text="At most 400×400 px, WebP.")
    preview = ImageRenditionSerializer(help_text="At most 1600×1600 px, WebP.")


class PublicImageSerializer(serializers.Serializer):
    """A public image (a package's cover, a logo): alt text, size and renditions
    (`thumb` 400px, `preview` 1600px, WebP)."""

    id = serializers.IntegerField()
    alt = serializers.CharField(source="title")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    renditions = serializers.SerializerMethodField()

    @extend_schema_field(PublicRenditionsSerializer)
    def get_renditions(self, image) -> dict:
        return rendition_urls(image, self.context.get("request"))
