from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("galleries", "0008_photo_pipeline_sweeper_bookkeeping"),
    ]

    operations = [
        migrations.AddField(
            model_name="galleryphoto",
            name="hidden",
            field=models.BooleanField(default=False),
        ),
    ]
