"""The studio's revenue by month, in its own time zone: paid (net of refunds), outstanding and overdue."""

from datetime import date

from django.db.models import F, Sum
from django.db.models.functions import ExtractMonth, TruncMonth
from django.utils import timezone

from studios.models import Studio

from .models import Invoice, Payment, Refund

COLUMNS = ("paid", "outstanding", "overdue")


def today_in(studio: Studio) -> date:
    return timezone.now().astimezone(studio.tz).date()


def by_month(studio: Studio, year: int) -> list[dict]:
    """Twelve rows {month, paid, outstanding, overdue} in minor units of the studio's currency.

    Paid counts a payment in the month it succeeded and a refund in the month it was made;
    outstanding and overdue are what open invoices still owe, by the month they fall due."""
    tz = studio.tz
    rows = {m: {"month": date(year, m, 1), "paid": 0, "outstanding": 0, "overdue": 0} for m in range(1, 13)}

    paid = (
        Payment.objects.for_studio(studio)
        .filter(status=Payment.Status.SUCCEEDED, paid_at__isnull=False)
        .annotate(month=TruncMonth("paid_at", tzinfo=tz))
        .values("month")
        .annotate(total=Sum("amount"))
    )
    for row in paid:
        if row["month"].year == year:
            rows[row["month"].month]["paid"] += row["total"]
    refunded = (
        Refund.objects.for_studio(studio)
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(total=Sum("amount"))
    )
    for row in refunded:
        if row["month"].year == year:
            rows[row["month"].month]["paid"] -= row["total"]

    today = today_in(studio)
    open_invoices = (
        Invoice.objects.for_studio(studio)
        .filter(status__in=[Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID], due_date__year=year)
        .annotate(month=ExtractMonth("due_date"), owed=F("total") - F("amount_paid"))
        .values_list("month", "due_date", "owed")
    )
    for month, due, owed in open_invoices:
        rows[month]["overdue" if due < today else "outstanding"] += owed
    return list(rows.values())


def totals(rows: list[dict]) -> dict:
    return {column: sum(row[column] for row in rows) for column in COLUMNS}
