"""Billing's panels of the studio dashboard: unpaid and overdue invoices, this month's revenue, plan usage."""

from django.db.models import Count, F, Q, Sum
from django.urls import reverse

from studios.dashboard import ORDER_HINTS, StudioPanel

from . import limits, revenue
from .admin.plan import meter
from .models import Invoice

OPEN = [Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID]


class UnpaidInvoicesPanel(StudioPanel):
    name = "unpaid_invoices"
    heading = "Unpaid invoices"
    order = ORDER_HINTS["unpaid_invoices"]
    template_name = "billing/dashboard/unpaid_invoices.html"
    limit = 8

    def get_panel_context(self):
        today = revenue.today_in(self.studio)
        unpaid = Invoice.objects.for_studio(self.studio).filter(status__in=OPEN)
        owed = F("total") - F("amount_paid")
        sums = unpaid.aggregate(
            count=Count("id"),
            owed=Sum(owed),
            overdue_count=Count("id", filter=Q(due_date__lt=today)),
            overdue=Sum(owed, filter=Q(due_date__lt=today)),
        )
        # Overdue first (oldest due date first), then what falls due next.
        invoices = list(unpaid.select_related("client").order_by("due_date", "sequence")[: self.limit])
        for invoice in invoices:
            days = (today - invoice.due_date).days
            invoice.overdue_label = f"{days} day{'s' if days != 1 else ''} overdue" if days > 0 else ""
        return {
            "invoices": invoices,
            "count": sums["count"],
            "owed": sums["owed"] or 0,
            "overdue_count": sums["overdue_count"],
            "overdue": sums["overdue"] or 0,
            "currency": self.studio.currency,
            "index_url": reverse("billing_invoice:index"),
        }


class RevenueThisMonthPanel(StudioPanel):
    name = "revenue_this_month"
    heading = "This month’s revenue"
    order = ORDER_HINTS["revenue_this_month"]
    template_name = "billing/dashboard/revenue_this_month.html"

    def get_panel_context(self):
        today = revenue.today_in(self.studio)
        month = revenue.by_month(self.studio, today.year)[today.month - 1]
        return {**month, "currency": self.studio.currency, "revenue_url": reverse("billing_revenue")}


class PlanUsagePanel(StudioPanel):
    name = "plan_usage"
    heading = "Plan and usage"
    order = ORDER_HINTS["plan_usage"]
    template_name = "billing/dashboard/plan_usage.html"

    def get_panel_context(self):
        plan = limits.plan_for(self.studio)
        usage = limits.usage(self.studio)
        meters = [
            ("storage", "Storage", meter(usage.storage_bytes, plan.storage_gb * limits.GB)),
            ("galleries", "Active galleries", meter(usage.active_galleries, plan.active_galleries)),
            ("seats", "Staff seats", meter(usage.staff_seats, plan.staff_seats)),
        ]
        return {
            "plan": plan,
            "meters": meters,
            "storage_used_gb": round(usage.storage_bytes / limits.GB, 2),
            "read_only": limits.is_read_only(self.studio),
            "plan_url": reverse("billing_plan_usage"),
        }
