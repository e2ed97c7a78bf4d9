"""The studio's storage quota: the single place to ask how much a studio may store (billing's plan, later)."""

from django.db.models import Sum

from .models import StudioImage

GB = 1024**3


class QuotaExceeded(Exception):
    pass


def storage_quota_bytes(studio) -> int:
    """The studio's plan decides (billing.limits)."""
    from billing.limits import storage_quota_bytes as plan_quota

    return plan_quota(studio)


def storage_used_bytes(studio) -> int:
    return StudioImage.objects.for_studio(studio).aggregate(total=Sum("file_size"))["total"] or 0


def check_room_for(studio, incoming_bytes: int) -> None:
    quota = storage_quota_bytes(studio)
    used = storage_used_bytes(studio)
    if used + incoming_bytes > quota:
        raise QuotaExceeded(
            f"Your storage is full: {_human(used)} of {_human(quota)} used, and this file needs "
            f"{_human(incoming_bytes)}. Delete old galleries or upgrade your plan, then upload again."
        )


def _human(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
