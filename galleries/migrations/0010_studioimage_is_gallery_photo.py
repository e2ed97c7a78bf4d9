from django.db import migrations, models


def mark_gallery_photos(apps, schema_editor):
    """Images already in a gallery are gallery photos (galleries/indexing.py, galleries/library.py)."""
    StudioImage = apps.get_model("galleries", "StudioImage")
    StudioImage.objects.filter(gallery_photos__isnull=False).update(is_gallery_photo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("galleries", "0009_galleryphoto_hidden"),
    ]

    operations = [
        migrations.AddField(
            model_name="studioimage",
            name="is_gallery_photo",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_gallery_photos, migrations.RunPython.noop),
    ]
