"""Billing: the platform's plans and studio subscriptions, Stripe Connect accounts,
client invoices with their payment schedules, payments, refunds and the Stripe event ledger.

Money is integer minor units (cents, pence) everywhere; an invoice's currency is the studio's."""

import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from studios.formatting import format_amount
from studios.models import Studio, StudioKeyedChild, StudioOwned


class Plan(models.Model):
    """A subscription tier of the platform. Limits are data; `None` means unlimited."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=60)
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="Cheapest first.")
    monthly_price = models.PositiveIntegerField(help_text="In minor units of `currency`.")
    currency = models.CharField(max_length=3, default="usd")
    trial_days = models.PositiveSmallIntegerField(default=14)

    storage_gb = models.PositiveIntegerField()
    active_galleries = models.PositiveIntegerField(null=True, blank=True, help_text="Empty = unlimited.")
    staff_seats = models.PositiveIntegerField(null=True, blank=True, help_text="Empty = unlimited.")
    custom_domain = models.BooleanField(default=False)
    white_label = models.BooleanField(default=False, help_text='Remove "Powered by FocusFlow".')
    api_access = models.BooleanField(default=False)
    workflow_automation = models.BooleanField(default=False)
    transaction_fee_bps = models.PositiveSmallIntegerField(
        help_text="Platform fee on client payments in basis points (200 = 2 %)."
    )

    stripe_product_id = models.CharField(max_length=100, blank=True)
    stripe_price_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["sort_order"]

    def __str__(self):
        return self.name

    def application_fee(self, amount: int) -> int:
        """The platform's fee on a client payment of `amount`, rounded half-up to a minor unit."""
        fee = Decimal(amount) * self.transaction_fee_bps / 10_000
        return int(fee.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class StudioSubscription(StudioOwned):
    """The studio's subscription to the platform, kept in step with Stripe by webhooks."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Awaiting first payment"
        TRIALING = "trialing", "Trial"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"

    studio = models.OneToOneField(Studio, on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INCOMPLETE, db_index=True)
    stripe_customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # `created` of the newest Stripe event applied: an older snapshot arriving late is ignored.
    stripe_state_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.studio} on {self.plan} ({self.get_status_display()})"


class ConnectedAccount(StudioOwned):
    """The studio's own Stripe (Express) account: client payments land there."""

    studio = models.OneToOneField(Studio, on_delete=models.CASCADE, related_name="connected_account")
    stripe_account_id = models.CharField(max_length=100, unique=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    country = models.CharField(max_length=2, blank=True)
    default_currency = models.CharField(max_length=3, blank=True)
    stripe_state_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.stripe_account_id

    @property
    def status_label(self) -> str:
        if self.charges_enabled and self.payouts_enabled:
            return "Ready: accepting payments and paying out"
        if self.charges_enabled:
            return "Accepting payments; payouts pending verification"
        if self.details_submitted:
            return "Details submitted; Stripe is reviewing them"
        return "Onboarding not finished"


class InvoiceCounter(models.Model):
    """The next invoice number of a studio; locked with SELECT … FOR UPDATE when numbering."""

    studio = models.OneToOneField(Studio, on_delete=models.CASCADE, primary_key=True, related_name="+")
    next_number = models.PositiveIntegerField(default=1)


def new_invoice_token() -> str:
    return secrets.token_urlsafe(24)


class Invoice(StudioOwned, ClusterableModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        PARTIALLY_PAID = "partially_paid", "Partially paid"
        PAID = "paid", "Paid"
        VOID = "void", "Void"
        REFUNDED = "refunded", "Refunded"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="invoices")
    sequence = models.PositiveIntegerField(editable=False)
    number = models.CharField(max_length=30, editable=False)
    client = models.ForeignKey("crm.Client", on_delete=models.PROTECT, related_name="invoices")
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    currency = models.CharField(max_length=3, editable=False)
    tax_rate_bps = models.PositiveIntegerField(
        default=0, verbose_name="tax rate (basis points)", help_text="2000 = 20 %. Applied to the subtotal."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField()
    notes = models.TextField(blank=True)
    token = models.CharField(max_length=64, default=new_invoice_token, editable=False)

    # Kept by billing.invoicing.recalculate(), so listings and revenue sum in SQL.
    subtotal = models.IntegerField(default=0, editable=False)
    tax_amount = models.IntegerField(default=0, editable=False)
    total = models.IntegerField(default=0, editable=False)
    amount_paid = models.IntegerField(default=0, editable=False)
    amount_refunded = models.IntegerField(default=0, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "sequence"], name="unique_invoice_sequence_per_studio"),
            models.UniqueConstraint(fields=["studio", "token"], name="invoice_studio_token"),
        ]

    def __str__(self):
        return f"Invoice {self.number}"

    @property
    def total_display(self) -> str:
        return format_amount(self.total, self.currency)

    @property
    def amount_due(self) -> int:
        return max(self.total - self.amount_paid, 0)

    @property
    def net_paid(self) -> int:
        return self.amount_paid - self.amount_refunded

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.PARTIALLY_PAID)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.now().astimezone(self.studio.tz).date()
        return self.is_open and self.due_date < today


class InvoiceLine(StudioKeyedChild):
    class Kind(models.TextChoices):
        PACKAGE = "package", "Package"
        ADDON = "addon", "Add-on"
        DISCOUNT = "discount", "Discount"

    STUDIO_FROM = "invoice"

    invoice = ParentalKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PACKAGE)
    description = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    unit_amount = models.PositiveIntegerField(help_text="In minor units; discounts are entered positive.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        indexes = [models.Index(fields=["studio", "invoice"], name="invoiceline_studio_invoice")]

    def __str__(self):
        return self.description

    def clean(self):
        if self.quantity < 1:
            raise ValidationError({"quantity": "Quantity must be at least 1."})

    @property
    def amount(self) -> int:
        """Signed: a discount line subtracts."""
        value = self.quantity * self.unit_amount
        return -value if self.kind == self.Kind.DISCOUNT else value


class PaymentInstallment(StudioKeyedChild):
    """One step of an invoice's payment schedule: a deposit at booking, the balance before the session."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "Deposit"
        BALANCE = "balance", "Balance"

    STUDIO_FROM = "invoice"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="installments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.PositiveIntegerField()
    due_date = models.DateField()
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "due_date"]
        indexes = [models.Index(fields=["studio", "invoice"], name="installment_studio_invoice")]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.invoice}"


class Payment(StudioOwned):
    """A client payment attempt through Stripe Checkout; it succeeds only when a webhook says so."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="payments")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.PositiveIntegerField()
    application_fee_amount = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    stripe_account_id = models.CharField(max_length=100)
    stripe_checkout_session_id = models.CharField(max_length=200, null=True, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=200, null=True, blank=True)
    amount_refunded = models.PositiveIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # Stripe's ids are unique within the studio: an event names its studio (metadata, or the connected
        # account, billing.webhooks) before a payment is looked up by them.
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "stripe_checkout_session_id"], name="payment_studio_checkout_session"
            ),
            models.UniqueConstraint(
                fields=["studio", "stripe_payment_intent_id"], name="payment_studio_payment_intent"
            ),
        ]

    def __str__(self):
        return f"Payment {self.pk} on {self.invoice}"

    @property
    def refundable(self) -> int:
        return self.amount - self.amount_refunded if self.status == self.Status.SUCCEEDED else 0


class Refund(StudioOwned):
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    stripe_refund_id = models.CharField(max_length=200)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["studio", "stripe_refund_id"], name="refund_studio_stripe_refund")
        ]

    def __str__(self):
        return f"Refund {self.stripe_refund_id}"


class StripeEvent(models.Model):
    """The idempotency ledger: every verified Stripe event, stored once by its id."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (type not handled)"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Failed (will retry)"
        DEAD = "dead", "Dead-lettered (gave up; retry from the admin)"

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    account = models.CharField(max_length=100, blank=True, help_text="Connected account the event came from.")
    livemode = models.BooleanField(default=False)
    created = models.DateTimeField(help_text="When Stripe created the event.")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When the sweeper queues it again if it is not applied."
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"
