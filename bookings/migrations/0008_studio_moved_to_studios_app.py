"""Studio moved from cms to the studios app (table cms_studio unchanged): point the foreign keys there."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0007_booking_page'),
        ('studios', '0001_initial'),
    ]

    # State only: the table keeps its name and its rows; only Django's idea of the model moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='availabilityoverride',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='availability_overrides', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='availabilityrule',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='availability_rules', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='booking',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bookings', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='bookingevent',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='booking_events', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='calendarfeed',
                    name='studio',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feed', to='studios.studio'),
                ),
                migrations.AlterField(
                    model_name='sessiontype',
                    name='studio',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='session_types', to='studios.studio'),
                ),
                ],
        ),
    ]
