"""The image pipeline: one decode of an uploaded photo gives the checks, EXIF, blurhash and the whole
rendition set (thumb, tile, preview, watermarked; and the web download where the gallery offers a web-size ZIP),
saved as ordinary Wagtail renditions (docs/architecture.md).
Every rendition is a client file: watermarked when the gallery's watermark is on, sRGB, no private metadata."""

import hashlib
import io
import logging
import os
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import blurhash
import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.timezone import now
from PIL import Image, ImageOps

from studios.errors import INVALID, DomainError

from .client_files import client_info, to_srgb
from .models import GalleryPhoto, StudioImage, StudioRendition, WatermarkSettings
from .photo_cache import forget_gallery_photo_pages
from .renditions import (
    PREVIEW_BOX,
    THUMB_BOX,
    TILE_BOX,
    WATERMARKED_BOX,
    WEB_BOX,
    pipeline_specs,
    rendition_specs,  # noqa: F401 - benchmarks import it from here
)
from .sweeper import gave_up_reason
from .watermark import WatermarkLook, apply_watermark

pillow_heif.register_heif_opener()
logger = logging.getLogger(__name__)

# Pillow's names for the formats photographers deliver.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC", "TIFF": "TIFF"}
ACCEPTED_HUMAN = "JPEG, PNG, WebP, HEIC or TIFF"


class PhotoRejected(DomainError):
    """The file is not a photo we can use; `reason` is shown to the photographer."""

    code = "photo_rejected"
    kind = INVALID

    def __init__(self, reason: str):
        super().__init__(message=reason)
        self.reason = reason


@dataclass
class Rendered:
    spec: str
    data: bytes
    extension: str
    width: int
    height: int


@dataclass
class Processed:
    sha256: str
    sha1: str
    width: int
    height: int
    blurhash: str
    exif: dict = field(default_factory=dict)
    renditions: list[Rendered] = field(default_factory=list)


# --- Pure image work (no database) ----------------------------------------


def fit_within(size: tuple[int, int], box: int) -> tuple[int, int]:
    """Wagtail's `max-<box>x<box>` arithmetic, so our sizes equal what get_rendition() would make."""
    width, height = size
    if width <= box and height <= box:
        return size
    horz, vert = box / width, box / height
    if horz < vert:
        return box, max(1, int(height * horz))
    return max(1, int(width * vert)), box


def _flatten(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.getchannel("A"))
        return background
    if img.mode != "RGB":
        return img.convert("RGB")
    return img


def _encode(img: Image.Image, fmt: str, info: dict) -> bytes:
    """`info`: the sRGB profile and the kept EXIF (client_files.client_info), the file's only metadata."""
    out = io.BytesIO()
    if fmt == "jpeg":
        quality = getattr(settings, "WAGTAILIMAGES_JPEG_QUALITY", 76)
        img.save(out, "JPEG", quality=quality, progressive=True, **info)
    else:
        img.save(out, "WEBP", quality=getattr(settings, "WAGTAILIMAGES_WEBP_QUALITY", 80), **info)
    return out.getvalue()


def _resize(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    if img.size == size:
        return img
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def decode(data: bytes, box: int = WATERMARKED_BOX) -> tuple[Image.Image, tuple[int, int], Image.Exif, bytes | None]:
    """Check and decode once, at the smallest JPEG draft scale that still covers `box`.

    Returns the upright RGB image (without any of the file's metadata), the upright size of the ORIGINAL,
    its EXIF, and the colour profile still to convert from (None: the image is in sRGB)."""
    if not data:
        raise PhotoRejected("The file is empty (0 bytes). Upload the photo again.")
    max_pixels = settings.MAX_IMAGE_PIXELS  # Pillow's own guard is set from it too (galleries/pixels.py)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in ACCEPTED_FORMATS:
                raise PhotoRejected(f"{img.format or 'This'} files are not supported. Upload {ACCEPTED_HUMAN}.")
            width, height = img.size
            if width * height > max_pixels:
                raise _bomb(width, height, max_pixels)
            exif = img.getexif()
            icc = img.info.get("icc_profile")
            turned = exif.get(0x0112, 1) in (5, 6, 7, 8)
            upright = (height, width) if turned else (width, height)
            if img.format == "JPEG":
                target = fit_within(upright, box)
                img.draft("RGB", (target[1], target[0]) if turned else target)
            img.load()
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(
            f"This image has more than the {max_pixels / 1e6:.0f} megapixels we accept. "
            "Export it smaller and upload it again."
        ) from None
    except Image.UnidentifiedImageError:
        raise PhotoRejected(f"This file is not an image we can read. Upload {ACCEPTED_HUMAN}.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise PhotoRejected(
            f"The file is damaged or incomplete ({exc}). Export it again from your editor and re-upload."
        ) from None
    img = ImageOps.exif_transpose(img)
    if icc and img.mode not in ("RGB", "RGBA"):
        # The profile is for these channels (CMYK, grey): convert now. RGB photos are converted once resized.
        img, icc = to_srgb(img, icc), None
    img = _flatten(img)
    img.info = {}  # what a client file carries is chosen in _encode(), nothing rides along (a JPEG comment)
    return img, upright, exif, icc


def _bomb(width: int, height: int, limit: int) -> PhotoRejected:
    return PhotoRejected(
        f"This image is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels), more than the "
        f"{limit / 1e6:.0f} megapixels we accept. Export it smaller and upload it again."
    )


def render_set(
    img: Image.Image,
    upright: tuple[int, int],
    specs: dict[str, str],
    watermark: WatermarkLook | None,
    info: dict,
    icc: bytes | None = None,
) -> tuple[list[Rendered], Image.Image]:
    """The default set as a cascade from the one decoded image: 2400 → 2048 (the web download, when the specs
    name one), 2400 → 1600 → 800 (the grid's tile, when they name one) → 400.

    The colours are converted to sRGB (from `icc`) once, on the 2400 px image: fewer pixels than the decode.
    With the watermark on (`watermark-` in the specs) it is drawn once, on that image too, and the smaller
    sizes are made from it: every size carries it, at the same relative size, for no extra work.
    Returns the renditions and the thumb image (for the blurhash)."""
    out = []
    big_size = fit_within(upright, WATERMARKED_BOX)
    big = to_srgb(_resize(img, big_size), icc)
    if watermark is not None and "|watermark-" in specs["watermarked"]:
        big = apply_watermark(big, watermark)
    out.append(Rendered(specs["watermarked"], _encode(big, "jpeg", info), "jpg", *big_size))
    if "web" in specs:  # the web download of a gallery that offers a web-size ZIP (renditions.pipeline_specs)
        web_size = fit_within(upright, WEB_BOX)
        out.append(Rendered(specs["web"], _encode(_resize(big, web_size), "jpeg", info), "jpg", *web_size))
    preview_size = fit_within(upright, PREVIEW_BOX)
    preview = _resize(big, preview_size)
    out.append(Rendered(specs["preview"], _encode(preview, "webp", info), "webp", *preview_size))
    smallest = preview  # the thumb is made from the smallest size that covers it: a quarter of the pixels
    if "tile" in specs:
        tile_size = fit_within(upright, TILE_BOX)
        smallest = _resize(preview, tile_size)
        out.append(Rendered(specs["tile"], _encode(smallest, "webp", info), "webp", *tile_size))
    thumb_size = fit_within(upright, THUMB_BOX)
    thumb = _resize(smallest, thumb_size)
    out.append(Rendered(specs["thumb"], _encode(thumb, "webp", info), "webp", *thumb_size))
    return out, thumb


def blurhash_of(thumb: Image.Image) -> str:
    small = thumb.copy()
    small.thumbnail((32, 32))
    return blurhash.encode(small, 4, 3)


def read_exif(exif: Image.Exif, tz) -> dict:
    """Camera, lens, exposure and capture time (aware, UTC) from EXIF; missing values stay empty."""
    sub = exif.get_ifd(0x8769)
    make = str(exif.get(0x010F, "") or "").strip("\x00 ")
    model = str(exif.get(0x0110, "") or "").strip("\x00 ")
    camera = model if model.lower().startswith(make.lower()) else f"{make} {model}".strip()
    result = {"camera": camera[:120], "lens": str(sub.get(0xA434, "") or "").strip("\x00 ")[:120]}
    if (fnumber := sub.get(0x829D)) is not None:
        result["aperture"] = f"f/{float(fnumber):g}"
    if (exposure := sub.get(0x829A)) is not None:
        seconds = float(exposure)
        result["shutter_speed"] = f"1/{round(1 / seconds)}s" if 0 < seconds < 1 else f"{seconds:g}s"
    if (focal := sub.get(0x920A)) is not None:
        result["focal_length"] = f"{float(focal):g}mm"
    if (iso := sub.get(0x8827)) is not None:
        result["iso"] = int(iso[0] if isinstance(iso, tuple) else iso)
    taken = sub.get(0x9003) or exif.get(0x0132)
    if taken:
        result["captured_at"] = _capture_time(str(taken), sub.get(0x9011), tz)
    return result


def _capture_time(value: str, offset, tz):
    try:
        naive = datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if offset:
        try:
            sign = -1 if str(offset).startswith("-") else 1
            hours, minutes = str(offset).strip("+-\x00 ").split(":")
            zone = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
            return naive.replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            pass
    # Cameras record local wall time; without an offset, the studio's zone is the best guess.
    return naive.replace(tzinfo=tz).astimezone(UTC)


def process_bytes(
    data: bytes, specs: dict[str, str], watermark: WatermarkLook | None, keep_credit: bool = True, tz=UTC
) -> Processed:
    img, upright, exif, icc = decode(data)
    renditions, thumb = render_set(img, upright, specs, watermark, client_info(exif, keep_credit), icc)
    try:
        details = read_exif(exif, tz)
    except Exception:  # noqa: BLE001 - odd maker notes must not cost the photographer the photo
        logger.warning("unreadable EXIF", exc_info=True)
        details = {}
    return Processed(
        sha256=hashlib.sha256(data).hexdigest(),
        sha1=hashlib.sha1(data).hexdigest(),  # noqa: S324 - Wagtail's own duplicate check uses SHA-1
        width=upright[0],
        height=upright[1],
        blurhash=blurhash_of(thumb),
        exif=details,
        renditions=renditions,
    )


# --- The task's work: database and storage ---------------------------------


def watermark_for(studio) -> tuple[int, WatermarkLook]:
    settings_ = WatermarkSettings.for_studio(studio)
    return settings_.version, WatermarkLook.from_settings(settings_)


def process_gallery_photo(photo_id: int) -> str:
    """Process one gallery photo. Idempotent: a ready photo with its renditions is left alone.

    Returns the image's final status. Bad files end `failed` with a reason; transient errors
    (database, storage) propagate so the task retries."""
    photo = GalleryPhoto.objects.select_related("image", "gallery", "studio").filter(pk=photo_id).first()
    if photo is None:
        return "gone"  # deleted while queued: nothing to do
    try:
        return _process(photo)
    finally:
        # Its status, size or renditions may have changed (by QuerySet.update(), which sends no signal).
        forget_gallery_photo_pages(photo.gallery_id)


def _complete(image: StudioImage, specs: list[str]) -> bool:
    if image.status != StudioImage.Status.READY:
        return False
    have = set(image.renditions.filter(filter_spec__in=specs).values_list("filter_spec", flat=True))
    return have == set(specs)


def _process(photo: GalleryPhoto) -> str:
    image = photo.image
    version, look = watermark_for(photo.studio)
    keep_credit = photo.studio.keep_copyright_metadata
    specs = pipeline_specs(photo.gallery, version, keep_credit)
    if photo.sha256 and _complete(image, list(specs.values())):
        return image.status

    if image.status == StudioImage.Status.FAILED:
        return image.status  # its file was discarded (_fail): a repeated task keeps the first reason
    if image.status != StudioImage.Status.READY:
        # A ready photo being re-watermarked stays visible to clients meanwhile. Conditional: a run that
        # finished since we read the row (a re-queued duplicate) is never set back to processing.
        ready = StudioImage.Status.READY
        started = (
            StudioImage.objects.filter(pk=image.pk)
            .exclude(status=ready)
            .update(status=StudioImage.Status.PROCESSING, queued_at=now(), pipeline_attempts=F("pipeline_attempts") + 1)
        )
        attempts = StudioImage.objects.filter(pk=image.pk).values_list("pipeline_attempts", flat=True).first()
        if not started:
            return ready
        # A photo that kills its worker every time is redelivered at once (reject_on_worker_lost), not swept:
        # bounded here. (+1: the sweeper's last re-queue, which counts as an attempt, still gets its run.)
        if attempts > settings.PHOTO_MAX_ATTEMPTS + 1:
            return _fail(image, gave_up_reason(attempts - 1))
    try:
        with image.file.open("rb") as f:
            data = f.read()
    except FileNotFoundError:
        return _fail(image, "The uploaded file is missing from storage. Upload the photo again.")

    try:
        result = process_bytes(data, specs, look, keep_credit, photo.studio.tz)
    except PhotoRejected as exc:
        return _fail(image, exc.reason)

    twin = (
        # By the unique key (studio, gallery, sha256): tenant first, as every look-up.
        GalleryPhoto.objects.filter(studio_id=photo.studio_id, gallery_id=photo.gallery_id, sha256=result.sha256)
        .exclude(pk=photo.pk)
        .select_related("image")
        .first()
    )
    if twin is not None:
        return _fail(image, f"This photo is already in the gallery as “{twin.filename}”.")
    try:
        with transaction.atomic():
            # One run at a time writes the result: a duplicate (re-queued, redelivered) waits here, then
            # finds the photo complete and leaves it, so it is marked ready and rendered exactly once.
            if _complete(StudioImage.objects.select_for_update().get(pk=image.pk), list(specs.values())):
                return StudioImage.Status.READY
            GalleryPhoto.objects.filter(pk=photo.pk).update(sha256=result.sha256)
            _save_image(image, result, data)
    except IntegrityError:
        # Another worker stored the same photo between our check and now.
        return _fail(image, "This photo is already in the gallery (uploaded twice at once).")
    return StudioImage.Status.READY


def _fail(image: StudioImage, reason: str) -> str:
    # A rejected upload keeps its row and reason for the photographer; its bytes go (and leave the quota).
    discard_upload(image)
    StudioImage.objects.filter(pk=image.pk).update(status=StudioImage.Status.FAILED, failure_reason=reason, file_size=0)
    return StudioImage.Status.FAILED


def discard_upload(image: StudioImage) -> None:
    if image.file.name:
        image.file.storage.delete(image.file.name)


def _save_image(image: StudioImage, result: Processed, data: bytes) -> None:
    fields = {
        "width": result.width,
        "height": result.height,
        "file_size": len(data),
        "file_hash": result.sha1,
        "sha256": result.sha256,
        "blurhash": result.blurhash,
        "status": StudioImage.Status.READY,
        "failure_reason": "",
        **{k: v for k, v in result.exif.items() if v not in (None, "")},
    }
    StudioImage.objects.filter(pk=image.pk).update(**fields)
    for key, value in fields.items():
        setattr(image, key, value)
    save_renditions(image, result.renditions)


def save_renditions(image: StudioImage, renditions: list[Rendered]) -> None:
    """Store as ordinary Wagtail renditions, so get_rendition(spec) finds them and never re-renders."""
    existing = set(image.renditions.values_list("filter_spec", flat=True))
    stem = os.path.splitext(os.path.basename(image.file.name))[0]
    for r in renditions:
        if r.spec in existing:
            continue
        suffix = r.spec.replace("|", ".") + "." + r.extension
        rendition = StudioRendition(image=image, filter_spec=r.spec, focal_point_key="")
        rendition.file.save(f"{stem[: 59 - len(suffix)]}.{suffix}", ContentFile(r.data), save=False)
        rendition.width, rendition.height, rendition.file_size = r.width, r.height, len(r.data)
        rendition.save()
