"""The rendition contract (docs/architecture.md, "The image pipeline"): the names `thumb`, `tile`, `preview`
and `watermarked`, their Wagtail filter specs, and how an image is summarised with its renditions.

A gallery photo's specs are what its clients may see: each carries `client-<credit>` (sRGB with an embedded
profile, no private metadata; galleries.client_files) and, when the gallery's watermark is on,
`watermark-<version>`. So turning the watermark on or off, editing it, or changing what metadata the studio
keeps names other renditions: a client is never handed one made under the old choice.

The pipeline renders these specs (and, for a gallery whose "Download all" is web size, the web download:
`pipeline_specs`); the API and the page blocks read them. Renditions are read from
the prefetched set (`prefetch_renditions`), so a listing costs no query per image."""

THUMB_BOX, PREVIEW_BOX, WATERMARKED_BOX = 400, 1600, 2400
# The viewer's grid tiles between the thumb and the preview: a portrait tile on a phone (2-3x screens) is
# 500-800 px wide, and with nothing between 400 and 1,600 px its srcset picked the 1,600 px preview.
TILE_BOX = 800
# Web-size downloads, by the name clients ask for.
WEB_SIZES = {"web": 2048, "web-2048": 2048, "web-1024": 1024, "web-640": 640}

# The public site's images (portfolio): the studio published them, so no watermark, but the same
# colour and metadata treatment as any file a visitor can save. No credit either: they are WebP, which
# Wagtail (Willow) writes without EXIF anyway.
THUMB = "max-400x400|client-public|format-webp"
PREVIEW = "max-1600x1600|client-public|format-webp"
PUBLIC_RENDITIONS = {"thumb": THUMB, "preview": PREVIEW}

KEEP_CREDIT, STRIP_CREDIT = "client-keep", "client-strip"


def client_spec(box: int, fmt: str, watermark_version: int | None, keep_credit: bool) -> str:
    """`max-<box>x<box>[|watermark-<version>]|client-<keep|strip>|format-<fmt>`: the watermark is drawn at
    the final size, then the colours and metadata are made client-safe."""
    ops = [f"max-{box}x{box}"]
    if watermark_version is not None:
        ops.append(f"watermark-{watermark_version}")
    ops += [KEEP_CREDIT if keep_credit else STRIP_CREDIT, f"format-{fmt}"]
    return "|".join(ops)


def gallery_watermark(gallery, watermark_version: int | None) -> int | None:
    """The watermark version the gallery's client files carry, or None when its watermark is off."""
    return watermark_version if gallery.watermark else None


def rendition_specs(gallery, watermark_version: int | None, keep_credit: bool | None = None) -> dict[str, str]:
    """The contract names mapped to this gallery's filter specs (`watermark_version`: the studio's;
    `keep_credit`: the studio's keep_copyright_metadata, read from the gallery's studio if not given)."""
    version = gallery_watermark(gallery, watermark_version)
    keep = gallery.studio.keep_copyright_metadata if keep_credit is None else keep_credit
    return {
        "thumb": client_spec(THUMB_BOX, "webp", version, keep),
        "tile": client_spec(TILE_BOX, "webp", version, keep),
        "preview": client_spec(PREVIEW_BOX, "webp", version, keep),
        "watermarked": client_spec(WATERMARKED_BOX, "jpeg", version, keep),
    }


PAGE_SPEC_PREFIXES = tuple(f"max-{box}x{box}|" for box in (THUMB_BOX, PREVIEW_BOX, WATERMARKED_BOX))


def is_page_spec(filter_spec: str) -> bool:
    """Whether a rendition of this spec may show on a gallery's photo page (one of rendition_specs())."""
    ops = filter_spec.split("|")
    return filter_spec.startswith(PAGE_SPEC_PREFIXES) and (KEEP_CREDIT in ops or STRIP_CREDIT in ops)


def web_download_spec(gallery, watermark_version: int | None, size: str, keep_credit: bool | None = None) -> str:
    """A web-size download (`size` one of WEB_SIZES): a JPEG with the gallery's watermark, if on."""
    version = gallery_watermark(gallery, watermark_version)
    keep = gallery.studio.keep_copyright_metadata if keep_credit is None else keep_credit
    return client_spec(WEB_SIZES[size], "jpeg", version, keep)


# The web download the pipeline renders ahead: the size of a web "Download all" (galleries.downloads).
WEB_ZIP_SIZE = "web"
WEB_BOX = WEB_SIZES[WEB_ZIP_SIZE]


def offers_web_zip(gallery) -> bool:
    """Its clients may download, at web size: the ZIP is made of stored web renditions, so they are rendered
    ahead (by the pipeline, and on publish for photos that lack them). A full-resolution gallery's ZIP is
    its originals; its single web downloads are rendered on request, one photo at a time."""
    return gallery.downloadable and gallery.download_resolution == gallery.Resolution.WEB


def pipeline_specs(gallery, watermark_version: int | None, keep_credit: bool | None = None) -> dict[str, str]:
    """What the pipeline renders for a photo of `gallery`: the contract set (rendition_specs) and, when the
    gallery offers a web-size ZIP, its entries (`web`)."""
    keep = gallery.studio.keep_copyright_metadata if keep_credit is None else keep_credit
    specs = rendition_specs(gallery, watermark_version, keep)
    if offers_web_zip(gallery):
        specs["web"] = web_download_spec(gallery, watermark_version, WEB_ZIP_SIZE, keep)
    return specs


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
