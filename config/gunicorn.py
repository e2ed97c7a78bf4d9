"""gunicorn's settings for every place that serves the app (Dockerfile, docker-compose.yml, render.yaml):
`gunicorn config.wsgi:application --config config/gunicorn.py`.

gthread workers (README, "Web processes"): each process serves WEB_THREADS requests at once from a thread
pool, while its main loop keeps telling the master it is alive. A sync worker is one request per process,
and the master kills it when one request outlasts `timeout`: a client's ZIP of a 2,000-photo gallery (a few
GB at the client's speed) was cut off at 60 s. Here `timeout` only catches a process that hangs as a whole;
a long download occupies one thread, not the process. ZIP bodies are read from storage 1 MB at a time and
sent in pieces of at least 512 KB, so a thread holds a few chunks in memory, never the archive.

Each thread keeps its own database connection (CONN_MAX_AGE): at most WEB_CONCURRENCY × WEB_THREADS per
instance."""

import gc
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = f"0.0.0.0:{_int('PORT', 8000)}"
worker_class = "gthread"
workers = _int("WEB_CONCURRENCY", 3)
threads = _int("WEB_THREADS", 4)
# A whole process silent this long is restarted (gthread's main loop reports every second, whatever its
# threads are sending).
timeout = _int("WEB_TIMEOUT", 60)
# On a deploy or restart, downloads in flight get this long to finish before the process exits.
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 120)
# Behind the load balancer, which keeps connections open between requests.
keepalive = 5
accesslog = "-"


def compile_templates() -> int:
    """Every template the Django engine and the forms' renderer can find, compiled into their cached loaders;
    returns how many.

    A worker otherwise compiles each template on the first request that uses it (an admin page uses a few
    hundred) and keeps the compiled nodes for its life outside the frozen objects below, where every full
    collection walks them again. All of them (~820) take ~0.5 s of CPU and ~17 MB once per worker."""
    # Here, not at the top: gunicorn's master reads this file before Django is set up.
    from django.forms.renderers import get_default_renderer
    from django.template import engines
    from django.template.backends.django import DjangoTemplates
    from django.template.utils import get_app_template_dirs

    # (engine, which of its templates): the site's, all; the forms' renderer's own engine, the form and widget
    # templates it renders (it would find every app's templates again).
    backends = [(engines["django"], lambda name: True)]
    renderer_engine = getattr(get_default_renderer(), "engine", None)
    if isinstance(renderer_engine, DjangoTemplates) and renderer_engine is not backends[0][0]:
        backends.append((renderer_engine, lambda name: name.startswith("django/forms/") or "/widgets/" in name))
    compiled = 0
    for backend, wanted in backends:
        engine = backend.engine
        folders = [*engine.dirs, *(get_app_template_dirs("templates") if engine.app_dirs else ())]
        names = {p.relative_to(f).as_posix() for f in folders for p in Path(f).rglob("*") if p.is_file()}
        for name in sorted(filter(wanted, names)):
            # Warming never stops a worker from starting: most misses are files that are not Django templates (an
            # image, a Jinja or JavaScript file); a broken template fails on its own page as before.
            try:
                engine.get_template(name)
            except Exception:  # noqa: BLE001, S112
                continue
            compiled += 1
    return compiled


def post_worker_init(worker):
    """Once the app is loaded in the worker, before its first request:

    - import the URLconf: Django does it lazily, on a process's first request, so each worker's first client
      waited for every urls module and view to be imported (and, with PYTHONDONTWRITEBYTECODE as in the
      Dockerfile, compiled): 0.25–0.35 s before a 2,000-photo ZIP's first byte, every first click on a fresh
      worker. It makes no query. A URLconf that cannot be imported now stops the worker from booting instead
      of answering 500 to every request;
    - compile every template (compile_templates above), so no admin page compiles one;
    - then move the ~300,000 objects that live as long as the process (Django, Wagtail, DRF, the URL and model
      registries, the compiled templates) out of the garbage collector's sight. Without it every full collection
      walked all of them: 0.2–0.3 s of CPU inside whichever request triggered it (a 2,000-photo ZIP's first
      click; one admin page in ten in benchmarks/admin.py)."""
    from django.urls import get_resolver  # this file is read by gunicorn's master, before Django is set up

    get_resolver().url_patterns  # noqa: B018 - the import is the point
    compile_templates()
    gc.collect()
    gc.freeze()
