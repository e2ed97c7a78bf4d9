"""Session types (packages), availability and bookings."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page

from studios.links import studio_url
from studios.models import Studio, StudioOwned
from studios.preview import StudioPreviewMixin

# Statuses that hold a slot in the calendar; a cancelled booking frees it.
ACTIVE_STATUSES = ("inquiry", "booked", "confirmed", "completed")


def new_manage_token() -> str:
    return secrets.token_urlsafe(32)


class SessionType(StudioOwned):
    """A package a client can book: 'Wedding — full day', 'Family portrait'."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="session_types")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    duration = models.DurationField(default=timedelta(hours=1))
    # Money in integer minor units (pence, cents) in the studio's currency.
    price = models.PositiveIntegerField(default=0, help_text="In minor units (cents).")
    deposit_amount = models.PositiveIntegerField(default=0, help_text="Fixed deposit in minor units, or 0.")
    deposit_percent = models.PositiveSmallIntegerField(
        default=0, help_text="Deposit as a percentage of the price, or 0."
    )
    buffer_before = models.DurationField(default=timedelta(0))
    buffer_after = models.DurationField(default=timedelta(0))
    location = models.CharField(max_length=200, blank=True)
    cover_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown with the package on the booking page (and in the API for custom sites).",
    )
    max_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    auto_confirm = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    contract_template = models.ForeignKey(
        "contracts.ContractTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="session_types",
        help_text="Issued to the client for signing when they book.",
    )
    slot_interval = models.DurationField(
        default=timedelta(minutes=30), help_text="Offered start times are this far apart."
    )
    minimum_notice = models.DurationField(
        default=timedelta(hours=24), help_text="How soon before a session clients may still book it."
    )
    booking_horizon = models.DurationField(default=timedelta(days=180), help_text="How far ahead clients may book.")
    # The studio's policy for changes the client makes on their booking's manage page (bookings/policy.py).
    client_change_hours = models.PositiveIntegerField(
        "clients may change until (hours before)",
        default=48,
        help_text="Clients may reschedule or cancel online until this many hours before the session; "
        "0 = not online (they contact you).",
    )
    reschedule_limit = models.PositiveSmallIntegerField(
        "online reschedules allowed",
        default=1,
        help_text="How many times a client may move a booking themselves; 0 = cancel only.",
    )
    cancellation_deposit = models.CharField(
        "deposit on cancellation",
        max_length=10,
        choices=[("kept", "Kept by the studio"), ("refunded", "Refunded to the client")],
        default="kept",
        help_text="When the client cancels online. Anything paid beyond the deposit is always refunded.",
    )
    full_refund_hours = models.PositiveIntegerField(
        "full refund if cancelled more than (hours before)",
        default=0,
        help_text="A cancellation this many hours or more before the session refunds the deposit too; 0 = never.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(deposit_percent__lte=100), name="deposit_percent_at_most_100"),
            models.CheckConstraint(condition=models.Q(duration__gt=timedelta(0)), name="session_duration_positive"),
            models.CheckConstraint(
                condition=models.Q(slot_interval__gt=timedelta(0)), name="session_slot_interval_positive"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def deposit(self) -> int:
        """The deposit in minor units: the fixed amount, else the percentage of the price (rounded down)."""
        if self.deposit_amount:
            return min(self.deposit_amount, self.price)
        return self.price * self.deposit_percent // 100


class AvailabilityRule(StudioOwned):
    """Weekly working hours, in the studio's time zone: 'Tuesdays 09:00–17:00'."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="availability_rules")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="rule_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self):
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The end must be after the start (for overnight hours, add two rules)."})


class AvailabilityOverride(StudioOwned):
    """A day that differs from the weekly hours: a blackout (all day or some hours) or extra hours."""

    class Kind(models.TextChoices):
        BLACKOUT = "blackout", "Blackout (not available)"
        EXTRA = "extra", "Extra hours"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="availability_overrides")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BLACKOUT)
    start_time = models.TimeField(null=True, blank=True, help_text="Leave both times empty to block the whole day.")
    end_time = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True, end_time__isnull=True, kind="blackout")
                | models.Q(start_time__isnull=False, end_time__isnull=False, end_time__gt=models.F("start_time")),
                name="override_times_valid",
            )
        ]

    def __str__(self):
        hours = f" {self.start_time:%H:%M}–{self.end_time:%H:%M}" if self.start_time else " (all day)"
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}{hours}"

    def clean(self):
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError("Give both a start and an end time, or neither for the whole day.")
        if self.start_time is None and self.kind == self.Kind.EXTRA:
            raise ValidationError({"start_time": "Extra hours need a start and an end time."})
        if self.start_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The end must be after the start."})


class Booking(StudioOwned):
    class Status(models.TextChoices):
        INQUIRY = "inquiry", "Inquiry"
        BOOKED = "booked", "Booked"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="bookings")
    client = models.ForeignKey("crm.Client", on_delete=models.PROTECT, related_name="bookings")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The span the booking keeps free in the calendar: [start - buffer_before, end + buffer_after).
    # Stored, so the PostgreSQL exclusion constraint can compare rows directly.
    blocked_start = models.DateTimeField(editable=False)
    blocked_end = models.DateTimeField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED, db_index=True)
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # The client's secret link to their booking's manage page (reschedule, cancel): random, like the
    # contract's and invoice's tokens, and looked up only within the host's studio.
    manage_token = models.CharField(max_length=64, default=new_manage_token, editable=False)
    client_reschedules = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="How many times the client moved it online (the policy's limit)."
    )

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="booking_ends_after_start"),
            models.UniqueConstraint(fields=["studio", "manage_token"], name="booking_studio_manage_token"),
        ]
        indexes = [models.Index(fields=["studio", "blocked_start", "blocked_end"], name="booking_blocked_span")]

    def __str__(self):
        return f"{self.session_type} for {self.client.name} at {self.local_start:%Y-%m-%d %H:%M}"

    @property
    def local_start(self):
        return self.start.astimezone(self.studio.tz)

    @property
    def local_end(self):
        return self.end.astimezone(self.studio.tz)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def save(self, *args, **kwargs):
        self.blocked_start = self.start - self.session_type.buffer_before
        self.blocked_end = self.end + self.session_type.buffer_after
        if kwargs.get("update_fields") is not None and {"start", "end"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "blocked_start", "blocked_end"}
        super().save(*args, **kwargs)

    @property
    def manage_url(self) -> str:
        """The client's page to see, reschedule or cancel this booking, on the studio's site."""
        return studio_url(self.studio, reverse("booking_manage", args=[self.manage_token]))

    @property
    def contract_status(self) -> str:
        """The latest contract's status for listings ('' without one)."""
        contracts = getattr(self, "contracts", None)
        if contracts is None:
            return ""
        latest = max(contracts.all(), key=lambda c: c.version, default=None)
        return latest.get_status_display() if latest else ""


class BookingEvent(StudioOwned):
    """A booking's history: made, confirmed, rescheduled (from → to), cancelled, reminded."""

    class Kind(models.TextChoices):
        CREATED = "created", "Booked"
        CONFIRMED = "confirmed", "Confirmed"
        RESCHEDULED = "rescheduled", "Rescheduled"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        REMINDER_SENT = "reminder_sent", "Reminder sent"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="booking_events")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    previous_start = models.DateTimeField(null=True, blank=True)
    previous_end = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(StudioOwned):
    """The studio's secret iCal address for Google/Apple Calendar. Reset the token to revoke old links."""

    studio = models.OneToOneField(Studio, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["studio", "token"], name="calendarfeed_studio_token")]

    def __str__(self):
        return f"Calendar feed of {self.studio}"

    @property
    def feed_url(self) -> str:
        return studio_url(self.studio, reverse("client:calendar-feed", args=[self.token]))


class BookingPage(StudioPreviewMixin, Page):
    """The studio site's "Book a session" page: the studio's packages, their free slots in the
    visitor's and the studio's time zone, and a request form, all drawn by static/site/booking.js from the
    public client API (no server-only data: a custom site can do the same)."""

    intro = RichTextField(blank=True, help_text="Shown above the packages: what to expect, how booking works.")
    thank_you = RichTextField(
        blank=True, help_text="Shown once a client has booked, above the next steps (contract, deposit)."
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("thank_you")]
    api_fields = [APIField("intro"), APIField("thank_you")]
    parent_page_types = ["cms.StudioHomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    template = "bookings/booking_page.html"
