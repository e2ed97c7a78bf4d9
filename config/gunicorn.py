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


def post_worker_init(worker):
    """Once the app is loaded in the worker, before its first request:

    - import the URLconf: Django does it lazily, on a process's first request, so each worker's first client
      waited for every urls module and view to be imported (and, with PYTHONDONTWRITEBYTECODE as in the
      Dockerfile, compiled): 0.25–0.35 s before a 2,000-photo ZIP's first byte, every first click on a fresh
      worker. It makes no query. A URLconf that cannot be imported now stops the worker from booting instead
      of answering 500 to every request;
    - then move the ~300,000 objects that live as long as the process (Django, Wagtail, DRF, the URL and model
      registries) out of the garbage collector's sight. Without it the first full collection in a request (a
      2,000-photo ZIP's first click) walked all of them: 0.3 s of CPU."""
    from django.urls import get_resolver  # this file is read by gunicorn's master, before Django is set up

    get_resolver().url_patterns  # noqa: B018 - the import is the point
    gc.collect()
    gc.freeze()
