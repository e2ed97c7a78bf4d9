"""Ingest benchmark (README: benchmarks): N photos uploaded into a gallery and processed end to end by a real
Celery worker on Redis (PostgreSQL shared with the worker), printed as photos per minute beside the anchor
measured in the same run: the Pillow floor for the same renditions the pipeline makes (benchmarks/renditions.py:
pillow_floor_same_set: one draft decode, resize cascade, one encode per size; median CPU time of --floor-runs)
on every core, cores × 60 / floor seconds. Also the upload's own cost per photo:
queries and CPU ms of galleries.uploads.add_upload (target ≤ 8 queries, end to end ≥ 0.85 of the floor).

Run: DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python benchmarks/ingest.py [--photos 100]
     [--megapixels 24] [--concurrency 2]
"""

import argparse
import io
import os
import signal
import socket
import struct
import subprocess
import sys
import time

from _django import ROOT, make_studio, median_ms, setup_django, teardown_django
from renditions import pillow_floor, pillow_floor_same_set


def unique_copies(data: bytes, count: int):
    """The same photo with a different JPEG comment each time: distinct SHA-256, identical decode cost."""
    for i in range(count):
        comment = f"focusflow ingest benchmark {i}".encode()
        yield data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]


def camera_like_jpeg(megapixels: int) -> bytes:
    from PIL import Image

    from studios.demo_images import landscape_jpeg

    width = int((megapixels * 1e6 * 1.5) ** 0.5)
    height = int(width / 1.5)
    img = Image.open(io.BytesIO(landscape_jpeg(7, width, height, quality=95))).convert("RGB")
    img = Image.blend(img, Image.effect_noise(img.size, 48).convert("RGB"), 0.18)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92)
    return out.getvalue()


def start_worker(concurrency: int):
    from django.conf import settings
    from django.db import connection

    from config.celery_app import app

    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    queue = f"bench-{os.getpid()}"
    node = f"{queue}@{socket.gethostname()}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--concurrency={concurrency}",
            "-Q",
            queue,
            "-n",
            node,
        ]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    deadline = time.monotonic() + 60
    while not app.control.inspect(destination=[node], timeout=1).ping():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the Celery worker did not start")
    return proc


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--megapixels", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--floor-runs", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the worker shares the database.")

    connection, old_name = setup_django()
    worker = None
    try:
        worker = start_worker(args.concurrency)
        run(args)
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        connection.close()
        teardown_django(connection, old_name)


def run(args):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from galleries.models import ClientGalleryIndexPage, Gallery, GalleryPhoto
    from galleries.uploads import add_upload

    print(f"Generating a {args.megapixels} MP JPEG…", flush=True)
    data = camera_like_jpeg(args.megapixels)
    print(f"  {len(data) / 1e6:.1f} MB; {args.photos} copies with distinct SHA-256\n", flush=True)
    # The anchor is the floor for the set the pipeline makes (pillow_floor_same_set: with the 800 px tile and the
    # 2048 px web download); the older 3-size floor is printed beside it. CPU time, runs interleaved: on a
    # shared machine steadier than the wall clock.
    floor, floor_3 = [], []
    for _ in range(args.floor_runs):
        started = time.process_time()
        pillow_floor_same_set(data)
        floor.append(time.process_time() - started)
        started = time.process_time()
        pillow_floor(data)
        floor_3.append(time.process_time() - started)
    floor_s, floor_3_s = median_ms(floor) / 1000, median_ms(floor_3) / 1000
    cores = os.cpu_count() or 1

    studio = make_studio()
    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).first()
    gallery = index.add_child(instance=Gallery(title="Ingest", slug="ingest"))
    copies = [SimpleUploadedFile(f"IMG_{i:04d}.jpg", copy) for i, copy in enumerate(unique_copies(data, args.photos))]
    load_before = os.getloadavg()

    started, cpu_started = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        ids = []
        for upload in copies:
            last = len(queries.captured_queries)
            ids.append(add_upload(gallery, upload).pk)
    uploaded, upload_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    while True:
        done = GalleryPhoto.objects.filter(pk__in=ids, image__status__in=["ready", "failed"]).count()
        if done == len(ids):
            break
        time.sleep(0.2)
    total = time.perf_counter() - started
    failed = GalleryPhoto.objects.filter(pk__in=ids, image__status="failed").count()
    load_after = os.getloadavg()

    print("The last upload's queries:")
    for query in queries.captured_queries[last:]:
        print(f"  {query['sql'][:110]}")
    print()
    ours = 60 * args.photos / total
    anchor = cores * 60 / floor_s
    per_photo_queries = len(queries.captured_queries) / args.photos
    print("| what | photos/minute | ms/photo | queries/photo (upload) | upload CPU ms/photo | failed |")
    print("|---|---:|---:|---:|---:|---:|")
    cpu_ms = 1000 * upload_cpu / args.photos
    print(
        f"| ours: upload + {args.concurrency} worker processes, end to end | {ours:.0f} | "
        f"{1000 * total / args.photos:.0f} | {per_photo_queries:.1f} | {cpu_ms:.1f} | {failed} |"
    )
    print(
        f"| anchor: Pillow floor for the same 5 sizes on {cores} cores ({1000 * floor_s:.0f} ms/photo) | {anchor:.0f} "
        "| | | | |"
    )
    print(
        f"| (before issue 14's tile and web sizes: the 3-size floor, {1000 * floor_3_s:.0f} ms/photo) | "
        f"{cores * 60 / floor_3_s:.0f} | | | | |"
    )
    print(
        f"\nEnd to end {ours / anchor:.2f} of the floor (target ≥ 0.85); uploads {uploaded:.1f} s for "
        f"{args.photos} photos; {per_photo_queries:.1f} queries per upload (target ≤ 8). "
        f"Load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min); {cores} cores."
    )


if __name__ == "__main__":
    main()
