"""What a file made for clients carries: sRGB pixels with the sRGB profile embedded (so every browser shows
the photographer's colours), and of the camera's metadata only the credit (artist, copyright), if the studio
keeps it. GPS, serial numbers, maker notes, make and model, comments and XMP never leave.

Used by the pipeline (galleries.pipeline) and by the `client-<credit>` Wagtail operation below, so a
rendition made later by Wagtail (a web-size download) is treated the same way."""

import io
import logging
from functools import lru_cache

from PIL import Image, ImageCms
from wagtail.images.image_operations import FilterOperation
from willow.plugins.pillow import PillowImage

logger = logging.getLogger(__name__)

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
SRGB_ICC = SRGB.tobytes()
ARTIST, COPYRIGHT = 0x013B, 0x8298
CREDIT_TAGS = (ARTIST, COPYRIGHT)


@lru_cache(maxsize=32)
def _transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A transform from `icc` to sRGB for images of `mode`, or None when the profile is sRGB already
    (most photos: converting them would only cost time)."""
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    if "srgb" in (ImageCms.getProfileDescription(source) or "").lower():
        return None
    return ImageCms.buildTransform(source, SRGB, mode, "RGBA" if mode == "RGBA" else "RGB")


def to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """`img`, described by the profile `icc`, converted to sRGB (RGB, or RGBA if it has transparency).
    Returned as it is when it is in sRGB already (the profile says so, or it has none)."""
    if not icc:
        return img
    if img.mode not in ("RGB", "RGBA", "CMYK", "L"):
        img = img.convert("RGBA" if img.mode in ("LA", "PA") or "transparency" in img.info else "RGB")
    try:
        transform = _transform(icc, img.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken or mismatched profile: show the pixels as they are rather than lose the photo.
        logger.warning("unusable colour profile; treating the photo as sRGB", exc_info=True)
        return img
    return img if transform is None else ImageCms.applyTransform(img, transform)


def credit_exif(exif: Image.Exif, keep_credit: bool) -> bytes:
    """EXIF with only the artist and copyright (when kept): everything else in `exif` is dropped."""
    out = Image.Exif()
    if keep_credit:
        for tag in CREDIT_TAGS:
            if value := exif.get(tag):
                out[tag] = value
    return out.tobytes() if len(out) else b""


def client_info(exif: Image.Exif, keep_credit: bool) -> dict:
    """The `info` (and save arguments) of a client file: the sRGB profile and the credit, nothing else."""
    info = {"icc_profile": SRGB_ICC}
    if data := credit_exif(exif, keep_credit):
        info["exif"] = data
    return info


def flatten(img: Image.Image) -> Image.Image:
    """RGB, transparency on white (as the pipeline's JPEG and WebP photos are)."""
    if img.mode == "RGBA":
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.getchannel("A"))
        return background
    return img if img.mode == "RGB" else img.convert("RGB")


def client_image(img: Image.Image, keep_credit: bool, opaque: bool = True) -> Image.Image:
    """`img` as a client gets it: converted from its own profile to sRGB (and flattened when `opaque`),
    its metadata replaced by client_info()."""
    exif = img.getexif()
    out = to_srgb(img, img.info.get("icc_profile"))
    if opaque:
        out = flatten(out)
    if out is img:
        out = img.copy()
    out.info = client_info(exif, keep_credit)
    return out


class ClientFileOperation(FilterOperation):
    """`client-keep` / `client-strip`: a gallery photo's client file, sRGB, opaque (Wagtail would drop the
    profile when it flattens for JPEG), no private metadata, the credit kept or not. `client-public`: a public
    site image, transparency kept, no metadata at all.

    No database here: Wagtail renders several renditions of an image in worker threads."""

    CHOICES = ("keep", "strip", "public")

    def construct(self, credit):
        if credit not in self.CHOICES:
            raise ValueError(f"client-{credit}: use one of {', '.join(self.CHOICES)}")
        self.credit = credit

    def run(self, willow, image, env):
        keep, public = self.credit == "keep", self.credit == "public"
        return PillowImage(client_image(willow.get_pillow_image(), keep, opaque=not public))
