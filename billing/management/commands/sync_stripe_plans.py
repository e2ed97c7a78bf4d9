"""`manage.py sync_stripe_plans`: publish the plans to Stripe as Products and Prices. Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from billing.models import Plan
from billing.plans import sync_plan
from billing.stripe_gateway import StripeUnavailable


class Command(BaseCommand):
    help = "Create or update a Stripe Product and monthly Price for each plan (idempotent)."

    def handle(self, *args, **options):
        for plan in Plan.objects.all():
            try:
                changes = sync_plan(plan)
            except StripeUnavailable as exc:
                raise CommandError(f"{plan.name}: {exc}") from exc
            summary = "; ".join(changes) if changes else "already in step"
            self.stdout.write(f"{plan.name}: {summary} (price {plan.stripe_price_id})")
