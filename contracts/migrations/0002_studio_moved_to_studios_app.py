"""Studio moved from cms to the studios app (table cms_studio unchanged): point the foreign keys there."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0001_contract_templates_contracts_signatures'),
        ('studios', '0001_initial'),
    ]

    # State only: the table keeps its name and its rows; only Django's idea of the model moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='contract',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contracts', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='contracttemplate',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contract_templates', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='signature',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contract_signatures', to='studios.studio'),
                ),
                ],
        ),
    ]
