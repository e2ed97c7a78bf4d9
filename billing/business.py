"""Billing's charts on the Business page: revenue by month against last year, revenue by package, what is owed,
and the clients worth most. Money is net of refunds, in the studio's currency (major units)."""

from datetime import timedelta

from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from studios.charts import Chart, Series
from studios.money import decimals, to_major

from . import revenue
from .models import Invoice, Payment

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _net_paid(studio):
    """Succeeded payments with what is left of each after refunds."""
    return (
        Payment.objects.for_studio(studio)
        .filter(status=Payment.Status.SUCCEEDED)
        .annotate(net=F("amount") - Coalesce(Sum("refunds__amount"), 0))
    )


def revenue_charts(studio) -> list[Chart]:
    currency = studio.currency.upper()
    places = decimals(currency)

    def major(values):
        return [to_major(v, currency) for v in values]

    today = revenue.today_in(studio)
    this_year = revenue.by_month(studio, today.year)
    last_year = revenue.by_month(studio, today.year - 1)
    by_month = Chart(
        name="revenue-by-month",
        title=f"Revenue by month, {today.year} against {today.year - 1}",
        labels=list(MONTHS),
        series=[
            Series(str(today.year), major(r["paid"] for r in this_year)),
            Series(str(today.year - 1), major(r["paid"] for r in last_year), tone="secondary"),
        ],
        unit=currency,
        places=places,
        order=10,
        note="Payments received in each month, net of refunds, in your time zone.",
    )

    since = timezone.now() - timedelta(days=365)
    packages: dict[str, int] = {}
    rows = _net_paid(studio).filter(paid_at__gte=since).values_list("net", "invoice__booking__session_type__name")
    for net, package in rows:
        packages[package or "Other invoices"] = packages.get(package or "Other invoices", 0) + net
    top_packages = sorted(packages.items(), key=lambda kv: -kv[1])[:8]
    by_package = Chart(
        name="revenue-by-package",
        title="Revenue by package, last 12 months",
        labels=[name for name, _ in top_packages],
        series=[Series("Revenue", major(v for _, v in top_packages))],
        unit=currency,
        places=places,
        order=20,
    )

    owed = {"outstanding": 0, "overdue": 0}
    open_invoices = (
        Invoice.objects.for_studio(studio)
        .filter(status__in=[Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID])
        .values_list("due_date", "total", "amount_paid")
    )
    for due, total, paid in open_invoices:
        owed["overdue" if due and due < today else "outstanding"] += total - paid
    owed_chart = Chart(
        name="owed",
        title="Outstanding and overdue",
        labels=["Outstanding", "Overdue"],
        series=[
            Series(
                "Owed",
                major([owed["outstanding"], owed["overdue"]]),
                tones=["primary", "critical"],  # only what is late is red
            )
        ],
        unit=currency,
        places=places,
        order=30,
        note="What sent invoices still owe: overdue once past their due date.",
    )

    # Per payment first (net of its refunds), then per client: an aggregate cannot be summed in the same query.
    all_time: dict[str, int] = {}
    for net, client in _net_paid(studio).values_list("net", "invoice__client__name"):
        all_time[client] = all_time.get(client, 0) + net
    top_clients = sorted(all_time.items(), key=lambda kv: -kv[1])[:10]
    ltv = Chart(
        name="client-lifetime-value",
        title="Clients by lifetime value",
        labels=[name for name, _ in top_clients],
        series=[Series("Paid, all time", major(v for _, v in top_clients))],
        unit=currency,
        places=places,
        order=50,
        note="Your ten best clients: everything they have paid, net of refunds.",
    )
    return [by_month, by_package, owed_chart, ltv]
