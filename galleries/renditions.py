"""The rendition contract (docs/architecture.md, "The image pipeline"): the names `thumb`, `preview` and
`watermarked`, their Wagtail filter specs, and how an image is summarised with its renditions.

The pipeline renders these specs; the API and the page blocks read them. Renditions are read from
the prefetched set (`prefetch_renditions`), so a listing costs no query per image."""

THUMB = "max-400x400|format-webp"
PREVIEW = "max-1600x1600|format-webp"
WATERMARKED_BOX = 2400

# What a studio's public site may show (never the watermark-free full size).
PUBLIC_RENDITIONS = {"thumb": THUMB, "preview": PREVIEW}


def watermarked_spec(version: int | None) -> str:
    """The `watermarked` rendition's spec; the version changes whenever the studio's watermark does."""
    if version is None:
        return f"max-{WATERMARKED_BOX}x{WATERMARKED_BOX}|format-jpeg"
    return f"max-{WATERMARKED_BOX}x{WATERMARKED_BOX}|watermark-{version}|format-jpeg"


def rendition_specs(gallery, watermark_version: int | None) -> dict[str, str]:
    """The contract names mapped to this gallery's filter specs."""
    return {
        "thumb": THUMB,
        "preview": PREVIEW,
        "watermarked": watermarked_spec(watermark_version if gallery.watermark else None),
    }


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
