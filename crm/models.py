"""The studio's clients, their tags, inquiries and timeline; the studio's to-dos and questionnaires."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from wagtail.fields import StreamField

from studios.models import Studio, StudioKeyedChild, StudioOwned

from .questionnaire_blocks import QuestionStreamBlock


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
        QUESTIONNAIRE_SENT = "questionnaire_sent", "Questionnaire sent"
        QUESTIONNAIRE_ANSWERED = "questionnaire_answered", "Questionnaire answered"
        QUESTIONNAIRE_WITHDRAWN = "questionnaire_withdrawn", "Questionnaire withdrawn"
        TODO_DONE = "todo_done", "To-do done"
        PORTAL_LINK_SENT = "portal_link_sent", "Portal link sent"
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
        indexes = [models.Index(fields=["studio", "client", "-occurred_at"], name="activity_studio_client_time")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary}"


class PortalLink(StudioOwned):
    """A one-time sign-in link to the client portal (crm.portal): only the token's hash is kept."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="portal_links")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="portal_links")
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["studio", "token_hash"], name="portallink_studio_token")]

    def __str__(self):
        return f"Portal link for {self.client_id} ({self.created_at:%Y-%m-%d %H:%M})"


class PortalSession(StudioOwned):
    """A client signed in to the portal (a cookie on the studio's host, or a bearer token for the client API)."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="portal_sessions")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="portal_sessions")
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["studio", "token_hash"], name="portalsession_studio_token")]

    def __str__(self):
        return f"Portal session of {self.client_id} ({self.created_at:%Y-%m-%d %H:%M})"


class Todo(StudioOwned):
    """Something the studio has to do (by hand, or created by a workflow step): shown on the dashboard."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="todos")
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="todos")
    due_at = models.DateTimeField(null=True, blank=True, help_text="When it should be done (your time zone).")
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    source = models.CharField(max_length=100, blank=True, editable=False, help_text='e.g. "workflow:12"')
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_at", "pk"]
        verbose_name = "to-do"
        verbose_name_plural = "to-dos"
        indexes = [models.Index(fields=["studio", "done_at", "due_at"], name="crm_todo_studio_open_due")]

    def __str__(self):
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < timezone.now()


class Questionnaire(StudioOwned):
    """A form the studio writes once ("Session planning") and sends to clients (crm.questionnaires)."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="questionnaires")
    name = models.CharField(max_length=120)
    intro = models.TextField(blank=True, help_text="Shown to the client above the questions.")
    questions = StreamField(QuestionStreamBlock(), blank=True, use_json_field=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def question_count(self) -> int:
        return len(self.questions)


def new_questionnaire_token() -> str:
    return secrets.token_urlsafe(32)


class QuestionnaireRequest(StudioOwned):
    """One questionnaire sent to one client (for a booking, or none): the questions as they were when sent,
    the secret link's token, and the answers once given."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="questionnaire_requests")
    # Deleting the questionnaire keeps what was sent (the questions are frozen below) and the answers.
    questionnaire = models.ForeignKey(
        Questionnaire, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="questionnaire_requests")
    # crm sits below bookings: the booking is named by its id only (no foreign key across the layers).
    booking_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    token = models.CharField(max_length=64, default=new_questionnaire_token, editable=False)
    title = models.CharField(max_length=120)
    intro = models.TextField(blank=True)
    questions = models.JSONField(default=list)  # frozen: [{"id", "type", "label", "help", "required", "options"}]
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Withdrawn before it was answered (crm.questionnaires.withdraw_request: the booking was cancelled): the
    # link then says so and takes no answers.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=list, blank=True)  # [{"id", "label", "type", "value"}] in question order
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["studio", "questionnaire", "client", "booking_id"], name="crm_qreq_identity")]
        constraints = [models.UniqueConstraint(fields=["studio", "token"], name="questionnairereq_studio_token")]

    def __str__(self):
        return f"{self.title} for {self.client.name}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None and self.answered_at is None
