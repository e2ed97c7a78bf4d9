"""`GET /healthz`: is the database, the broker and the media storage reachable?"""

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
    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()


def _storage():
    default_storage.exists("healthz-probe")


@require_GET
def healthz(request):
    checks = {"database": _check(_database), "broker": _check(_broker), "storage": _check(_storage)}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)
