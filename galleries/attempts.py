"""Per-gallery limits on download-PIN attempts, whatever addresses they come from (issue 12).

A wrong PIN names its gallery (its code was right), so it is counted against that gallery in fixed windows,
by default at most 5 per 15 minutes and 20 per UTC day (`GALLERY_PIN_ATTEMPT_LIMITS`): a 4-digit PIN then holds
for years instead of falling to a few hundred requests from rotating addresses. Past a limit, every PIN attempt
on the gallery, even the right one, waits for the window's end; unlocking with the code alone (viewing, which
the code already grants) still works, so a guest who hammers the PIN cannot lock the couple out of their photos.

The counters are database rows, not cache keys: they hold on SQLite and PostgreSQL, survive a restart, and do
not open the door when Redis is down or flushed (DESIGN.md §12). An attempt is reserved with a conditional
UPDATE *before* the PIN is compared and given back when it was right, so 200 concurrent guesses still get only
as many comparisons as the limit allows."""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from crm.activity import record_activity
from studios.errors import THROTTLED, DomainError

from .models import Gallery, PinAttemptWindow

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def pin_attempt_limits() -> list[tuple[int, int]]:
    """(attempts, window seconds) pairs from settings, e.g. "5/15m" → (5, 900)."""
    limits = []
    for rule in settings.GALLERY_PIN_ATTEMPT_LIMITS:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*([smhd])\s*", rule)
        if match is None:
            raise ValueError(f"GALLERY_PIN_ATTEMPT_LIMITS: {rule!r} is not like 5/15m")
        limits.append((int(match[1]), int(match[2]) * UNITS[match[3]]))
    return sorted(limits, key=lambda limit: limit[1])


def window_start(now: datetime, seconds: int) -> datetime:
    """The start of the fixed window of `seconds` that holds `now` (days start at midnight UTC)."""
    elapsed = int((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


def too_many_attempts(retry_after: int) -> DomainError:
    minutes = max(1, math.ceil(retry_after / 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}" if minutes < 120 else f"{math.ceil(minutes / 60)} hours"
    return DomainError(
        "too_many_attempts",
        f"Too many attempts on this gallery, try again in {wait}. "
        "You can still open it without the download PIN to view the photos.",
        THROTTLED,
        retry_after=retry_after,
    )


@dataclass
class PinAttempt:
    """One reserved PIN attempt: `keep()` when the PIN was wrong, `give_back()` when it was right."""

    gallery: Gallery
    windows: list[tuple[int, dict]] = field(default_factory=list)  # (limit, row lookup) of each reserved slot

    def give_back(self) -> None:
        for _limit, row in self.windows:
            PinAttemptWindow.objects.filter(**row, failures__gt=0).update(failures=F("failures") - 1)
        self.windows = []

    def keep(self) -> None:
        """The PIN was wrong: the slots stay used; the first attempt to fill a window tells the photographer."""
        for limit, row in self.windows:
            # A conditional UPDATE: of concurrent attempts, exactly one reports the lock.
            if PinAttemptWindow.objects.filter(**row, failures__gte=limit, reported=False).update(reported=True):
                report_lock(self.gallery, limit, row["seconds"], row["starts_at"])
                break


def reserve_pin_attempt(gallery: Gallery, now: datetime | None = None) -> PinAttempt:
    """Take one attempt from each of the gallery's windows, or raise `too_many_attempts` if any is used up."""
    now = now or timezone.now()
    attempt = PinAttempt(gallery)
    for limit, seconds in pin_attempt_limits():
        row = {
            "studio_id": gallery.studio_id,
            "gallery": gallery,
            "seconds": seconds,
            "starts_at": window_start(now, seconds),
        }
        _ensure_window(row, now)
        if not PinAttemptWindow.objects.filter(**row, failures__lt=limit).update(failures=F("failures") + 1):
            attempt.give_back()  # the shorter windows' slots: this attempt never reached the PIN
            ends_at = row["starts_at"] + timedelta(seconds=seconds)
            raise too_many_attempts(max(1, math.ceil((ends_at - now).total_seconds())))
        attempt.windows.append((limit, row))
    return attempt


def _ensure_window(row: dict, now: datetime) -> None:
    if PinAttemptWindow.objects.filter(**row).exists():
        return
    try:
        with transaction.atomic():
            PinAttemptWindow.objects.create(**row)
    except IntegrityError:
        return  # a concurrent attempt created it
    # A new window: the gallery's finished ones of this length are history.
    PinAttemptWindow.objects.for_studio(row["studio_id"]).filter(
        gallery=row["gallery"], seconds=row["seconds"], starts_at__lt=row["starts_at"]
    ).delete()


def report_lock(gallery: Gallery, limit: int, seconds: int, starts_at: datetime) -> None:
    if gallery.client_id:
        until = starts_at + timedelta(seconds=seconds)
        record_activity(
            gallery.client,
            "gallery_locked",
            f"{gallery.title}: {limit} wrong download PINs; PIN entry paused until {until:%d %b %H:%M} UTC",
            data={"gallery": gallery.pk, "wrong_pins": limit, "until": until.isoformat()},
        )


def pin_lock_for(gallery: Gallery, now: datetime | None = None) -> PinAttemptWindow | None:
    """The window that pauses PIN entry on `gallery` now, if any (for the photographer's activity page)."""
    now = now or timezone.now()
    rows = {
        (w.seconds, w.starts_at): w
        for w in PinAttemptWindow.objects.for_studio(gallery.studio_id).filter(gallery=gallery)
    }
    locks = [
        rows[key]
        for limit, seconds in pin_attempt_limits()
        if (key := (seconds, window_start(now, seconds))) in rows and rows[key].failures >= limit
    ]
    return max(locks, key=lambda w: w.ends_at, default=None)
