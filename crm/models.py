"""The studio's clients, their tags, inquiries and timeline."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from studios.models import Studio, StudioKeyedChild, StudioOwned


class ClientTag(StudioOwned):
    """A label a studio puts on its clients ('wedding 2027', 'referral'). Tags never cross studios."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="client_tags")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("studio", Lower("name"), name="unique_client_tag_per_studio")]

    def __str__(self):
        return self.name


class Client(StudioOwned):
    class Stage(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        LEAD = "lead", "Lead"
        BOOKED = "booked", "Booked"
        CUSTOMER = "customer", "Customer"
        REPEAT = "repeat", "Repeat customer"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.PROSPECT, db_index=True)
    tags = models.ManyToManyField(ClientTag, blank=True, related_name="clients", through="ClientTagging")
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="Where they found you: website, referral…")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("studio", Lower("email"), name="unique_client_email_per_studio"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def tag_list(self) -> str:
        return ", ".join(t.name for t in self.tags.all())

    def save(self, *args, **kwargs):
        self.email = self.email.strip()
        super().save(*args, **kwargs)


class ClientTagging(StudioKeyedChild):
    """A tag on a client: the table Django made for `Client.tags` (`crm_client_tags`, same rows), with the studio
    key. `client.tags.add()`/`set()` stamp it from the client (`through_defaults={"studio": …}` where it is known)."""

    STUDIO_FROM = "client"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey(ClientTag, on_delete=models.CASCADE, related_name="+", db_column="clienttag_id")

    class Meta:
        db_table = "crm_client_tags"
        constraints = [models.UniqueConstraint(fields=["studio", "client", "tag"], name="unique_client_tagging")]
        indexes = [models.Index(fields=["studio", "tag"], name="client_tagging_studio_tag")]

    def __str__(self):
        return f"{self.tag_id} on {self.client_id}"


class Inquiry(StudioOwned):
    """A message from the studio's lead form."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="inquiries")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="inquiries")
    message = models.TextField()
    event_date = models.DateField(null=True, blank=True)
    session_type = models.ForeignKey(
        "bookings.SessionType", null=True, blank=True, on_delete=models.SET_NULL, related_name="inquiries"
    )
    source = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "inquiries"

    def __str__(self):
        return f"Inquiry from {self.client.name} ({self.created_at:%Y-%m-%d})"


class Activity(StudioOwned):
    """One line on a client's timeline: recorded by events (record_activity) or by hand (notes)."""

    class Kind(models.TextChoices):
        INQUIRY_RECEIVED = "inquiry_received", "Inquiry received"
        BOOKING_MADE = "booking_made", "Booking made"
        BOOKING_CONFIRMED = "booking_confirmed", "Booking confirmed"
        BOOKING_RESCHEDULED = "booking_rescheduled", "Booking rescheduled"
        BOOKING_CANCELLED = "booking_cancelled", "Booking cancelled"
        BOOKING_COMPLETED = "booking_completed", "Session completed"
        CONTRACT_SENT = "contract_sent", "Contract sent"
        CONTRACT_VIEWED = "contract_viewed", "Contract viewed"
        CONTRACT_SIGNED = "contract_signed", "Contract signed"
        CONTRACT_COUNTERSIGNED = "contract_countersigned", "Contract countersigned"
        INVOICE_SENT = "invoice_sent", "Invoice sent"
        PAYMENT_RECEIVED = "payment_received", "Payment received"
        INVOICE_PAID = "invoice_paid", "Invoice paid"
        GALLERY_VIEWED = "gallery_viewed", "Gallery viewed"
        GALLERY_DOWNLOADED = "gallery_downloaded", "Gallery downloaded"
        GALLERY_LOCKED = "gallery_locked", "Gallery PIN paused after wrong attempts"
        STAGE_CHANGED = "stage_changed", "Stage changed"
        EMAIL_FAILED = "email_failed", "E-mail failed"
        EMAIL_SUPPRESSED = "email_suppressed", "E-mail bounced or marked as spam"
        EMAIL_UNSUBSCRIBED = "email_unsubscribed", "Unsubscribed from marketing e-mail"
        NOTE = "note", "Note"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="client_activities")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["client", "-occurred_at"], name="crm_activity_client_time")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary}"


class PortalLink(StudioOwned):
    """A one-time sign-in link to the client portal (crm.portal): only the token's hash is kept."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="portal_links")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="portal_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Portal link for {self.client_id} ({self.created_at:%Y-%m-%d %H:%M})"


class PortalSession(StudioOwned):
    """A client signed in to the portal (a cookie on the studio's host, or a bearer token for the client API)."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="portal_sessions")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="portal_sessions")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Portal session of {self.client_id} ({self.created_at:%Y-%m-%d %H:%M})"
