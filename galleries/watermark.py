"""The studio watermark: drawn by the pipeline and by the registered `watermark-<version>` Wagtail operation."""

from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont
from wagtail.images.image_operations import FilterOperation
from willow.plugins.pillow import PillowImage

from .models import WatermarkSettings

MARGIN = 0.03  # of the photo's width


@dataclass(frozen=True)
class WatermarkLook:
    text: str
    logo: bytes | None
    position: str
    opacity: int
    scale: int

    @classmethod
    def from_settings(cls, settings_) -> "WatermarkLook | None":
        logo = None
        if settings_.image_id:
            try:
                with settings_.image.file.open("rb") as f:
                    logo = f.read()
            except FileNotFoundError:
                logo = None
        if not logo and not settings_.text:
            return None
        return cls(settings_.text, logo, settings_.position, settings_.opacity, settings_.scale)


@lru_cache(maxsize=16)
def _stamp(look: WatermarkLook, width: int) -> Image.Image:
    """The watermark as an RGBA image `scale`% of `width` wide, with the opacity applied."""
    target_w = max(8, width * look.scale // 100)
    if look.logo:
        stamp = Image.open(BytesIO(look.logo)).convert("RGBA")
        stamp = stamp.resize((target_w, max(1, stamp.height * target_w // stamp.width)), Image.Resampling.LANCZOS)
    else:
        probe = ImageFont.load_default(size=100)
        size = max(8, int(100 * target_w / max(1, probe.getlength(look.text))))
        font = ImageFont.load_default(size=size)
        left, top, right, bottom = font.getbbox(look.text)
        stamp = Image.new("RGBA", (right - left + 4, bottom - top + 4), (0, 0, 0, 0))
        draw = ImageDraw.Draw(stamp)
        draw.text((2 - left + 1, 2 - top + 1), look.text, font=font, fill=(0, 0, 0, 160))  # shadow for light photos
        draw.text((2 - left, 2 - top), look.text, font=font, fill=(255, 255, 255, 255))
    alpha = stamp.getchannel("A").point(lambda a: a * look.opacity // 100)
    stamp.putalpha(alpha)
    return stamp


def apply_watermark(photo: Image.Image, look: WatermarkLook) -> Image.Image:
    stamp = _stamp(look, photo.width)
    margin = int(photo.width * MARGIN)
    x = {
        "left": margin,
        "right": photo.width - stamp.width - margin,
        "center": (photo.width - stamp.width) // 2,
    }
    y = {
        "top": margin,
        "bottom": photo.height - stamp.height - margin,
        "center": (photo.height - stamp.height) // 2,
    }
    vertical, _, horizontal = look.position.partition("-")
    if look.position == "center":
        vertical = horizontal = "center"
    result = photo.copy() if photo.mode == "RGB" else photo.convert("RGB")
    result.paste(stamp, (max(0, x[horizontal]), max(0, y[vertical])), stamp)
    return result


class WatermarkOperation(FilterOperation):
    """`watermark-<version>`: the studio's watermark. The version is only part of the spec (so a changed
    watermark gets new renditions); the look is always the studio's current one."""

    def construct(self, version):
        self.version = int(version)

    def run(self, willow, image, env):
        settings_ = WatermarkSettings.objects.filter(studio_id=image.studio_id).select_related("image").first()
        look = WatermarkLook.from_settings(settings_) if settings_ else None
        if look is None:
            return willow
        return PillowImage(apply_watermark(willow.image, look))
