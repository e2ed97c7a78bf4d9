"""What the studio e-mailed a client, for the client's page: each message of the studio's outbox
(studios.OutgoingEmail) addressed to the client's address, as a line of the timeline that opens the message."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse

from studios.models import OutgoingEmail

from .models import Activity, Client

MAX_EMAILS = 200


def emails_to(client: Client, limit: int = MAX_EMAILS):
    """The studio's messages to the client's address (any case), newest first. `to` is a JSON list: matched on
    its text with the address in quotes, so another address that merely contains this one does not match."""
    address = client.email.strip().lower()
    if not address:
        return OutgoingEmail.objects.none()
    return (
        OutgoingEmail.objects.for_studio(client.studio)
        .annotate(to_text=Cast("to", TextField()))
        .filter(to_text__icontains=f'"{address}"')
        .defer("body", "html", "attachments", "headers")
        .order_by("-created_at", "-pk")[:limit]
    )


def email_of(client: Client, email_id) -> OutgoingEmail | None:
    """One message of the client's studio to the client's address, else None."""
    if not str(email_id).isdigit():
        return None
    address = client.email.strip().lower()
    email = OutgoingEmail.objects.for_studio(client.studio).filter(pk=email_id).first()
    if email is None or address not in {str(to).strip().lower() for to in email.to}:
        return None
    return email


@dataclass
class EmailLine:
    """A message on the timeline, read by the same template lines as an Activity."""

    occurred_at: datetime
    kind: str
    summary: str
    links: list = field(default_factory=list)
    created_by = None
    answers = None

    def get_kind_display(self) -> str:
        return self.kind


KIND = {
    OutgoingEmail.State.SENT: "E-mail sent",
    OutgoingEmail.State.PENDING: "E-mail waiting to be sent",
    OutgoingEmail.State.SENDING: "E-mail waiting to be sent",
    OutgoingEmail.State.FAILED: "E-mail not delivered",
    OutgoingEmail.State.SUPPRESSED: "E-mail not sent",
}


def email_url(client: Client, email_id: int) -> str:
    return reverse("clients:email", args=[client.pk, email_id])


def timeline(client: Client, activities: list, limit: int = MAX_EMAILS) -> list:
    """The client's activities and messages, newest first. A message that already has its own line (an
    "E-mail failed" activity names it) is not listed twice; that line links to it instead."""
    told = set()
    for activity in activities:
        email_id = (activity.data or {}).get("email") if activity.kind == Activity.Kind.EMAIL_FAILED else None
        if isinstance(email_id, int):
            told.add(email_id)
            activity.links = [*activity.links, ("E-mail", email_url(client, email_id))]
    lines = [
        EmailLine(
            occurred_at=email.sent_at or email.created_at,
            kind=KIND.get(email.state, "E-mail"),
            summary=email.subject,
            links=[("E-mail", email_url(client, email.pk))],
        )
        for email in emails_to(client, limit)
        if email.pk not in told
    ]
    return sorted([*activities, *lines], key=lambda line: line.occurred_at, reverse=True)[: max(limit, len(activities))]
