"""The studio's storage quota: the single place to ask how much a studio may store (billing's plan), and
the counts of what galleries use that billing.limits checks against the plan (registered in apps.py)."""

import contextlib

from django.db.models import Sum
from wagtail.images.models import SourceImageIOError

from billing.limits import storage_quota_bytes as plan_quota
from studios.errors import TOO_LARGE, DomainError

from .models import ClientGalleryIndexPage, StudioImage

GB = 1024**3


class QuotaExceeded(DomainError):
    code = "storage_full"
    kind = TOO_LARGE

    def __init__(self, message: str):
        super().__init__(message=message)


def storage_quota_bytes(studio) -> int:
    """The studio's plan decides (billing.limits)."""
    return plan_quota(studio)


def storage_used_bytes(studio) -> int:
    return StudioImage.objects.for_studio(studio).aggregate(total=Sum("file_size"))["total"] or 0


def measured_storage_bytes(studio) -> int:
    """The plan's storage usage: images created in code get their size on first use, so a bounded
    batch of those is measured now."""
    for image in StudioImage.objects.for_studio(studio).filter(file_size__isnull=True)[:200]:
        with contextlib.suppress(SourceImageIOError):
            image.get_file_size()
    return storage_used_bytes(studio)


def active_galleries(studio) -> int:
    """Galleries are pages under the studio's client-gallery index; live ones count as active."""
    index = ClientGalleryIndexPage.objects.descendant_of(studio.home_page).first() if studio.home_page_id else None
    return index.get_children().live().count() if index else 0


def check_room_for(studio, incoming_bytes: int) -> None:
    quota = storage_quota_bytes(studio)
    used = storage_used_bytes(studio)
    if used + incoming_bytes > quota:
        raise QuotaExceeded(
            f"Your storage is full: {human_bytes(used)} of {human_bytes(quota)} used, and this file needs "
            f"{human_bytes(incoming_bytes)}. Delete old galleries or upgrade your plan, then upload again."
        )


def human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
