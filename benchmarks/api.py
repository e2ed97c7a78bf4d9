"""Client gallery API under load (issues 6 and 14): `GET /api/client/galleries/{id}/photos/?limit=100`
following its `next` cursors, beside Wagtail API v2's own (stock, unscoped) images listing of 1,000 images
100 per page (the anchor), served by gunicorn with the production settings, in one run, in two modes:

- warm: one 1,000-photo gallery walked again and again, so its 10 pages come from the photo page cache
  (galleries/photo_cache.py) after the first pass;
- cold (issue 14): 32 galleries of 700 photos (224 distinct 100-photo pages); each client walks galleries of
  its own, and before each request (outside the timed part) the gallery's cache version is replaced, as any
  change to it does: every page is built from the database. Clients own disjoint galleries, so no client is
  served a page another just built.

It builds its data in a throw-away PostgreSQL database next to DATABASE_URL's (`test_<name>`, made by
benchmarks/_django.py, dropped at the end; the DATABASE_URL database itself is not touched): a studio
(studios.provisioning.create_studio), a gallery of "ready" photos as rows (StudioImage + a StudioRendition per
rendition spec + GalleryPhoto, like tests/galleries/conftest.py: bulk_ready_photos; nothing is rendered),
and a client token from the real unlock endpoint.

Run: DATABASE_URL=postgres://… [REDIS_URL=redis://127.0.0.1:6379/5] .venv/bin/python benchmarks/api.py
     [--photos 1000] [--cold-galleries 32] [--cold-photos 700] [--clients 1,8,16] [--seconds 8]
     [--workers 3] [--threads 1]
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAGE = 100
# gunicorn's workers each load Django and Wagtail: seconds on a quiet machine, a minute or more on a loaded one.
START_SECONDS = 240
SMALL = 10
ACCESS_CODE = "BENCH2026"
OURS = "ours"
COLD = "cold"
WAGTAIL = "wagtail"
LABELS = {
    OURS: "ours, warm (cached pages)",
    COLD: "ours, cold (every page built)",
    WAGTAIL: "Wagtail ImagesAPIViewSet (stock)",
}
P95_TARGET_MS = 50.0  # warm pages
COLD_P95_TARGET_MS = 100.0
COLD_RATIO_TARGET = 10.0  # cold req/s against the anchor's


def require_postgres() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(
            "benchmarks/api.py measures gunicorn on PostgreSQL: set DATABASE_URL=postgres://user@host:port/name "
            f"(got {url or 'nothing'}). It works in a throw-away test_<name> database next to it."
        )
    return url


def with_db_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def add_ready_photos(gallery, start: int, count: int) -> None:
    """Rows as the pipeline leaves them, without rendering: tests/galleries/conftest.py: bulk_ready_photos,
    with a start index so a gallery can grow (orders stay unique)."""
    from galleries.models import GalleryPhoto, StudioImage, StudioRendition, WatermarkSettings
    from galleries.photo_cache import forget_gallery_photo_pages
    from galleries.pipeline import rendition_specs

    specs = rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)
    images = StudioImage.objects.bulk_create(
        StudioImage(
            title=f"IMG_{i:04d}.jpg",
            original_filename=f"IMG_{i:04d}.jpg",
            studio=gallery.studio,
            collection=gallery.studio.collection,
            file=f"original_images/bulk_{gallery.pk}_{i}.jpg",
            width=6000,
            height=4000,
            status=StudioImage.Status.READY,
            blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
        )
        for i in range(start, start + count)
    )
    StudioRendition.objects.bulk_create(
        StudioRendition(
            studio_id=image.studio_id,
            image=image,
            filter_spec=spec,
            file=f"images/bulk_{image.pk}_{name}.jpg",
            width=4,
            height=3,
        )
        for image in images
        for name, spec in specs.items()
    )
    GalleryPhoto.objects.bulk_create(
        GalleryPhoto(studio=gallery.studio, gallery=gallery, image=image, order=start + i, sha256=f"{image.pk:064d}")
        for i, image in enumerate(images)
    )
    # bulk_create sends no signals: the cached photo pages are forgotten as the pipeline does after processing.
    forget_gallery_photo_pages(gallery.pk)


def analyze() -> None:
    """Planner statistics for the bulk-inserted rows, as autovacuum would gather within a minute: without them
    PostgreSQL believes the tables are empty and joins 1,000 × 1,000 rows in a nested loop."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def make_gallery(studio, n: int = 0, access_code: str = ACCESS_CODE):
    from galleries.models import ClientGalleryIndexPage, Gallery

    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).first()
    gallery = Gallery(title=f"Benchmark wedding {n}", slug=f"bench-wedding-{n}", access_code=access_code)
    index.add_child(instance=gallery)
    gallery.save_revision().publish()
    gallery.refresh_from_db()
    return gallery


# --- gunicorn -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database_url: str, workers: int, threads: int, log_path: Path):
    port = free_port()
    worker_class = "gthread" if threads > 1 else "sync"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
    }
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        f"--threads={threads}",
        "--log-level=warning",
        "--backlog=256",
    ]
    log = log_path.open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    config = (
        f"gunicorn {worker_class}, {workers} workers × {threads} thread(s), 127.0.0.1:{port}, "
        f"DJANGO_SETTINGS_MODULE=bench_settings (config.settings.production + WAGTAILAPI_LIMIT_MAX=100 + "
        f"the baseline URL), DEBUG off, SECURE_SSL_REDIRECT=false, REDIS_URL={os.environ['REDIS_URL']}, "
        f"CONN_MAX_AGE={os.environ.get('CONN_MAX_AGE', '60, the default')} (persistent database connections, seconds)"
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": "localhost"})
            conn.getresponse().read()
            conn.close()
            return proc, port, config
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(proc)
    raise SystemExit(f"gunicorn did not answer within {START_SECONDS} s:\n{log_path.read_text()[-3000:]}")


def stop_gunicorn(proc) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def service_cpu() -> dict[int, float]:
    """{pid: CPU seconds so far} of every PostgreSQL and Redis server process on this machine (Linux /proc):
    what the database and the cache spend per request is the rest of a request's cost."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name == "postgres" or name.startswith("redis-server"):
            found[int(stat.parent.name)] = cpu_seconds([int(stat.parent.name)])
    return found


def worker_pids(master_pid: int) -> list[int]:
    try:
        return [int(pid) for pid in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()]
    except OSError:
        return []


# --- HTTP load ----------------------------------------------------------------


class Walker:
    """One client paging through the whole listing, then starting again: the next path comes from the
    response (our `next` cursor; Wagtail's offset + meta.total_count)."""

    def __init__(self, kind: str, gallery_id: int, images: int = 0):
        self.kind = kind
        self.images = images  # Wagtail's listing: walk only the first `images` (the cold galleries' come later)
        self.first = (
            f"/api/client/galleries/{gallery_id}/photos/?limit={PAGE}"
            if kind == OURS
            else f"/bench/wagtail-images/?limit={PAGE}"
        )

    def next_path(self, path: str, body: dict) -> str:
        if self.kind == OURS:
            return f"{self.first}&cursor={body['next']}" if body["next"] else self.first
        offset = int(path.rsplit("offset=", 1)[1]) if "offset=" in path else 0
        offset += PAGE
        total = min(body["meta"]["total_count"], self.images or body["meta"]["total_count"])
        return f"{self.first}&offset={offset}" if offset < total else self.first

    def items(self, body: dict) -> list:
        return body["results"] if self.kind == OURS else body["items"]


class Route:
    """What one load client asks for: a walker's pages with fixed headers, again and again."""

    def __init__(self, walker: Walker, headers: dict):
        self.walker, self.headers = walker, headers
        self.path = walker.first

    def before(self) -> None:
        """Called before each request, outside its timing."""

    def done(self) -> None:
        """Called once the client stops."""

    def request(self) -> tuple[str, dict]:
        return self.path, self.headers

    def advance(self, body: dict | None) -> None:
        """The next page (from the response), or the first again after an error (`body` None)."""
        self.path = self.walker.first if body is None else self.walker.next_path(self.path, body)


class ColdRoute:
    """One client's walk over its own galleries' pages (issue 14): each gallery's pages in turn, and before
    each request the gallery's cache version replaced (galleries.photo_cache.forget_gallery_photo_pages,
    what any change to the gallery does), so every page is built from the database."""

    def __init__(self, galleries: list[tuple[int, dict]]):
        self.galleries = galleries  # (gallery id, headers with its token)
        self.index = 0
        self.path = self.first()

    def first(self) -> str:
        return f"/api/client/galleries/{self.galleries[self.index][0]}/photos/?limit={PAGE}"

    def before(self) -> None:
        from galleries.photo_cache import forget_gallery_photo_pages

        forget_gallery_photo_pages(self.galleries[self.index][0])

    def done(self) -> None:
        from django.db import connections

        # forget_gallery_photo_pages() asked transaction.on_commit(), which opened this thread's connection.
        connections.close_all()

    def request(self) -> tuple[str, dict]:
        return self.path, self.galleries[self.index][1]

    def advance(self, body: dict | None) -> None:
        if body is not None and body["next"]:
            self.path = f"{self.first()}&cursor={body['next']}"
            return
        self.index = (self.index + 1) % len(self.galleries)
        self.path = self.first()


def get(conn, path: str, headers: dict):
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def walk_once(port: int, walker: Walker, headers: dict) -> tuple[int, int]:
    """Pages and distinct ids seen in one pass over the listing: both must list the same 1,000 images."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    path, pages, ids = walker.first, 0, set()
    while True:
        status, raw = get(conn, path, headers)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}: {raw[:500]!r}")
        body = json.loads(raw)
        pages += 1
        ids.update(item["id"] for item in walker.items(body))
        path = walker.next_path(path, body)
        if path == walker.first:
            conn.close()
            return pages, len(ids)


def load(port: int, routes: list, seconds: float, max_requests: int, server_pid: int) -> dict:
    """Closed-loop load, one client per route; besides latency, the CPU time per request of the gunicorn
    workers and of this client process: on a shared machine they say more than req/s, which depends on
    what else runs. (The cold routes' cache version replacement happens outside the timing, but its CPU
    counts in the client's.)"""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    clients = len(routes)
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(route):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        barrier.wait()
        while time.perf_counter() < stop_at[0] and len(mine) < max_requests:
            route.before()
            path, headers = route.request()
            started = time.perf_counter()
            try:
                status, raw = get(conn, path, headers)
            except (OSError, http.client.HTTPException):
                conn.close()  # reconnects on the next request
                failed += 1
                continue
            elapsed = time.perf_counter() - started
            if status != 200:
                failed += 1
                route.advance(None)
                continue
            mine.append(elapsed)
            route.advance(json.loads(raw))
        conn.close()
        route.done()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(route,), daemon=True) for route in routes]
    for thread in threads:
        thread.start()
    workers = worker_pids(server_pid)
    server_cpu, client_cpu, services = cpu_seconds(workers), time.process_time(), service_cpu()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    wall = time.perf_counter() - started
    server_cpu, client_cpu = cpu_seconds(workers) - server_cpu, time.process_time() - client_cpu
    services_now = service_cpu()
    services_cpu = sum(cpu - services.get(pid, 0.0) for pid, cpu in services_now.items())
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / wall,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "server_cpu": server_cpu * 1000 / max(1, len(latencies)),
        "client_cpu": client_cpu * 1000 / max(1, len(latencies)),
        "services_cpu": services_cpu * 1000 / max(1, len(latencies)),
    }


# --- queries per request (in-process) -------------------------------------------


def queries_per_request(walker: Walker, headers: dict, pages: int, gallery_id: int) -> dict[str, list[int]]:
    """Queries for each of the first `pages` pages, Django test client, in-process (after one warm-up request,
    so one-time look-ups don't count): on a `first` visit (our cached pages forgotten before it: built) and on a
    `repeat` one (ours: from the cache)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from galleries.photo_cache import forget_gallery_photo_pages

    client = Client()
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    client.get(walker.first, **extra)
    forget_gallery_photo_pages(gallery_id)
    counts = {}
    for visit in ("first", "repeat"):
        counts[visit], path = [], walker.first
        for _ in range(pages):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, **extra)
            assert response.status_code == 200, response.content[:500]
            counts[visit].append(len(ctx.captured_queries))
            path = walker.next_path(path, response.json())
    return counts


# --- building a page in-process: before (model instances + serializer) and now (rows) ------------------


def build_cost(gallery_id: int, host: str, rounds: int) -> dict[str, float]:
    """Median CPU ms to build and render one 100-photo page in this process, without HTTP or the cache:
    the way before issue 14 (model instances with prefetched renditions through PhotoSerializer) and now
    (galleries.photo_pages from rows), alternating, on the same gallery."""
    from django.db.models import Prefetch
    from django.test import RequestFactory
    from rest_framework.renderers import JSONRenderer

    from galleries import photo_pages
    from galleries.api.serializers import PhotoSerializer
    from galleries.models import Gallery, StudioRendition, WatermarkSettings
    from galleries.renditions import rendition_specs

    gallery = Gallery.objects.select_related("studio").get(pk=gallery_id)
    request = RequestFactory().get("/", HTTP_HOST=host)
    specs = rendition_specs(gallery, WatermarkSettings.for_studio(gallery.studio).version)

    def before():
        photos = (
            gallery.ordered_photos()
            .select_related("image")
            .only(
                "id",
                "gallery",
                "set",
                "image__file",
                "image__original_filename",
                "image__width",
                "image__height",
                "image__blurhash",
                "image__captured_at",
            )  # fmt: skip
            .prefetch_related(
                Prefetch(
                    "image__renditions",
                    queryset=StudioRendition.objects.filter(filter_spec__in=specs.values()).only(
                        "image", "filter_spec", "file", "width", "height"
                    ),
                    to_attr="prefetched_renditions",
                )
            )
        )
        page = list(photos[: PAGE + 1])
        data = PhotoSerializer(page[:PAGE], many=True, context={"specs": specs, "request": request}).data
        return JSONRenderer().render({"results": data, "next": None})

    def now():
        results, _ = photo_pages.photo_page(
            gallery, specs, 0, PAGE, absolute=photo_pages.absolute_urls(request.build_absolute_uri)
        )
        return JSONRenderer().render({"results": results, "next": None})

    assert before() == now(), "the two ways must build the same page"
    samples: dict[str, list[float]] = {"before": [], "now": []}
    for _ in range(rounds):
        for name, build in (("before", before), ("now", now)):
            started = time.process_time()
            build()
            samples[name].append((time.process_time() - started) * 1000)
    return {name: sorted(values)[len(values) // 2] for name, values in samples.items()}


# --- the run ----------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--cold-galleries", type=int, default=32, help="galleries for the cold mode")
    parser.add_argument("--cold-photos", type=int, default=700, help="photos in each cold gallery")
    parser.add_argument("--clients", default="1,8,16", help="concurrency levels, comma-separated")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per endpoint and level")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per endpoint and level")
    parser.add_argument("--max-requests", type=int, default=5000, help="cap per client and level")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help=">1 uses gunicorn's gthread worker")
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]

    database_url = require_postgres()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="focusflow-bench-media-")
    sys.path.insert(0, str(HERE))
    from _django import make_studio, setup_django, teardown_django

    print("Migrating a throw-away database…", flush=True)
    connection, old_name = setup_django()
    server = None
    log_path = Path(tempfile.mkstemp(prefix="focusflow-bench-gunicorn-", suffix=".log")[1])
    try:
        studio = make_studio()
        gallery = make_gallery(studio)
        add_ready_photos(gallery, 0, SMALL)
        analyze()
        connection.close()  # gunicorn's workers see committed rows only; nothing is held open
        bench_db = with_db_name(database_url, connection.settings_dict["NAME"])
        server, port, config = start_gunicorn(bench_db, args.workers, args.threads, log_path)
        run(args, levels, studio, gallery, port, config, server.pid)
    finally:
        if server is not None:
            stop_gunicorn(server)
        connection.close()
        teardown_django(connection, old_name)
        log_path.unlink(missing_ok=True)


def make_cold_galleries(studio, count: int, photos: int) -> list[tuple[int, str]]:
    """`count` galleries of `photos` ready photos each, with a client token for each (unlocked in-process
    through galleries.access.unlock_gallery, as the unlock endpoint does, without its throttle)."""
    from galleries.access import unlock_gallery

    made = []
    for n in range(1, count + 1):
        code = f"COLD{n:04d}"
        gallery = make_gallery(studio, n, code)
        add_ready_photos(gallery, 0, photos)
        token, _ = unlock_gallery(studio, code)
        made.append((gallery.pk, token))
    return made


def unlock(port: int, host: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/api/client/galleries/unlock/",
        body=json.dumps({"code": ACCESS_CODE}),
        headers={"Host": host, "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    if response.status != 201:
        raise SystemExit(f"unlock answered {response.status}: {raw[:500]!r}")
    return json.loads(raw)["token"]


def run(args, levels, studio, gallery, port, config, server_pid):
    host = studio.hostname
    token = unlock(port, host)
    headers = {
        OURS: {"Host": host, "Authorization": f"Bearer {token}"},
        WAGTAIL: {"Host": host},
    }
    walkers = {kind: Walker(kind, gallery.pk, args.photos) for kind in (OURS, WAGTAIL)}

    queries = {kind: {SMALL: queries_per_request(walkers[kind], headers[kind], 1, gallery.pk)} for kind in walkers}
    add_ready_photos(gallery, SMALL, args.photos - SMALL)
    analyze()
    for kind in walkers:
        queries[kind][args.photos] = queries_per_request(walkers[kind], headers[kind], 3, gallery.pk)

    print(f"Adding {args.cold_galleries} galleries of {args.cold_photos} photos for the cold mode…", flush=True)
    cold = make_cold_galleries(studio, args.cold_galleries, args.cold_photos)
    analyze()
    cold_pages = sum(-(-args.cold_photos // PAGE) for _ in cold)
    build = build_cost(cold[0][0], host, 40)

    for kind, walker in walkers.items():
        pages, ids = walk_once(port, walker, headers[kind])
        print(f"  {LABELS[kind]}: {ids} distinct images in {pages} pages of ≤{PAGE}", flush=True)

    def routes(kind: str, clients: int) -> list:
        if kind != COLD:
            return [Route(walkers[kind], headers[kind]) for _ in range(clients)]
        # Client i walks galleries i, i + clients, …: its own, so no one is served a page another just built.
        return [
            ColdRoute([(g, {"Host": host, "Authorization": f"Bearer {t}"}) for g, t in cold[i::clients]])
            for i in range(clients)
        ]

    results = {}
    for clients in levels:
        for kind in (OURS, COLD, WAGTAIL):
            print(f"  {clients:>2} clients, {kind}: warm-up {args.warmup:g} s, then {args.seconds:g} s…", flush=True)
            load(port, routes(kind, clients), args.warmup, args.max_requests, server_pid)
            results[kind, clients] = load(port, routes(kind, clients), args.seconds, args.max_requests, server_pid)

    load_avg = os.getloadavg()
    print()
    print(f"Server: {config}")
    print(
        f"Data: 1 studio ({host}); warm: 1 gallery of {args.photos} ready photos (3 renditions each); cold: "
        f"{len(cold)} galleries of {args.cold_photos} ({cold_pages} distinct pages, each client its own galleries, "
        f"the gallery's cache version replaced before each request); {PAGE} per page; client: Python threads + "
        f"http.client keep-alive on loopback, same machine ({os.cpu_count()} cores, shared with other processes; "
        f"load average {load_avg[0]:.2f} {load_avg[1]:.2f} {load_avg[2]:.2f} at the end). Anchor: Wagtail's stock "
        f"ImagesAPIViewSet at /bench/wagtail-images/ (bench_urls.py; our /api/v2/images/ hides gallery photos), "
        f"walking its first {args.photos} images. ANALYZE ran after the bulk inserts."
    )
    print()
    header = f"{'endpoint':<32} {'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>8} "
    header += f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'× anchor req/s':>14} {'CPU ms/req srv+cli':>18} "
    header += f"{'+ PG/Redis':>10}"
    print(header)
    print("-" * len(header))
    for clients in levels:
        for kind in (OURS, COLD, WAGTAIL):
            r = results[kind, clients]
            ratio = f"{r['rps'] / results[WAGTAIL, clients]['rps']:.2f}×" if kind != WAGTAIL else ""
            print(
                f"{LABELS[kind]:<32} {clients:>7} {r['requests']:>8} {r['errors']:>6} {r['rps']:>8.1f} "
                f"{r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} {ratio:>14} "
                f"{r['server_cpu']:>10.1f} + {r['client_cpu']:>5.1f} {r['services_cpu']:>10.1f}"
            )
    print()
    print(f"Queries per request (in-process, CaptureQueriesContext; pages of {PAGE}):")
    for kind in (OURS, WAGTAIL):
        small, big = queries[kind][SMALL], queries[kind][args.photos]
        for visit in ("first", "repeat"):
            label = "ours" if kind == OURS else LABELS[kind]
            print(
                f"  {label:<32} {visit + ' visit':<12} {SMALL} photos: {small[visit][0]:>4}   "
                f"{args.photos} photos, pages 1-3: {big[visit]}"
            )

    print()
    print(
        f"Building one {PAGE}-photo page in-process (median CPU ms of 40, no HTTP or cache): "
        f"model instances + PhotoSerializer (before issue 14) {build['before']:.1f} ms, "
        f"rows (galleries/photo_pages.py) {build['now']:.1f} ms: {build['before'] / build['now']:.1f}× less"
    )

    print()
    top = max(levels)
    warm, cold_top, anchor = results[OURS, top], results[COLD, top], results[WAGTAIL, top]

    def verdict(ok: bool) -> str:
        return "MET" if ok else "MISSED"

    errors = sum(r["errors"] for r in results.values())
    print(f"Errors (non-200 or connection): {errors}")
    ratio = cold_top["rps"] / anchor["rps"]
    print(
        f"Target: cold ≥ {COLD_RATIO_TARGET:g}× the anchor's req/s at {top} clients: "
        f"{verdict(ratio >= COLD_RATIO_TARGET)} ({ratio:.1f}×)"
    )
    print(
        f"Target: cold p95 < {COLD_P95_TARGET_MS:g} ms at {top} clients: "
        f"{verdict(cold_top['p95'] < COLD_P95_TARGET_MS)} ({cold_top['p95']:.1f} ms)"
    )
    print(
        f"Target: warm p95 < {P95_TARGET_MS:g} ms at {top} clients: "
        f"{verdict(warm['p95'] < P95_TARGET_MS)} ({warm['p95']:.1f} ms)"
    )
    # Closed-loop clients: mean latency = clients / throughput, so a latency target needs this throughput.
    print(
        f"  (with {top} clients always waiting, a mean under {P95_TARGET_MS:g} ms needs "
        f"≥ {top / P95_TARGET_MS * 1000:.0f} req/s; under {COLD_P95_TARGET_MS:g} ms, "
        f"≥ {top / COLD_P95_TARGET_MS * 1000:.0f} req/s)"
    )
    flat = all(max(queries[OURS][args.photos][v]) <= queries[OURS][SMALL][v][0] for v in ("first", "repeat"))
    print(f"Queries per request do not grow with the gallery (ours): {verdict(flat)}")


if __name__ == "__main__":
    main()
