"""How images appear in the API: rendition URLs with their sizes, and the blurhash.

The names and specs are the contract of DESIGN.md §4; renditions are read from
the prefetched set (`prefetch_renditions`), so a listing costs no query per image."""

from rest_framework import serializers

from galleries.pipeline import PREVIEW, THUMB

PUBLIC_RENDITIONS = {"thumb": THUMB, "preview": PREVIEW}


def rendition_urls(image, request=None, specs: dict[str, str] = PUBLIC_RENDITIONS) -> dict:
    renditions = image.get_renditions(*specs.values())
    out = {}
    for name, spec in specs.items():
        rendition = renditions[spec]
        url = rendition.url
        if request is not None and url.startswith("/"):
            url = request.build_absolute_uri(url)
        out[name] = {"url": url, "width": rendition.width, "height": rendition.height}
    return out


def image_summary(image, request=None) -> dict:
    return {
        "id": image.pk,
        "title": image.title,
        "width": image.width,
        "height": image.height,
        "blurhash": getattr(image, "blurhash", "") or "",
        "renditions": rendition_urls(image, request),
    }


class RenditionsField(serializers.Field):
    """`{thumb: {url, width, height}, preview: {...}}` for an image."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, image):
        return rendition_urls(image, self.context.get("request"))
