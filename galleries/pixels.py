"""One pixel limit (settings.MAX_IMAGE_PIXELS) wherever a photo is opened: the upload check, the pipeline,
web downloads and ZIPs, Wagtail's own upload form (WAGTAILIMAGES_MAX_IMAGE_PIXELS) and Pillow's
decompression-bomb guard in every process (set when the app is ready, and again when a test overrides it).

Before, the pipeline raised Pillow's limit only in the process that ran it: a 196 MP photo was accepted
and marked ready by the worker, then the web process (still on Pillow's default, 179 MP) could not
render its download."""

import warnings

from django.conf import settings
from django.core.signals import setting_changed
from PIL import Image

from studios.errors import CONFLICT, DomainError


def limit() -> int:
    return settings.MAX_IMAGE_PIXELS


def apply_to_pillow(**kwargs) -> None:
    """Pillow warns above the limit and refuses twice it; our own checks refuse anything above it."""
    if kwargs.get("setting") in (None, "MAX_IMAGE_PIXELS"):
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS


def connect() -> None:
    apply_to_pillow()
    setting_changed.connect(apply_to_pillow, dispatch_uid="galleries.pixels")


def too_many(width: int | None, height: int | None) -> bool:
    return (width or 0) * (height or 0) > limit()


def describe(width: int, height: int) -> str:
    return (
        f"{width}×{height} pixels ({width * height / 1e6:.0f} megapixels), more than the "
        f"{limit() / 1e6:.0f} megapixels we accept"
    )


def header_size(fileobj) -> tuple[int, int] | None:
    """The size an image file declares, from its header alone (nothing is decoded); None if unreadable
    (the pipeline then says what is wrong with the file)."""
    position = fileobj.tell()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we are checking exactly that
            with Image.open(fileobj) as img:
                return img.size
    except Image.DecompressionBombError as exc:
        return _size_from(exc)
    except Exception:  # noqa: BLE001 - any unreadable header: the pipeline explains it to the photographer
        return None
    finally:
        fileobj.seek(position)


def _size_from(exc: Exception) -> tuple[int, int]:
    # Pillow refuses > 2× the limit at open; its message has the pixel count, not the sides.
    digits = [int(word) for word in str(exc).replace("(", " ").split() if word.isdigit()]
    return (digits[0], 1) if digits else (limit() + 1, 1)


class PhotoTooLarge(DomainError):
    """A photo above the limit (uploaded before it was lowered): it cannot be rendered for download."""

    code = "photo_too_large"
    kind = CONFLICT

    def __init__(self, name: str, width: int, height: int):
        super().__init__(
            message=f"“{name}” is {describe(width, height)}, so it cannot be prepared for download. "
            "Ask your photographer for a smaller export."
        )


def check_renderable(photo) -> None:
    image = photo.image
    if too_many(image.width, image.height):
        raise PhotoTooLarge(photo.filename, image.width, image.height)
