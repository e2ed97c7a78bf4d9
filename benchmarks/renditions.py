"""Rendition benchmark (README: benchmarks): the full default set (thumb, tile, preview, watermarked and the
web download of a gallery offering a web-size ZIP) for a 24-megapixel JPEG, median ms per photo, in one run:

  (a) our pipeline (galleries.pipeline: checks, one draft decode, EXIF, blurhash, 3 renditions saved),
  (b) plain Wagtail get_rendition() once per spec (same specs, same watermark operation),
  (c) the Pillow floor for the same sizes (pillow_floor_same_set): one draft decode, resize cascade, encode;
      no Wagtail, no database, no storage. (pillow_floor is the older 3-size floor, before issue 14.)

Run: .venv/bin/python benchmarks/renditions.py [--runs 5]
"""

import argparse
import io
import time

from _django import make_studio, median_ms, setup_django, teardown_django


def pillow_floor(data: bytes) -> None:
    from PIL import Image

    img = Image.open(io.BytesIO(data))
    img.draft("RGB", (2400, 1600))
    img = img.convert("RGB")
    big = img.resize((2400, 1600), Image.Resampling.LANCZOS, reducing_gap=3.0)
    big.save(io.BytesIO(), "JPEG", quality=76, progressive=True)
    preview = big.resize((1600, 1066), Image.Resampling.LANCZOS, reducing_gap=3.0)
    preview.save(io.BytesIO(), "WEBP", quality=80)
    thumb = preview.resize((400, 266), Image.Resampling.LANCZOS, reducing_gap=3.0)
    thumb.save(io.BytesIO(), "WEBP", quality=80)


def pillow_floor_same_set(data: bytes) -> None:
    """The floor for the set the pipeline makes today for a gallery offering a web-size ZIP (issue 14 added the
    800 px tile and the 2048 px web download to the 2400/1600/400 of pillow_floor): the same sizes, formats and
    encoder settings, done the cheapest way with Pillow: one draft decode (libjpeg scales by 1/2…1/8 while
    decoding), each size resized from the smallest one already made that covers it, each encoded once.
    No colour conversion, watermark, EXIF, hashes, blurhash, database or storage."""
    from PIL import Image

    img = Image.open(io.BytesIO(data))
    img.draft("RGB", (2400, 1600))
    img = img.convert("RGB")
    lanczos = Image.Resampling.LANCZOS
    big = img.resize((2400, 1600), lanczos, reducing_gap=3.0)
    big.save(io.BytesIO(), "JPEG", quality=76, progressive=True)
    web = big.resize((2048, 1365), lanczos, reducing_gap=3.0)
    web.save(io.BytesIO(), "JPEG", quality=76, progressive=True)
    preview = big.resize((1600, 1066), lanczos, reducing_gap=3.0)
    preview.save(io.BytesIO(), "WEBP", quality=80)
    tile = preview.resize((800, 533), lanczos, reducing_gap=3.0)
    tile.save(io.BytesIO(), "WEBP", quality=80)
    thumb = tile.resize((400, 266), lanczos, reducing_gap=3.0)
    thumb.save(io.BytesIO(), "WEBP", quality=80)


def camera_like_jpeg(smooth: bytes) -> bytes:
    """Add sensor-like grain: a smooth gradient compresses to 0.5 MB, a real 24 MP photo is ~8-12 MB,
    and decode time grows with the data."""
    from PIL import Image

    img = Image.open(io.BytesIO(smooth)).convert("RGB")
    noise = Image.effect_noise(img.size, 48).convert("RGB")
    img = Image.blend(img, noise, 0.18)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    connection, old_name = setup_django()
    try:
        run(args.runs)
    finally:
        teardown_django(connection, old_name)


def run(runs: int):
    from django.core.cache import cache
    from django.core.files.uploadedfile import SimpleUploadedFile

    from galleries.models import ClientGalleryIndexPage, Gallery, GalleryPhoto, StudioImage, WatermarkSettings
    from galleries.pipeline import pipeline_specs, process_gallery_photo
    from galleries.tasks import process_photo
    from galleries.uploads import add_upload
    from studios.demo_images import landscape_jpeg

    print("Generating a 6000×4000 (24 MP) JPEG…", flush=True)
    data = camera_like_jpeg(landscape_jpeg(24, 6000, 4000, quality=95))
    print(f"  {len(data) / 1e6:.1f} MB\n", flush=True)

    studio = make_studio()
    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).first()
    specs = None
    ours, wagtail, floor = [], [], []

    # Upload without processing: we time the processing alone.
    process_photo.delay = lambda *a, **k: None  # noqa: E731 - the benchmark calls the pipeline itself

    for i in range(runs):
        gallery = index.add_child(instance=Gallery(title=f"Bench {i}", slug=f"bench-{i}"))
        photo = add_upload(gallery, SimpleUploadedFile(f"IMG_{i}.jpg", data))
        # What the pipeline makes for a default gallery: thumb, tile, preview, watermarked and the web download.
        specs = specs or list(pipeline_specs(gallery, WatermarkSettings.for_studio(studio).version).values())

        started = time.perf_counter()
        status = process_gallery_photo(photo.pk)
        ours.append(time.perf_counter() - started)
        assert status == "ready", StudioImage.objects.get(pk=photo.image_id).failure_reason

        # (b) the same image, its renditions removed: Wagtail renders each spec from the original.
        image = StudioImage.objects.get(pk=photo.image_id)
        image.renditions.all().delete()
        cache.clear()
        image = StudioImage.objects.get(pk=photo.image_id)
        started = time.perf_counter()
        for spec in specs:
            image.get_rendition(spec)
        wagtail.append(time.perf_counter() - started)

        started = time.perf_counter()
        pillow_floor_same_set(data)
        floor.append(time.perf_counter() - started)
        GalleryPhoto.objects.filter(pk=photo.pk).delete()

    a, b, c = median_ms(ours), median_ms(wagtail), median_ms(floor)
    print(f"Full default set ({', '.join(specs)}), median of {runs} runs, ms per photo:\n")
    print("| method                                   | median ms | vs (a) |")
    print("|------------------------------------------|----------:|-------:|")
    print(f"| (a) FocusFlow pipeline (single decode)   | {a:9.0f} |  1.00× |")
    print(f"| (b) Wagtail get_rendition() per spec     | {b:9.0f} | {b / a:5.2f}× |")
    print(f"| (c) Pillow floor (draft, resize, encode) | {c:9.0f} | {c / a:5.2f}× |")
    print(f"\n(a) is {b / a:.1f}× faster than (b) (target ≥ 3×) and {a / c:.2f}× the floor (target ≤ 1.5×).")
    print(
        f"(a) also includes SHA-256, EXIF, blurhash, the watermark and saving {len(specs)} files + rows; (c) does none "
        "of it."
    )


if __name__ == "__main__":
    main()
