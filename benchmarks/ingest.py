"""Ingest benchmark (README: benchmarks): N photos uploaded into a gallery and processed end to end by a real
Celery worker on Redis (PostgreSQL shared with the worker), printed as photos per minute.

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

from _django import ROOT, make_studio, setup_django, teardown_django


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

    from galleries.models import ClientGalleryIndexPage, Gallery, GalleryPhoto
    from galleries.uploads import add_upload

    print(f"Generating a {args.megapixels} MP JPEG…", flush=True)
    data = camera_like_jpeg(args.megapixels)
    print(f"  {len(data) / 1e6:.1f} MB; {args.photos} copies with distinct SHA-256\n", flush=True)
    studio = make_studio()
    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).first()
    gallery = index.add_child(instance=Gallery(title="Ingest", slug="ingest"))

    started = time.perf_counter()
    ids = [
        add_upload(gallery, SimpleUploadedFile(f"IMG_{i:04d}.jpg", copy)).pk
        for i, copy in enumerate(unique_copies(data, args.photos))
    ]
    uploaded = time.perf_counter() - started
    while True:
        done = GalleryPhoto.objects.filter(pk__in=ids, image__status__in=["ready", "failed"]).count()
        if done == len(ids):
            break
        time.sleep(0.2)
    total = time.perf_counter() - started
    failed = GalleryPhoto.objects.filter(pk__in=ids, image__status="failed").count()

    print("| photos | size  | worker processes | upload (s) | end to end (s) | photos/minute | failed |")
    print("|-------:|------:|-----------------:|-----------:|---------------:|--------------:|-------:|")
    print(
        f"| {args.photos:6d} | {args.megapixels:3d}MP | {args.concurrency:16d} | {uploaded:10.1f} | {total:14.1f} "
        f"| {60 * args.photos / total:13.0f} | {failed:6d} |"
    )


if __name__ == "__main__":
    main()
