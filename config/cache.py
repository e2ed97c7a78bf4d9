"""The default cache: Django's RedisCache, failing open when Redis is unreachable.

Redis is a cache and a broker, never a source of truth (DESIGN §12), so an outage must cost speed, not
pages: Wagtail's site-root cache, DRF's throttles and the photo-page cache all read and write through
this backend. While Redis is unreachable a read is a miss, a write is dropped, `incr` counts from zero
(throttles let requests through) and `add` reports success (the caller goes ahead, as if it had won).

After a failure the backend does not try Redis again for RETRY_AFTER seconds, so a request pays the
(short) connect timeout at most once per window, and it logs at most one warning per LOG_EVERY seconds.

Keys whose write was dropped are remembered (up to MAX_UNWRITTEN) and deleted once Redis answers again:
an invalidation lost in the outage (the photo pages' version tokens, a deleted site) must not let a value
cached before it be served afterwards. Deleting is always safe for a cache; the next read rebuilds.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Refused, reset, timed out, DNS: redis-py raises its own ConnectionError/TimeoutError for these (its
# BusyLoadingError while a restarted Redis loads is a ConnectionError too); OSError for the rest.
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client makes a new redis.Redis for every call (it builds a table of ~170 response callbacks
    each time: about 0.4 ms of CPU, more than the round trip itself). One per connection pool serves every
    call: redis.Redis takes a connection from its pool per command, so it is shared between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    RETRY_AFTER = 5.0
    LOG_EVERY = 60.0
    MAX_UNWRITTEN = 10_000

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", self.RETRY_AFTER))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0
        self._logged_at = -self.LOG_EVERY
        self._failures = 0
        self._unwritten: set[str] = set()
        self._lock = threading.Lock()

    # --- the circuit ------------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False while the backend skips Redis after a failure (for /healthz and tests)."""
        return time.monotonic() >= self._down_until

    def _run(self, what: str, fallback, call, written=()):
        if not self.available:
            self._lose(written)
            return fallback
        try:
            self._replay_unwritten()
            return call()
        except OUTAGE as exc:
            self._down_until = time.monotonic() + self.retry_after
            self._lose(written)
            self._log(what, exc)
            return fallback

    def _keys(self, keys, version) -> list[str]:
        return [self.make_key(key, version=version) for key in keys]

    def _lose(self, keys) -> None:
        if not keys:
            return
        with self._lock:
            room = self.MAX_UNWRITTEN - len(self._unwritten)
            self._unwritten.update(list(keys)[: max(room, 0)])
        if room < len(keys):
            logger.error("Cache: more than %s writes lost in the outage; some entries may be stale", room)

    def _replay_unwritten(self) -> None:
        if not self._unwritten:
            return
        with self._lock:
            keys, self._unwritten = list(self._unwritten), set()
        try:
            self._cache.delete_many(keys)
        except OUTAGE:
            with self._lock:
                self._unwritten.update(keys)
            raise
        logger.warning("Cache: Redis is back; deleted %s keys whose writes were lost meanwhile", len(keys))

    def _log(self, what: str, exc: Exception) -> None:
        self._failures += 1
        now = time.monotonic()
        if now - self._logged_at >= self.LOG_EVERY:
            self._logged_at = now
            logger.warning(
                "Cache unavailable (%s: %s); failing open. %s failures so far; next try in %.0fs",
                what,
                exc,
                self._failures,
                self.retry_after,
            )

    # --- reads: a miss -----------------------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._run("get", default, lambda: super(FailOpenRedisCache, self).get(key, default, version))

    def get_many(self, keys, version=None):
        return self._run("get_many", {}, lambda: super(FailOpenRedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None):
        return self._run("has_key", False, lambda: super(FailOpenRedisCache, self).has_key(key, version))

    # --- writes: dropped, and remembered for deletion -------------------------------------------------------

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        written = self._keys([key], version)
        return self._run(
            "set", None, lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), written
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        written = self._keys([key], version)
        return self._run(
            "add", True, lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), written
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        written = self._keys([key], version)
        return self._run("touch", False, lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), written)

    def delete(self, key, version=None):
        written = self._keys([key], version)
        return self._run("delete", False, lambda: super(FailOpenRedisCache, self).delete(key, version), written)

    def incr(self, key, delta=1, version=None):
        # Counting from zero: a rate limit built on incr lets the request through.
        written = self._keys([key], version)
        return self._run("incr", delta, lambda: super(FailOpenRedisCache, self).incr(key, delta, version), written)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        written = self._keys(data, version)
        return self._run(
            "set_many", [], lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), written
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        written = self._keys(keys, version)
        return self._run(
            "delete_many", None, lambda: super(FailOpenRedisCache, self).delete_many(keys, version), written
        )

    def clear(self):
        return self._run("clear", False, lambda: super(FailOpenRedisCache, self).clear())
