"""Studio moved from cms to the studios app (table cms_studio unchanged): point the foreign keys there."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('galleries', '0003_gallery_expiry_reminders'),
        ('studios', '0001_initial'),
    ]

    # State only: the table keeps its name and its rows; only Django's idea of the model moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='gallery',
                    name='studio',
                    field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='galleries', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='galleryphoto',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='studioimage',
                    name='studio',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='images', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='watermarksettings',
                    name='studio',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='watermark_settings', to='studios.studio'),
                ),
                ],
        ),
    ]
