"""Wagtail's default site answers any unknown host. Make it a placeholder that
belongs to no studio, so a stray host can never show a tenant's pages."""

from django.db import migrations


def make_placeholder(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    Site.objects.filter(is_default_site=True).update(
        hostname="placeholder.invalid", site_name="FocusFlow (no studio)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(make_placeholder, migrations.RunPython.noop)]
