"""How images appear in the API: the rendition URLs with their sizes, as a serializer field.

The names and specs are the contract in `galleries.renditions`."""

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
