"""Studio API keys, outgoing webhooks and the stored answers of idempotent requests."""

import base64
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from studios.models import Studio, StudioOwned, StudioOwnedQuerySet

KEY_PREFIX = "ff_"


class ApiKeyQuerySet(StudioOwnedQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(StudioOwned):
    """A developer's key for the studio API. Only a hash is kept; the key is shown once."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="What uses this key, e.g. “Client site on Vercel”.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({KEY_PREFIX}{self.prefix}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        # Keys are 32 random bytes: a fast hash is enough (nothing to brute-force).
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, *, studio: Studio, name: str, scope: str = Scope.READ, created_by=None) -> tuple["ApiKey", str]:
        """Create a key; returns it with the full key string, which is never stored."""
        prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        key = cls.objects.create(
            studio=studio,
            name=name,
            scope=scope,
            created_by=created_by,
            prefix=prefix,
            secret_hash=cls.hash_secret(secret),
        )
        return key, f"{KEY_PREFIX}{prefix}_{secret}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class WebhookEvent(models.TextChoices):
    INQUIRY_CREATED = "inquiry.created"
    BOOKING_CREATED = "booking.created"
    BOOKING_CONFIRMED = "booking.confirmed"
    BOOKING_RESCHEDULED = "booking.rescheduled"
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_COMPLETED = "booking.completed"
    CONTRACT_SENT = "contract.sent"
    CONTRACT_SIGNED = "contract.signed"
    INVOICE_SENT = "invoice.sent"
    INVOICE_PAID = "invoice.paid"
    GALLERY_PUBLISHED = "gallery.published"
    GALLERY_EXPIRING = "gallery.expiring"
    SELECTION_SUBMITTED = "selection.submitted"
    CLIENT_STAGE_CHANGED = "client.stage_changed"
    WORKFLOW_WEBHOOK = "workflow.webhook"
    WORKFLOW_RUN_FAILED = "workflow.run_failed"
    QUESTIONNAIRE_ANSWERED = "questionnaire.answered"
    PROPOSAL_SENT = "proposal.sent"
    PROPOSAL_ACCEPTED = "proposal.accepted"
    PROPOSAL_DECLINED = "proposal.declined"
    PROPOSAL_WITHDRAWN = "proposal.withdrawn"


def new_signing_secret():
    # Standard base64 after the prefix, as Standard Webhooks libraries read it (webhook_signing.standard_key).
    return f"whsec_{base64.b64encode(secrets.token_bytes(32)).decode()}"


class WebhookEndpoint(StudioOwned):
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500, help_text="HTTPS address that receives POSTed events.")
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="Event names to send; empty means every event.")
    secret = models.CharField(max_length=80, default=new_signing_secret, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]

    def get_events_display(self) -> str:
        """The admin's listing and inspect screen: 'booking.created, invoice.paid', or 'Every event'."""
        return ", ".join(self.events) if self.events else "Every event"

    def __str__(self):
        return self.url

    def wants(self, event: str) -> bool:
        return self.is_active and (not self.events or event in self.events)


class WebhookDelivery(StudioOwned):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        RETRYING = "retrying", "Retrying"
        FAILED = "failed", "Failed"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="webhook_deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=40, db_index=True)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event} → {self.endpoint.url} ({self.get_status_display()})"


class IdempotentRequest(StudioOwned):
    """The first answer to a creating POST sent with an `Idempotency-Key` (frontend_api.idempotency).

    Written in the transaction of what the request created, so a retry finds the answer exactly when the
    object exists; kept for IDEMPOTENCY_KEY_TTL, then purged (`purge_expired_idempotency_keys`)."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")
    # Who may replay it: "apikey:<id>", "galleryaccess:<id>" or "anonymous" (the path and body still must match).
    caller = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    # DRF's encoder, as the response was rendered: a replay's body is the first body.
    body = models.JSONField(encoder=JSONEncoder, null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["studio", "caller", "key"], name="idempotency_key_once_per_caller")
        ]

    def __str__(self):
        return f"{self.key} ({self.status_code})"
