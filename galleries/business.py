"""Galleries' chart on the Business page: gallery visits (a client unlocking a gallery) and downloads per month."""

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from studios.charts import Chart, Series, last_twelve_months, month_label

from .models import DownloadEvent, GalleryAccess


def _per_month(queryset, studio, since) -> dict:
    rows = (
        queryset.filter(studio=studio, created_at__gte=since)
        .annotate(month=TruncMonth("created_at", tzinfo=studio.tz))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {month.date(): n for month, n in rows}


def gallery_charts(studio) -> list[Chart]:
    months = last_twelve_months(timezone.now().astimezone(studio.tz).date())
    since = timezone.make_aware(timezone.datetime.combine(months[0], timezone.datetime.min.time()), studio.tz)
    visits = _per_month(GalleryAccess.objects.all(), studio, since)
    downloads = _per_month(DownloadEvent.objects.all(), studio, since)
    return [
        Chart(
            name="gallery-activity",
            title="Gallery visits and downloads",
            labels=[month_label(m) for m in months],
            series=[
                Series("Visits", [visits.get(m, 0) for m in months]),
                Series("Downloads", [downloads.get(m, 0) for m in months], tone="secondary"),
            ],
            order=60,
            note="A visit is a client opening a gallery with its code; a download is a photo or a ZIP.",
        )
    ]
