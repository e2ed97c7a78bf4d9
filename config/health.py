"""`GET /healthz`: is the database, the broker and the media storage reachable?

Only the database is critical: without it no page can be served, so the instance answers 503 ("down")
and the load balancer takes it out of rotation. Redis (cache + broker) and the media storage are not:
pages still answer without them (the cache fails open, queued work waits in PostgreSQL), so the
instance answers 200 with `"status": "degraded"` and the failing check. A 503 there would make the load
balancer pull EVERY instance at once (they all share the one Redis) and turn a degraded site into no site;
monitoring alerts on "degraded" instead."""

import time

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


def _check(fn):
    started = time.perf_counter()
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker():
    if not settings.REDIS_URL:
        return  # eager mode: tasks run in-process, nothing to reach
    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()


def _storage():
    default_storage.exists("healthz-probe")


@require_GET
def healthz(request):
    checks = {"database": _check(_database), "broker": _check(_broker), "storage": _check(_storage)}
    if not checks["database"]["ok"]:
        return JsonResponse({"status": "down", "checks": checks}, status=503)
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200)
