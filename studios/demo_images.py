"""Generated photos for the demo and the tests: no files shipped, no network."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

PALETTES = [
    ((242, 204, 143), (129, 178, 154)),
    ((61, 64, 91), (224, 122, 95)),
    ((38, 70, 83), (233, 196, 106)),
    ((231, 111, 81), (42, 157, 143)),
    ((168, 218, 220), (29, 53, 87)),
    ((255, 183, 3), (2, 48, 71)),
]


def landscape_jpeg(seed: int, width: int = 1600, height: int = 1067, quality: int = 85) -> bytes:
    """A soft 'landscape' (sky gradient, hills, sun) that is different for every seed."""
    rng = random.Random(seed)  # noqa: S311 - pictures, not secrets
    top, bottom = PALETTES[seed % len(PALETTES)]
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    sun_x, sun_y, r = rng.randint(width // 5, 4 * width // 5), rng.randint(height // 8, height // 3), height // 10
    draw.ellipse([sun_x - r, sun_y - r, sun_x + r, sun_y + r], fill=(255, 244, 214))
    for layer in range(3):
        shade = tuple(max(0, c - 40 * (layer + 1)) for c in bottom)
        base = height * (0.55 + 0.12 * layer)
        points = [(0, height)]
        for x in range(0, width + 80, 80):
            points.append((x, base + rng.randint(-height // 12, height // 12)))
        points.append((width, height))
        draw.polygon(points, fill=shade)
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()
