"""A client's lifecycle stage (prospect → lead → booked → customer → repeat), advanced by events.

Events only move a client forward; a photographer may set any stage by hand (the admin, the studio API) and a
workflow may move it (`set_stage`). Every change lands on the timeline and publishes `client.stage_changed`."""

from django.db.models import F

from studios import events

from .models import Activity, Client

ORDER = [Client.Stage.PROSPECT, Client.Stage.LEAD, Client.Stage.BOOKED, Client.Stage.CUSTOMER, Client.Stage.REPEAT]
Kind = Activity.Kind


def stage_after(client: Client, kind: str) -> str:
    """The stage an event of `kind` implies for `client` (never lower than the current one)."""
    current = Client.Stage(client.stage)
    if kind == Kind.INQUIRY_RECEIVED:
        target = Client.Stage.LEAD
    elif kind in (Kind.BOOKING_MADE, Kind.BOOKING_CONFIRMED, Kind.CONTRACT_SIGNED):
        # A customer who books again has come back.
        target = (
            Client.Stage.REPEAT
            if current == Client.Stage.CUSTOMER and kind == Kind.BOOKING_MADE
            else Client.Stage.BOOKED
        )
    elif kind in (Kind.BOOKING_COMPLETED, Kind.INVOICE_PAID):
        target = Client.Stage.CUSTOMER
    else:
        return current
    return max(current, target, key=ORDER.index)


def advance(client: Client, kind: str) -> bool:
    """Move `client` forward for an event; returns True when the stage changed."""
    new = stage_after(client, kind)
    if new == client.stage:
        return False
    old = client.stage
    # Conditional update: two events at once cannot move the stage backwards.
    updated = Client.objects.filter(pk=client.pk, stage=old).update(stage=new, updated_at=F("updated_at"))
    if updated:
        client.stage = new
        Activity.objects.create(
            studio_id=client.studio_id,
            client=client,
            kind=Kind.STAGE_CHANGED,
            summary=f"{Client.Stage(old).label} → {Client.Stage(new).label}",
            data={"from": old, "to": new, "because": kind},
        )
        events.publish(client.studio, "client.stage_changed", client, from_stage=old, to=new)
    return bool(updated)


def stage_was_set(client: Client, old: str, *, because: str, note: str = "", user=None, **data) -> None:
    """`client.stage` was just set from `old` by hand or by a workflow, not by an event's rule: the timeline
    line and `client.stage_changed` an event's move gets (so "stage changed" workflows hear it too)."""
    if old == client.stage:
        return
    summary = f"{Client.Stage(old).label} → {Client.Stage(client.stage).label}" + (f" ({note})" if note else "")
    Activity.objects.create(
        studio_id=client.studio_id,
        client=client,
        kind=Kind.STAGE_CHANGED,
        summary=summary[:300],
        data={"from": old, "to": client.stage, "because": because, **data},
        created_by=user,
    )
    events.publish(client.studio, "client.stage_changed", client, from_stage=old, to=client.stage)


def set_stage(client: Client, stage: str, *, because: str, note: str = "", user=None, **data) -> bool:
    """Move `client` to `stage` (any stage, forward or back); returns True when it changed."""
    old = client.stage
    if old == stage:
        return False
    Client.objects.filter(pk=client.pk).update(stage=stage, updated_at=F("updated_at"))
    client.stage = stage
    stage_was_set(client, old, because=because, note=note, user=user, **data)
    return True
