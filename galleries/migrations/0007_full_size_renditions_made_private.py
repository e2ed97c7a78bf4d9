"""Full-size renditions made before they were private (Wagtail's `original`, written under the public `images/`
folder by the admin's image page) are deleted; Wagtail makes them again on demand under
`original_images/renditions/` (galleries.models.StudioRendition.get_upload_to)."""

from django.db import migrations


def forget_public_full_size_renditions(apps, schema_editor):
    StudioRendition = apps.get_model("galleries", "StudioRendition")
    stale = StudioRendition.objects.filter(filter_spec="original", file__startswith="images/")
    for rendition in stale.iterator():
        rendition.file.storage.delete(rendition.file.name)
    stale.delete()


class Migration(migrations.Migration):
    dependencies = [("galleries", "0006_download_allowance_per_gallery")]

    operations = [migrations.RunPython(forget_public_full_size_renditions, migrations.RunPython.noop)]
