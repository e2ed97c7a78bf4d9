"""Per-request cost against the number of studios on the platform (issue 18).

Provisions studios with the real `studios.provisioning.create_studio` in a throw-away PostgreSQL database
(`<DATABASE_URL's name>_bench`, made here and dropped at the end; DATABASE_URL's database is not touched) up to
each size (default 10, 1,000 and 5,000), and at each size measures in-process (Django's test client, the whole
middleware stack) the median CPU time and the queries of one studio's requests: its home page, /portfolio/,
/book/, Wagtail API v2 /api/v2/pages/, the client photo API (24 photos), and its photographer's admin dashboard
and images listing on the platform host. Each row is printed beside the 10-studio row (the ratio), with the
provisioning time per studio (median of the last 50 made before that size) and, for reference, what Wagtail's
own `Site.get_site_root_paths()` costs at that size (what every request paid before it was narrowed to the
studio's own site, studios/site_roots.py; platform staff in the admin still pay it).

Run: DATABASE_URL=postgres://… [REDIS_URL=redis://127.0.0.1:6379/5] .venv/bin/python benchmarks/tenants.py
     [--sizes 10,1000,5000] [--runs 15]
With REDIS_URL the cache is Redis (as in production; the Redis database is flushed at start and end).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = 24
ACCESS_CODE = "BENCH2026"
REQUESTS = [
    ("studio home /", "site", "/"),
    ("/portfolio/", "site", "/portfolio/"),
    ("/book/", "site", "/book/"),
    ("/api/v2/pages/", "site", "/api/v2/pages/"),
    ("client photo API", "photos", None),
    ("admin dashboard", "admin", "/admin/"),
    ("admin images", "admin", "/admin/images/"),
]
TARGET_RATIO = 1.2


def require_postgres() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("benchmarks/tenants.py measures PostgreSQL: set DATABASE_URL=postgres://user@host:port/name")
    return url


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="focusflow-bench-media-"))
    import django
    from django.conf import settings

    if os.environ.get("REDIS_URL"):
        # As in production (config/settings/base.py): Wagtail's site root paths live in Redis.
        settings.CACHES = {
            "default": {
                "BACKEND": "config.cache.FailOpenRedisCache",
                "LOCATION": os.environ["REDIS_URL"],
                "KEY_PREFIX": "focusflow-bench",
            }
        }
    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    cache.clear()
    return connection, old_name


def provision(start: int, stop: int) -> list[tuple[float, float, int]]:
    """Studios start…stop-1 through the real create_studio: (wall seconds, CPU seconds of this process, queries)
    each. The CPU time is the steadier one on a shared machine: the wall time also counts waiting for a core and
    for PostgreSQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from studios.provisioning import create_studio

    samples = []
    for i in range(start, stop):
        connection.queries_log.clear()  # a deque of 9,000: once full, a capture would count nothing
        with CaptureQueriesContext(connection) as queries:
            began, began_cpu = time.perf_counter(), time.process_time()
            create_studio(name=f"Bench studio {i}", slug=f"bench{i}")
            samples.append((time.perf_counter() - began, time.process_time() - began_cpu, len(queries)))
    return samples


def measured_studio():
    """Studio 0 with what its requests show: a photographer, a session type, a gallery of ready photos."""
    from datetime import timedelta

    from benchmarks.api import add_ready_photos, make_gallery
    from bookings.models import SessionType
    from studios.provisioning import create_studio
    from tests.factories import UserFactory

    studio = create_studio(name="Bench studio 0", slug="bench0")
    owner = UserFactory(email="owner@bench0.test")
    from studios.provisioning import add_member

    add_member(studio, owner, "owner")
    SessionType.objects.create(studio=studio, name="Portrait", duration=timedelta(hours=1), price=25000)
    gallery = make_gallery(studio)
    add_ready_photos(gallery, 0, PHOTOS)
    return studio, owner, gallery


def measure(clients: dict, paths: dict, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for label, kind, path in REQUESTS:
        client, host = clients[kind]
        path = path or paths[kind]
        cpu, queries = [], 0
        for i in range(runs + 3):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                began = time.process_time()
                response = client.get(path, HTTP_HOST=host)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                spent = time.process_time() - began
            if response.status_code != 200:
                raise SystemExit(f"GET {host}{path} answered {response.status_code}: {response.content[:300]!r}")
            if i >= 3:  # the first ones fill caches
                cpu.append(spent)
                queries = len(captured)
        results[label] = (statistics.median(cpu) * 1000, queries)
    return results


def wagtail_site_root_paths_ms(runs: int) -> float:
    """Wagtail's own, unnarrowed `Site.get_site_root_paths()` (from the cache, as every call reads it)."""
    from studios import site_roots

    site_roots._wagtail_get_site_root_paths()  # fill the cache
    samples = []
    for _ in range(runs):
        began = time.process_time()
        site_roots._wagtail_get_site_root_paths()
        samples.append(time.process_time() - began)
    return statistics.median(samples) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,1000,5000")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    require_postgres()
    connection, old_name = setup()
    try:
        run(sizes, args.runs)
    finally:
        from django.core.cache import cache

        cache.clear()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(sizes: list[int], runs: int) -> None:
    import json

    from django.db import connection
    from django.test import Client

    from studios import rls

    with rls.platform():
        studio, owner, gallery = measured_studio()
    site = Client()
    photos = Client()
    admin = Client()
    admin.force_login(owner)
    response = photos.post(
        "/api/client/galleries/unlock/",
        data=json.dumps({"code": ACCESS_CODE}),
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    if response.status_code != 201:
        raise SystemExit(f"unlock answered {response.status_code}: {response.content[:300]!r}")
    token = json.loads(response.content)["token"]
    photos.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    clients = {"site": (site, studio.hostname), "photos": (photos, studio.hostname), "admin": (admin, "localhost")}
    paths = {"photos": f"/api/client/galleries/{gallery.pk}/photos/"}

    table, provisioning, root_paths = {}, {}, {}
    made = 1
    for size in sizes:
        began = time.monotonic()
        with rls.platform():
            samples = provision(made, size)
        made = max(made, size)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after bulk growth
        if samples:
            last = samples[-50:]
            provisioning[size] = (
                statistics.median(s for s, _, _ in last) * 1000,
                statistics.median(q for _, _, q in last),
                time.monotonic() - began,
                statistics.median(c for _, c, _ in last) * 1000,
            )
        table[size] = measure(clients, paths, runs)
        root_paths[size] = wagtail_site_root_paths_ms(runs)
        print_table(sizes, table, provisioning, root_paths, runs)


def print_table(sizes, table, provisioning, root_paths, runs) -> None:
    base = min(table)
    done = [s for s in sizes if s in table]
    load = os.getloadavg()
    print(
        f"\nstudios: {', '.join(f'{s:,}' for s in done)}; median CPU ms (queries) of {runs} requests each; "
        f"ratio to the {base:,}-studio row; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    header = ["request"] + [f"{s:,} studios" for s in done]
    rows = []
    for label, _, _ in REQUESTS:
        cells = [label]
        for size in done:
            ms, q = table[size][label]
            ratio = ms / table[base][label][0]
            cells.append(f"{ms:.1f} ms ({q} q)" + ("" if size == base else f" {ratio:.2f}×"))
        rows.append(cells)
    base_prov = provisioning.get(base)
    for label, index in (("provisioning one studio (wall)", 0), ("provisioning one studio (CPU of this process)", 3)):
        cells = [label]
        for size in done:
            if size not in provisioning:
                cells.append("—")
                continue
            ms, q = provisioning[size][index], provisioning[size][1]
            ratio = "" if base_prov is None or size == base else f" {ms / base_prov[index]:.2f}×"
            cells.append(f"{ms:.1f} ms ({q:.0f} q){ratio}")
        rows.append(cells)
    rows.append(
        ["Wagtail's full get_site_root_paths() (not called by studio requests)"]
        + [f"{root_paths[s]:.2f} ms" for s in done]
    )
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"  # noqa: E731
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    worst = [(label, table[s][label][0] / table[base][label][0]) for s in done if s != base for label, _, _ in REQUESTS]
    if worst:
        label, ratio = max(worst, key=lambda x: x[1])
        verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
        print(f"largest ratio: {ratio:.2f}× ({label}), {verdict} the {TARGET_RATIO}× target", flush=True)


if __name__ == "__main__":
    main()
