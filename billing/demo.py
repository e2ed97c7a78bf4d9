"""Billing demo data (called by `manage.py seed_demo`, idempotent, no network).

The demo studio is on the Professional plan with a simulated Stripe customer, subscription and
connected account (ids start with `..._demo_`; nothing here calls Stripe), and has a paid, a partly
paid and an overdue invoice whose client links are /api/client/invoices/demo-<slug>-<kind>/."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from crm.models import Client

from .invoicing import Line, create_invoice, recalculate, today_for
from .limits import plan_for
from .models import ConnectedAccount, Invoice, InvoiceLine, Payment, Plan, StudioSubscription

DEMO = {
    # The demo studio shows every feature: API keys, custom domains, white label.
    "northlight": {"plan": "studio", "status": StudioSubscription.Status.ACTIVE},
    "harbour": {"plan": "starter", "status": StudioSubscription.Status.TRIALING},
}
INVOICES = [
    # kind, client name, email, lines, share paid (of 100), due in days
    (
        "paid",
        "Emma Hart",
        "emma.hart@example.com",
        [Line("Wedding — full day", 240_000), Line("Second photographer", 40_000, kind=InvoiceLine.Kind.ADDON)],
        100,
        -20,
    ),
    (
        "partly-paid",
        "Jonah Reed",
        "jonah.reed@example.com",
        [Line("Engagement session", 45_000), Line("Returning client", 5_000, kind=InvoiceLine.Kind.DISCOUNT)],
        25,
        21,
    ),
    ("overdue", "Priya Shah", "priya.shah@example.com", [Line("Family portrait", 30_000)], 0, -9),
]


def seed(studio, stdout) -> None:
    spec = DEMO.get(studio.slug)
    if spec is None:
        return
    with transaction.atomic():
        seed_subscription(studio, spec)
        seed_connected_account(studio)
        for row in INVOICES:
            seed_invoice(studio, *row)
    stdout.write(f"  billing: {studio.name} on {plan_for(studio).name}, {len(INVOICES)} demo invoices")


def seed_subscription(studio, spec) -> None:
    period_end = timezone.now() + timedelta(days=18)
    StudioSubscription.objects.update_or_create(
        studio=studio,
        defaults={
            "plan": Plan.objects.get(code=spec["plan"]),
            "status": spec["status"],
            "stripe_customer_id": f"cus_demo_{studio.slug}",
            "stripe_subscription_id": f"sub_demo_{studio.slug}",
            "current_period_end": period_end,
            "trial_end": period_end if spec["status"] == StudioSubscription.Status.TRIALING else None,
        },
    )


def seed_connected_account(studio) -> None:
    ConnectedAccount.objects.update_or_create(
        studio=studio,
        defaults={
            "stripe_account_id": f"acct_demo_{studio.slug}",
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": True,
            "country": "GB" if studio.currency.upper() == "GBP" else "US",
            "default_currency": studio.currency.lower(),
        },
    )


def seed_invoice(studio, kind, name, email, lines, share_paid, due_in_days) -> Invoice:
    token = f"demo-{studio.slug}-{kind}"
    existing = Invoice.objects.for_studio(studio).filter(token=token).first()
    if existing is not None:
        return existing
    client = Client.objects.for_studio(studio).filter(email__iexact=email).first()
    if client is None:
        client = Client.objects.create(studio=studio, name=name, email=email, stage=Client.Stage.BOOKED)
    invoice = create_invoice(
        studio,
        client,
        lines,
        tax_rate_bps=2000 if studio.currency.upper() == "GBP" else 0,
        due_date=today_for(studio) + timedelta(days=due_in_days),
        notes="Thank you for choosing us!",
    )
    # A fixed link for the README, and sent a month ago (send_invoice would e-mail and stamp today).
    invoice.token, invoice.status, invoice.issued_at = token, Invoice.Status.SENT, timezone.now() - timedelta(days=30)
    invoice.save(update_fields=["token", "status", "issued_at"])
    recalculate(invoice)
    if share_paid:
        amount = invoice.total * share_paid // 100
        # Recorded as if Stripe's webhook had confirmed it: the demo never calls Stripe.
        Payment.objects.create(
            studio=studio,
            invoice=invoice,
            amount=amount,
            application_fee_amount=plan_for(studio).application_fee(amount),
            currency=invoice.currency,
            status=Payment.Status.SUCCEEDED,
            stripe_account_id=f"acct_demo_{studio.slug}",
            stripe_payment_intent_id=f"pi_demo_{studio.slug}_{kind}",
            paid_at=timezone.now() - timedelta(days=10),
            receipt_sent_at=timezone.now() - timedelta(days=10),
        )
        recalculate(invoice)
    return invoice
