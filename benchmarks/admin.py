"""Admin benchmark (README: benchmarks): a studio with a 2,000-photo gallery (and --galleries more of 20
photos each); the galleries list, the gallery's manager (its photo grid), edit page, upload and activity
pages, and our Images library beside Wagtail's stock `/admin/images/` listing of the same images (the
anchor: mounted here unfiltered, so it lists the gallery photos as Wagtail would). Each page: queries per
request, then p50 and p95 of --requests requests through Django's test client (in-process: the middleware,
views and templates, no HTTP server), after two warm-up requests, and the median CPU time of this process per
request (steadier than wall time on a shared machine; PostgreSQL's own time is not in it).

Once its data is made, the process does what a gunicorn worker does once the app is loaded, before its first
request (config/gunicorn.py, post_worker_init: compile the templates, collect, freeze). Without it every full
garbage collection walked the ~300,000 objects of the loaded app inside whichever request triggered it (~0.2 s,
about one request in ten: the p95 this script printed), which a served worker, frozen at its start, does not.

Run: [DATABASE_URL=postgres://…] .venv/bin/python benchmarks/admin.py [--photos 2000] [--requests 20]
     [--galleries 30]
"""

import argparse
import os
import statistics
import time

from _django import make_studio, setup_django, teardown_django

STOCK_URL = "/admin/bench-stock-images/"  # under /admin/: the admin's host and tenant scoping apply


def bench_urlconf():
    """config.urls plus Wagtail's own images IndexView, before galleries/library.py narrowed it."""
    import types

    from django.urls import path
    from wagtail.admin.auth import require_admin_access
    from wagtail.images.views.images import IndexView

    from config import urls

    module = types.ModuleType("bench_admin_urls")
    module.urlpatterns = [
        path(STOCK_URL.strip("/") + "/", require_admin_access(IndexView.as_view())),
        *urls.urlpatterns,
    ]
    return module


def bulk_gallery(gallery, count: int, start: int = 0) -> None:
    """Rows as the pipeline leaves them (thumb, preview, watermarked, and the admin's 165 px thumbnail)."""
    from galleries.models import GalleryPhoto, StudioImage, StudioRendition, WatermarkSettings
    from galleries.renditions import rendition_specs

    specs = list(rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version).values())
    images = StudioImage.objects.bulk_create(
        StudioImage(
            title=f"IMG_{start + i:05d}.jpg",
            original_filename=f"IMG_{start + i:05d}.jpg",
            studio=gallery.studio,
            collection_id=gallery.studio.collection_id,
            file=f"original_images/bench_{gallery.pk}_{i}.jpg",
            width=6000,
            height=4000,
            file_size=9_000_000,
            status=StudioImage.Status.READY,
            is_gallery_photo=True,
        )
        for i in range(count)
    )
    StudioRendition.objects.bulk_create(
        StudioRendition(
            studio_id=image.studio_id,
            image=image,
            filter_spec=spec,
            file=f"images/bench_{image.pk}_{n}.jpg",
            width=4,
            height=3,
        )
        for image in images
        for n, spec in enumerate([*specs, "max-165x165"])
    )
    GalleryPhoto.objects.bulk_create(
        GalleryPhoto(studio=gallery.studio, gallery=gallery, image=image, order=i, sha256=f"{image.pk:064d}")
        for i, image in enumerate(images)
    )


def make_data(args):
    from accounts.models import User
    from galleries.models import ClientGalleryIndexPage, Gallery
    from studios.provisioning import add_member

    studio = make_studio()
    user = User.objects.create_user(email="bench@bench.test", password="x", username="bench@bench.test")
    add_member(studio, user, "owner")
    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).first()
    big = None
    for i in range(args.galleries + 1):
        gallery = index.add_child(instance=Gallery(title=f"Gallery {i}", slug=f"g{i}"))
        gallery.save_revision().publish()
        bulk_gallery(gallery, args.photos if i == 0 else 20, start=i * 100_000)
        big = big or gallery
    return user, big


def measure(client, url: str, requests: int) -> tuple[int, float, float]:
    from django.db import connection

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    executed = []
    # Counted as they run (connection.queries_log is a bounded deque, full after the set-up's bulk inserts).
    with connection.execute_wrapper(lambda execute, sql, *args: executed.append(sql) or execute(sql, *args)):
        assert client.get(url).status_code == 200
    samples, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, url
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[18]
    return len(executed), 1000 * statistics.median(samples), 1000 * p95, 1000 * statistics.median(cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--galleries", type=int, default=30)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    connection, old_name = setup_django()
    try:
        run(args)
    finally:
        connection.close()
        teardown_django(connection, old_name)


def run(args):
    from django.conf import settings
    from django.test import Client, override_settings

    from config.gunicorn import post_worker_init
    from galleries.admin_photos import PER_PAGE

    settings.ALLOWED_HOSTS = ["*"]
    print(f"Making a studio with a {args.photos}-photo gallery and {args.galleries} more of 20…", flush=True)
    user, gallery = make_data(args)
    post_worker_init(None)  # as a web worker starts (the module docstring)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    pages = [
        ("Galleries list", "/admin/galleries/"),
        (f"Gallery manager ({args.photos} photos, {PER_PAGE} a page)", f"/admin/galleries/{gallery.pk}/photos/"),
        (f"Gallery edit page ({args.photos} photos)", f"/admin/pages/{gallery.pk}/edit/"),
        ("Gallery upload page", f"/admin/galleries/{gallery.pk}/upload/"),
        ("Gallery activity page", f"/admin/galleries/{gallery.pk}/activity/"),
        ("Images library (ours: library images only)", "/admin/images/"),
        ("anchor: Wagtail's stock /admin/images/ (all images)", STOCK_URL),
    ]
    load_before = os.getloadavg()
    rows = []
    print(f"\n| page | queries | p50 ms | p95 ms ({args.requests} requests) | CPU ms p50 (this process) |")
    print("|---|---:|---:|---:|---:|")
    with override_settings(ROOT_URLCONF=bench_urlconf()):
        for label, url in pages:
            rows.append((label, *measure(client, url, args.requests)))
            _, queries, p50, p95, cpu = rows[-1]
            print(f"| {label} | {queries} | {p50:.0f} | {p95:.0f} | {cpu:.0f} |", flush=True)
    stock = rows[-1][3]
    print("\np95 against the stock listing's: " + ", ".join(f"{r[0]} {r[3] / stock:.2f}×" for r in rows[:-1]))
    print("CPU against the stock listing's: " + ", ".join(f"{r[0]} {r[4] / rows[-1][4]:.2f}×" for r in rows[:-1]))
    print(f"Load average (1 min) before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
