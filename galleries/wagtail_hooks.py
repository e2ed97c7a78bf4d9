"""Admin for galleries: the `watermark` image operation, and the gallery tools (upload, activity, watermark)."""

from wagtail import hooks

from .watermark import WatermarkOperation


@hooks.register("register_image_operations")
def register_watermark_operation():
    return [("watermark", WatermarkOperation)]
