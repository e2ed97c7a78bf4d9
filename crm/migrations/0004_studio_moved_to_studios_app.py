"""Studio moved from cms to the studios app (table cms_studio unchanged): point the foreign keys there."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0003_payment_received_activity'),
        ('studios', '0001_initial'),
    ]

    # State only: the table keeps its name and its rows; only Django's idea of the model moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='activity',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='client_activities', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='client',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='clients', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='clienttag',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='client_tags', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='inquiry',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inquiries', to='studios.studio'),
                ),
                ],
        ),
    ]
