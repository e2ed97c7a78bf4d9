"""The "Recent gallery activity" panel of the studio dashboard: views, favourites, downloads, submitted selections."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from studios.dashboard import ORDER_HINTS, StudioPanel

from .models import DownloadEvent, Favorite, GalleryAccess, Selection


@dataclass
class Event:
    at: datetime
    gallery_id: int
    gallery: str
    who: str
    what: str


class GalleryActivityPanel(StudioPanel):
    name = "gallery_activity"
    heading = "Recent gallery activity"
    order = ORDER_HINTS["gallery_activity"]
    template_name = "galleries/dashboard/gallery_activity.html"
    window = timedelta(days=7)
    limit = 6

    def get_panel_context(self):
        since = timezone.now() - self.window
        mine = {"studio": self.studio, "created_at__gte": since}
        views = GalleryAccess.objects.filter(**mine).select_related("gallery")
        favorites = Favorite.objects.filter(**mine).select_related("gallery", "photo__image")
        downloads = DownloadEvent.objects.filter(**mine).select_related("gallery", "photo__image", "set")
        selections = list(
            Selection.objects.filter(studio=self.studio, submitted_at__isnull=False)
            .select_related("gallery")
            .annotate(photo_count=Count("items"))
            .order_by("-submitted_at")[:5]
        )
        events = [
            *(
                Event(a.created_at, a.gallery_id, a.gallery.title, a.email, "opened the gallery")
                for a in self._latest(views)
            ),
            *(
                Event(f.created_at, f.gallery_id, f.gallery.title, f.email, f"favourited {f.photo.filename}")
                for f in self._latest(favorites)
            ),
            *(
                Event(d.created_at, d.gallery_id, d.gallery.title, d.email, self._download(d))
                for d in self._latest(downloads)
            ),
            *(
                Event(s.submitted_at, s.gallery_id, s.gallery.title, s.email, f"submitted {s.photo_count} photos")
                for s in selections
            ),
        ]
        events.sort(key=lambda e: e.at, reverse=True)
        return {
            "counts": {
                "views": views.count(),
                "favorites": favorites.count(),
                "downloads": downloads.count(),
            },
            "selections": selections,
            "events": events[: self.limit],
            "days": self.window.days,
        }

    def _latest(self, queryset):
        return queryset.order_by("-created_at")[: self.limit]

    @staticmethod
    def _download(event) -> str:
        if event.kind == DownloadEvent.Kind.ZIP:
            return f"downloaded {event.set.name if event.set else 'the whole gallery'} (ZIP)"
        return f"downloaded {event.photo.filename if event.photo else 'a photo'}"
