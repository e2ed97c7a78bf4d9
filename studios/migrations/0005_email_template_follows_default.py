from django.db import migrations, models


def mark_unchanged_rows(apps, schema_editor):
    """Rows that still hold the platform's default wording follow it from now on; the others are the studio's."""
    from studios.emails import email_specs

    EmailTemplate = apps.get_model("studios", "EmailTemplate")
    specs = email_specs()
    unchanged = [
        row.pk
        for row in EmailTemplate.objects.only("pk", "key", "subject", "body").iterator()
        if (spec := specs.get(row.key)) is not None and (row.subject, row.body) == (spec.subject, spec.body)
    ]
    for start in range(0, len(unchanged), 500):
        EmailTemplate.objects.filter(pk__in=unchanged[start : start + 500]).update(follows_default=True)


class Migration(migrations.Migration):
    dependencies = [
        ("studios", "0004_email_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="emailtemplate",
            name="follows_default",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_unchanged_rows, migrations.RunPython.noop),
    ]
