"""Session types (packages), availability and bookings."""

from datetime import timedelta

from django.db import models

from cms.models import Studio, StudioOwned


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
    max_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    auto_confirm = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


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
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED, db_index=True)
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="booking_ends_after_start")
        ]

    def __str__(self):
        return f"{self.session_type} for {self.client.name} at {self.start:%Y-%m-%d %H:%M}"
