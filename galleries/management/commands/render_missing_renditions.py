"""`manage.py render_missing_renditions`: queue every gallery photo that lacks a rendition its clients now get,
e.g. the 800 px `tile` after a deploy that added it (galleries/renditions.py). Photos that have them all are
left alone; each queued photo is rendered once by the pipeline from its original (galleries.tasks)."""

from django.core.management.base import BaseCommand

from studios.models import Studio

from ...tasks import rerender_studio


class Command(BaseCommand):
    help = "Queue the gallery photos that lack one of the current client renditions (e.g. a new size)."

    def handle(self, *args, **options):
        galleries = sum(rerender_studio(studio) for studio in Studio.objects.all())
        self.stdout.write(f"Queued the missing renditions of {galleries} galleries' photos.")
