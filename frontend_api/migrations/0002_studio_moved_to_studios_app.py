"""Studio moved from cms to the studios app (table cms_studio unchanged): point the foreign keys there."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('frontend_api', '0001_api_keys_and_webhooks'),
        ('studios', '0001_initial'),
    ]

    # State only: the table keeps its name and its rows; only Django's idea of the model moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='apikey',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_keys', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='webhookdelivery',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_deliveries', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='webhookendpoint',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_endpoints', to='studios.studio'),
                ),
                ],
        ),
    ]
