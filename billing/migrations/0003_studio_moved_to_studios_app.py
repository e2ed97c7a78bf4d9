"""Studio moved from cms to the studios app (table cms_studio unchanged): point the foreign keys there."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0002_plans'),
        ('studios', '0001_initial'),
    ]

    # State only: the table keeps its name and its rows; only Django's idea of the model moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='connectedaccount',
                    name='studio',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='connected_account', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='invoice',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invoices', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='invoicecounter',
                    name='studio',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='payment',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='payments', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='refund',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='refunds', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='studiosubscription',
                    name='studio',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='subscription', to='studios.studio'),
                ),
                ],
        ),
    ]
