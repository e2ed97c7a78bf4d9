"""Proposals: one link that offers a client a package (a session type, at a proposed time or one they pick),
its contract and its invoice, to accept, sign and pay in that order (what HoneyBook calls a proposal)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from studios.models import Studio, StudioOwned


def new_proposal_token() -> str:
    return secrets.token_urlsafe(32)


class Proposal(StudioOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        VIEWED = "viewed", "Viewed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        VOID = "void", "Withdrawn"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="proposals")
    client = models.ForeignKey("crm.Client", on_delete=models.PROTECT, related_name="proposals")
    session_type = models.ForeignKey(
        "bookings.SessionType", on_delete=models.PROTECT, related_name="proposals", verbose_name="package"
    )
    start = models.DateTimeField(
        null=True, blank=True, help_text="The proposed date and time; leave empty to let the client pick a free slot."
    )
    contract_template = models.ForeignKey(
        "contracts.ContractTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        help_text="The contract the client signs; empty: the package's own contract template (if any).",
    )
    message = models.TextField(blank=True, help_text="A personal note shown on the proposal (plain text).")
    token = models.CharField(max_length=64, default=new_proposal_token, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True, editable=False
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="After this the client can no longer accept.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    viewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What accepting produced.
    # The booking an accepted proposal made: one proposal per booking, unique within the studio (below).
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "token"], name="proposal_studio_token"),
            models.UniqueConstraint(fields=["studio", "booking"], name="proposal_studio_booking"),
        ]

    def __str__(self):
        return f"{self.session_type} for {self.client}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def current_status(self) -> str:
        """The status a client sees: an open proposal past its expiry is expired."""
        if self.status in (self.Status.SENT, self.Status.VIEWED) and self.is_expired:
            return self.Status.EXPIRED
        return self.status

    @property
    def is_open(self) -> bool:
        return self.current_status in (self.Status.SENT, self.Status.VIEWED)

    @property
    def client_picks_time(self) -> bool:
        return self.start is None

    @property
    def effective_contract_template(self):
        return self.contract_template or self.session_type.contract_template


def proposal_for_token(studio: Studio | None, token: str) -> Proposal | None:
    """The studio's sent proposal behind a client's secret link; None for another studio's, a draft, or no studio.
    Used by the proposal page and the client API."""
    if studio is None:
        return None
    return (
        Proposal.objects.for_studio(studio)
        .exclude(status=Proposal.Status.DRAFT)
        .select_related("studio", "client", "session_type", "contract_template", "booking", "contract", "invoice")
        .filter(token=token)
        .first()
    )
