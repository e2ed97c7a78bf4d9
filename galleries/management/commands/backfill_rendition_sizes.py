"""`manage.py backfill_rendition_sizes [--all] [--batch 500]`: store the size of renditions made before
renditions kept their size (galleries migration `rendition_file_size`), so a web-size ZIP of them announces its
length without asking the storage per file (a stat each locally; on S3 a request each, so it went without
Content-Length). By default the renditions a web ZIP is made of (`max-2048x2048|…|format-jpeg`); `--all` for
every rendition. Until it has run, a ZIP asks the storage for the sizes it lacks, as it always did.

Safe to run again and while the site serves: only rows still without a size are read, in batches by id."""

from django.core.management.base import BaseCommand

from studios import rls

from ...models import StudioRendition
from ...renditions import WEB_BOX


class Command(BaseCommand):
    help = "Store the file size of renditions made before sizes were stored (web-size ZIP renditions by default)."

    def add_arguments(self, parser):
        parser.add_argument("--all", dest="every", action="store_true", help="every rendition, not only the web ZIP's")
        parser.add_argument("--batch", type=int, default=500, help="rows read and updated at a time")

    def handle(self, *args, every=False, batch=500, **options):
        storage = StudioRendition._meta.get_field("file").storage
        rows = StudioRendition.objects.filter(file_size__isnull=True)
        if not every:
            web_zip = {"filter_spec__startswith": f"max-{WEB_BOX}x{WEB_BOX}|", "filter_spec__endswith": "|format-jpeg"}
            rows = rows.filter(**web_zip)
        stored = unsized = 0
        last = 0
        with rls.platform():  # every studio's renditions
            while page := list(rows.filter(pk__gt=last).order_by("pk").values_list("pk", "file")[:batch]):
                last = page[-1][0]
                sized = []
                for pk, name in page:
                    try:
                        sized.append(StudioRendition(pk=pk, file_size=storage.size(name)))
                    except Exception:  # a file the storage cannot size (missing: OSError, S3's 404)
                        unsized += 1
                StudioRendition.objects.bulk_update(sized, ["file_size"])
                stored += len(sized)
        self.stdout.write(f"Stored the size of {stored} renditions; {unsized} could not be sized (file missing).")
