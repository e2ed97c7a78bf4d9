"""The studio's clients and their timeline."""

from django.db import models
from django.db.models.functions import Lower

from cms.models import Studio, StudioOwned


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

    def save(self, *args, **kwargs):
        self.email = self.email.strip()
        super().save(*args, **kwargs)
