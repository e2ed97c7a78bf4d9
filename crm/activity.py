"""The client timeline's one entry point: other apps (bookings, contracts, billing, galleries) call
`record_activity(client, kind, ...)`; the client's stage follows (crm.lifecycle)."""

from datetime import datetime
from typing import Any

from django.utils import timezone

from . import lifecycle
from .models import Activity, Client


def record_activity(
    client: Client,
    kind: str,
    summary: str = "",
    *,
    data: dict[str, Any] | None = None,
    user=None,
    at: datetime | None = None,
) -> Activity:
    """Add a line to `client`'s timeline, e.g. `record_activity(client, "invoice_paid", "Invoice 2026-004")`."""
    if kind not in Activity.Kind.values:
        raise ValueError(f"unknown activity kind {kind!r}; one of {', '.join(Activity.Kind.values)}")
    activity = Activity.objects.create(
        studio_id=client.studio_id,
        client=client,
        kind=kind,
        summary=summary[:300],
        data=data or {},
        created_by=user,
        occurred_at=at or timezone.now(),
    )
    lifecycle.advance(client, kind)
    return activity


def add_note(client: Client, text: str, user=None) -> Activity:
    return record_activity(client, Activity.Kind.NOTE, text.strip(), user=user)
