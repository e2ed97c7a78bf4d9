"""First-click "Download all" at web size (issue 14): `GET /api/client/galleries/{id}/download/` of a 200-photo
and a 2,000-photo gallery, served by gunicorn with config/gunicorn.py (gthread) and the production settings
on PostgreSQL + Redis, beside the anchor: `cat` of the same files (the stored web renditions) into a pipe,
in one run.

It builds its data in a throw-away PostgreSQL database next to DATABASE_URL's (`test_<name>`, made by
benchmarks/_django.py, dropped at the end) and a temporary MEDIA_ROOT:
- galleries of up to 200 photos get a 2048×1365 camera-like JPEG (grain, so it weighs what a real web file
  does) as each photo's stored web rendition; with `--pipeline` they are instead uploaded as 6 MP JPEGs with
  galleries.uploads.add_upload and processed by galleries.pipeline.process_gallery_photo, which renders the
  web download ahead (renditions.pipeline_specs) — slow on a shared machine, the same files in the end;
- bigger galleries (2,000 photos) get a small real JPEG (640×427) each.
Photos are rows as the pipeline leaves them (benchmarks/api.py: add_ready_photos) plus their web rendition, with
its size on its row as the pipeline stores it.

Each gallery is downloaded twice over: first as the ZIP streamed while it is built (what a click gets before
the gallery's archive is prepared), then, once galleries.archives.prepare_archive has stored it (what the
worker does GALLERY_ARCHIVE_DELAY_SECONDS after the pipeline's last rendition, so what a client's first click
gets), as the prepared file. Per gallery and way it reports the first click (the first request: nothing was
warmed) and the median of the following ones: time to the first byte, total time, MB/s, `cat`'s MB/s for the
same files and the ratio (target ≥ 0.5× for the prepared archive), the serving worker's peak RSS over its RSS
before the download, the queries and cache calls per ZIP (in-process, Django's test client on the same
database and Redis), and whether every download was logged (DownloadEvent rows, written when the server
closes the response).

Run: DATABASE_URL=postgres://… [REDIS_URL=redis://127.0.0.1:6379/5] .venv/bin/python benchmarks/zip.py
     [--photos 200,2000] [--runs 3] [--workers 3] [--threads 4] [--pipeline]
"""

import argparse
import http.client
import json
import os
import secrets
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PIPELINE_PHOTOS = 200  # galleries up to this size go through the real pipeline; bigger ones are rows
READ = 1024 * 1024
TARGET = 0.5

sys.path.insert(0, str(HERE))
from api import START_SECONDS, cpu_seconds, free_port, require_postgres, stop_gunicorn, with_db_name, worker_pids  # noqa: E402

# --- data ---------------------------------------------------------------------------


def camera_like_jpeg(seed: int, width: int, height: int, quality: int = 92) -> bytes:
    """A landscape with sensor-like grain: compresses like a photo, not like a gradient."""
    import io

    from PIL import Image

    from studios.demo_images import landscape_jpeg

    img = Image.open(io.BytesIO(landscape_jpeg(seed, width, height, quality=95))).convert("RGB")
    img = Image.blend(img, Image.effect_noise(img.size, 48).convert("RGB"), 0.18)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def with_comment(data: bytes, text: str) -> bytes:
    """The same JPEG with a comment: a distinct file (and SHA-256), the same pixels."""
    comment = text.encode()
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]


def make_gallery(studio, title: str, code: str):
    from galleries.models import ClientGalleryIndexPage, Gallery

    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).first()
    gallery = Gallery(title=title, slug=code.lower(), access_code=code)  # downloads on, web size: the defaults
    index.add_child(instance=gallery)
    gallery.save_revision().publish()
    gallery.refresh_from_db()
    return gallery


def pipeline_gallery(studio, count: int, code: str):
    """`count` photos uploaded and processed by the real pipeline, in this process."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from galleries import tasks
    from galleries.pipeline import process_gallery_photo
    from galleries.uploads import add_upload

    gallery = make_gallery(studio, f"Wedding, {count} photos", code)
    tasks.process_photo.delay = lambda *a, **k: None  # we run the pipeline ourselves, below
    sources = [camera_like_jpeg(seed, 3000, 2000) for seed in range(4)]
    started = time.perf_counter()
    for i in range(count):
        photo = add_upload(gallery, SimpleUploadedFile(f"IMG_{i:04d}.jpg", with_comment(sources[i % 4], f"zip {i}")))
        assert process_gallery_photo(photo.pk) == "ready"
        if (i + 1) % 50 == 0:
            print(f"    {i + 1}/{count} processed ({(time.perf_counter() - started) / (i + 1):.2f} s each)", flush=True)
    return gallery


def row_gallery(studio, count: int, code: str):
    """`count` ready photos as rows, each with a real JPEG stored as its web rendition: 2048 px up to
    PIPELINE_PHOTOS photos, 640 px beyond."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from galleries.downloads import web_spec
    from galleries.models import StudioRendition
    from galleries.photo_cache import forget_gallery_photo_pages

    sys.path.insert(0, str(HERE))
    from api import add_ready_photos

    gallery = make_gallery(studio, f"Season, {count} photos", code)
    add_ready_photos(gallery, 0, count)
    spec = web_spec(gallery, "web")
    size = (2048, 1365) if count <= PIPELINE_PHOTOS else (640, 427)
    sources = [camera_like_jpeg(seed, *size, quality=76) for seed in range(8)]
    image_ids = list(gallery.photos.order_by("pk").values_list("image_id", flat=True))
    renditions = []
    for i, image_id in enumerate(image_ids):
        name = default_storage.save(f"images/bench_web_{image_id}.jpg", ContentFile(sources[i % 8]))
        renditions.append(
            StudioRendition(
                studio_id=gallery.studio_id,
                image_id=image_id,
                filter_spec=spec,
                file=name,
                width=size[0],
                height=size[1],
                file_size=len(sources[i % 8]),  # as the pipeline stores it (galleries.pipeline.save_renditions)
            )
        )
    StudioRendition.objects.bulk_create(renditions)
    forget_gallery_photo_pages(gallery.pk)
    return gallery


def stored_files(gallery) -> list[str]:
    """The paths `cat` reads: the gallery's web renditions, in the ZIP's order."""
    from django.conf import settings

    from galleries.downloads import stored_renditions, web_spec

    photos = list(gallery.ordered_photos().select_related("image"))
    stored = stored_renditions([p.image_id for p in photos], web_spec(gallery, "web"))
    return [os.path.join(settings.MEDIA_ROOT, stored[p.image_id].name) for p in photos]


# --- gunicorn (config/gunicorn.py) ----------------------------------------------------------


def start_gunicorn(database_url: str, workers: int, threads: int, log_path: Path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "WEB_CONCURRENCY": str(workers),
        "WEB_THREADS": str(threads),
        "PYTHONPATH": str(ROOT),
    }
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--config",
        "config/gunicorn.py",
        f"--bind=127.0.0.1:{port}",
        "--access-logfile=/dev/null",
    ]
    log = log_path.open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": "localhost"})
            conn.getresponse().read()
            conn.close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        stop_gunicorn(proc)
        raise SystemExit(f"gunicorn did not answer within {START_SECONDS} s:\n{log_path.read_text()[-3000:]}")
    config = (
        f"gunicorn --config config/gunicorn.py: gthread, WEB_CONCURRENCY={workers} × WEB_THREADS={threads}, "
        f"127.0.0.1:{port}, config.settings.production (DEBUG off, local media), REDIS_URL={os.environ['REDIS_URL']}"
    )
    return proc, port, config


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler:
    """The gunicorn workers' resident memory every 10 ms while a download runs: each worker's peak over
    its value before the download; the largest increase is the serving worker's."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.before = {pid: rss_kb(pid) for pid in pids}
        self.peak = dict(self.before)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_kb(pid))
            time.sleep(0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def result(self) -> tuple[float, float]:
        """(peak RSS MB of the serving worker, its increase MB)."""
        pid = max(self.pids, key=lambda p: self.peak[p] - self.before[p])
        return self.peak[pid] / 1024, (self.peak[pid] - self.before[pid]) / 1024


# --- the measurements ---------------------------------------------------------------------------


def unlock(port: int, host: str, code: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"code": code})
    conn.request(
        "POST", "/api/client/galleries/unlock/", body=body, headers={"Host": host, "Content-Type": "application/json"}
    )
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    if response.status != 201:
        raise SystemExit(f"unlock answered {response.status}: {raw[:500]!r}")
    return json.loads(raw)["token"]


def entries_in(tail: bytes) -> int:
    """The entry count from the ZIP's end-of-central-directory record (zipstream-ng writes ZIP64 past 65,535)."""
    at = tail.rfind(b"PK\x05\x06")
    if at < 0:
        raise SystemExit("the download is not a complete ZIP (no end-of-central-directory record)")
    return struct.unpack("<H", tail[at + 10 : at + 12])[0]


def download(port: int, host: str, gallery_id: int, token: str, pids: list[int]) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    server_cpu, client_cpu = cpu_seconds(pids), time.process_time()
    started = time.perf_counter()
    with RssSampler(pids) as rss:
        conn.request(
            "GET",
            f"/api/client/galleries/{gallery_id}/download/",
            headers={"Host": host, "Authorization": f"Bearer {token}"},
        )
        response = conn.getresponse()
        if response.status != 200:
            raise SystemExit(f"the ZIP answered {response.status}: {response.read()[:500]!r}")
        first = response.read(1)
        ttfb = time.perf_counter() - started
        total, tail = len(first), first
        while chunk := response.read(READ):
            total += len(chunk)
            tail = (tail + chunk)[-65536:]
        elapsed = time.perf_counter() - started
    conn.close()
    server_cpu, client_cpu = cpu_seconds(pids) - server_cpu, time.process_time() - client_cpu
    peak_mb, grew_mb = rss.result()
    return {
        "ttfb": ttfb,
        "seconds": elapsed,
        "bytes": total,
        "entries": entries_in(tail),
        "rss": peak_mb,
        "rss_up": grew_mb,
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
    }


def cat(paths: list[str]) -> dict:
    """The anchor: `cat` of the same files into a pipe that this process reads, as the ZIP's bytes are read."""
    started, client_cpu = time.perf_counter(), time.process_time()
    proc = subprocess.Popen(["cat", *paths], stdout=subprocess.PIPE, bufsize=0)
    total = 0
    while chunk := proc.stdout.read(READ):
        total += len(chunk)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return {
        "seconds": time.perf_counter() - started,
        "bytes": total,
        "server_cpu": usage.ru_utime + usage.ru_stime,
        "client_cpu": time.process_time() - client_cpu,
    }


def per_zip_counts(host: str, gallery_id: int, token: str) -> tuple[int, int]:
    """Queries and cache calls of one ZIP request, read to its end (in-process, Django's test client)."""
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    backend = caches["default"]
    calls = []
    names = ("get", "set", "add", "get_many", "set_many", "delete", "delete_many", "incr", "touch", "has_key")
    real = {name: getattr(backend, name) for name in names}
    for name in names:
        setattr(backend, name, lambda *a, _n=name, **k: (calls.append(_n), real[_n](*a, **k))[1])
    try:
        client = Client()
        headers = {"HTTP_HOST": host, "HTTP_AUTHORIZATION": f"Bearer {token}"}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/client/galleries/{gallery_id}/download/", **headers)
            assert response.status_code == 200, response.content[:500]
            for _ in response.streaming_content:
                pass
    finally:
        for name in names:
            delattr(backend, name)
    return len(queries.captured_queries), len(calls)


# --- the run -------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", default="200,2000", help="gallery sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="downloads per gallery (the first is the first click)")
    parser.add_argument("--workers", type=int, default=3, help="WEB_CONCURRENCY")
    parser.add_argument("--threads", type=int, default=4, help="WEB_THREADS")
    parser.add_argument("--pipeline", action="store_true", help="make the ≤200-photo galleries with the pipeline")
    args = parser.parse_args()
    sizes = [int(n) for n in args.photos.split(",")]

    database_url = require_postgres()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["MEDIA_ROOT"] = media = tempfile.mkdtemp(prefix="focusflow-bench-media-")
    from _django import make_studio, setup_django, teardown_django

    print("Migrating a throw-away database…", flush=True)
    connection, old_name = setup_django()
    server = None
    log_path = Path(tempfile.mkstemp(prefix="focusflow-bench-gunicorn-", suffix=".log")[1])
    try:
        studio = make_studio()
        galleries = []
        for count in sizes:
            code = f"ZIPBENCH{count}"
            piped = args.pipeline and count <= PIPELINE_PHOTOS
            print(f"  gallery of {count} photos ({'the pipeline' if piped else 'rows + web renditions'})…", flush=True)
            maker = pipeline_gallery if piped else row_gallery
            galleries.append((count, code, maker(studio, count, code)))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()
        bench_db = with_db_name(database_url, connection.settings_dict["NAME"])
        server, port, config = start_gunicorn(bench_db, args.workers, args.threads, log_path)
        run(args, studio, galleries, port, config, server.pid)
        print(f"(≤{PIPELINE_PHOTOS}-photo galleries made by {'the pipeline' if args.pipeline else 'rows'})")
    finally:
        if server is not None:
            stop_gunicorn(server)
        connection.close()
        teardown_django(connection, old_name)
        log_path.unlink(missing_ok=True)
        subprocess.run(["rm", "-rf", media], check=False)


def cpu(results: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in results)


def measure(args, port, host, gallery, count, token, pids, paths, way):
    ours, anchor = [], []
    for i in range(args.runs):
        print(f"  {count} photos, {way}: download {i + 1}/{args.runs}, cat {i + 1}/{args.runs}", flush=True)
        ours.append(download(port, host, gallery.pk, token, pids))
        anchor.append(cat(paths))
    queries, cache_calls = per_zip_counts(host, gallery.pk, token)
    return (count, way, ours, anchor, queries, cache_calls, len(paths))


def prepare(gallery) -> float:
    from galleries.archives import prepare_archive

    started = time.perf_counter()
    assert prepare_archive(gallery.pk) == "ready"
    return time.perf_counter() - started


def run(args, studio, galleries, port, config, server_pid):
    from galleries.models import DownloadEvent

    host = studio.hostname
    pids = worker_pids(server_pid)
    rows, prepared_in = [], {}
    for count, code, gallery in galleries:
        token = unlock(port, host, code)
        paths = stored_files(gallery)
        rows.append(measure(args, port, host, gallery, count, token, pids, paths, "streamed"))
        prepared_in[count] = prepare(gallery)
        rows.append(measure(args, port, host, gallery, count, token, pids, paths, "prepared"))
    made = len(rows) * (args.runs + 1)  # the timed downloads and the counted one of each
    logged = DownloadEvent.objects.filter(kind="zip").count()

    load_avg = os.getloadavg()
    print()
    print(f"Server: {config}")
    print(
        f"Data: 1 studio ({host}); web-size galleries (downloads on, watermark on); up to {PIPELINE_PHOTOS} photos a "
        f"2048 px camera-like web JPEG each ({'by the pipeline from 6 MP' if args.pipeline else 'stored as rows'}), "
        f"bigger galleries a 640 px one. Client: http.client on loopback reading 1 MB at a time; anchor: `cat` of the "
        f"same files into a pipe read the same way. Same machine ({os.cpu_count()} cores, shared; load average "
        f"{load_avg[0]:.2f} {load_avg[1]:.2f} {load_avg[2]:.2f}). {args.runs} downloads each: the first click, "
        f"then the median of the rest."
    )
    print()
    header = (
        f"{'photos':>6} {'ZIP':>8} {'entries':>7} {'ZIP MB':>7} {'1st click s':>11} {'TTFB ms':>8} {'MB/s':>7} "
        f"{'median s':>8} {'cat s':>6} {'cat MB/s':>8} {'ours/cat':>8} {'(median)':>8} {'peak RSS MB':>11} "
        f"{'RSS +MB':>7} {'CPU s srv+cli':>13} {'cat CPU s':>9} "
        f"{'queries':>7} {'cache':>5}"
    )
    print(header)
    print("-" * len(header))
    met = True
    for count, way, ours, anchor, queries, cache_calls, files in rows:
        first = ours[0]
        rest = ours[1:] or ours
        median_s = statistics.median(r["seconds"] for r in rest)
        cat_s = statistics.median(a["seconds"] for a in anchor)
        mb = first["bytes"] / 1e6
        cat_mbps = anchor[0]["bytes"] / 1e6 / cat_s
        ratio, ratio_median = mb / first["seconds"] / cat_mbps, mb / median_s / cat_mbps
        met &= (ratio >= TARGET or way == "streamed") and first["entries"] == files
        print(
            f"{count:>6} {way:>8} {first['entries']:>7} {mb:>7.1f} {first['seconds']:>11.2f} "
            f"{first['ttfb'] * 1000:>8.1f} "
            f"{mb / first['seconds']:>7.0f} {median_s:>8.2f} {cat_s:>6.2f} {cat_mbps:>8.0f} "
            f"{ratio:>7.2f}× {ratio_median:>7.2f}× {max(r['rss'] for r in ours):>11.0f} "
            f"{max(r['rss_up'] for r in ours):>7.1f} "
            f"{cpu(ours, 'server_cpu'):>6.2f} + {cpu(ours, 'client_cpu'):>4.2f} "
            f"{cpu(anchor, 'server_cpu'):>4.2f} + {cpu(anchor, 'client_cpu'):.2f} "
            f"{queries:>7} {cache_calls:>5}"
        )
    print()
    print(
        "CPU s: median CPU time of one download, gunicorn workers + this client (cat's: cat + this reader); on a "
        "shared machine steadier than the wall clock."
    )
    print(
        "queries / cache: per ZIP request read to its end (in-process, CaptureQueriesContext; calls to the default "
        "cache, which is also Wagtail's renditions cache)."
    )
    print(
        "Prepared: galleries.archives.prepare_archive, in this process: "
        + ", ".join(f"{count} photos {seconds:.2f} s" for count, seconds in prepared_in.items())
        + " (once per change, on the worker)."
    )
    ways = {r[1] for r in rows}
    flat = all(len({(r[4], r[5]) for r in rows if r[1] == way}) == 1 for way in ways)
    print(f"Downloads logged (DownloadEvent, written as the server closes each response): {logged} of {made}")
    print(
        f"Target: every ZIP complete on the first click, and the prepared one ≥ {TARGET}× cat: "
        f"{'MET' if met and logged == made else 'MISSED'}"
    )
    print(f"Queries and cache calls per ZIP do not grow with the gallery: {'MET' if flat else 'MISSED'}")


if __name__ == "__main__":
    main()
