"""Bookings' chart on the Business page: sessions per month over the last year (cancelled ones left out)."""

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from studios.charts import Chart, Series, last_twelve_months, month_label

from .models import Booking


def booking_charts(studio) -> list[Chart]:
    months = last_twelve_months(timezone.now().astimezone(studio.tz).date())
    since = timezone.make_aware(timezone.datetime.combine(months[0], timezone.datetime.min.time()), studio.tz)
    rows = (
        Booking.objects.for_studio(studio)
        .exclude(status=Booking.Status.CANCELLED)
        .filter(start__gte=since)
        .annotate(month=TruncMonth("start", tzinfo=studio.tz))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    by_month = {month.date(): n for month, n in rows}
    return [
        Chart(
            name="bookings-by-month",
            title="Sessions per month",
            labels=[month_label(m) for m in months],
            series=[Series("Sessions", [by_month.get(m, 0) for m in months])],
            unit="sessions",
            order=40,
            note="By the month of the session, in your time zone; cancelled sessions are left out.",
        )
    ]
