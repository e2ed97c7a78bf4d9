"""The client's rescheduling/cancellation policy per session type, and each booking's secret manage link."""

import secrets

from django.db import migrations, models

import bookings.models


def fill_tokens(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    for booking in Booking.objects.filter(manage_token__isnull=True).only("pk").iterator():
        Booking.objects.filter(pk=booking.pk).update(manage_token=secrets.token_urlsafe(32))


class Migration(migrations.Migration):
    dependencies = [("bookings", "0009_session_type_cover_image")]

    operations = [
        migrations.AddField(
            model_name="sessiontype",
            name="client_change_hours",
            field=models.PositiveIntegerField(
                default=48,
                help_text="Clients may reschedule or cancel online until this many hours before the session; "
                "0 = not online (they contact you).",
                verbose_name="clients may change until (hours before)",
            ),
        ),
        migrations.AddField(
            model_name="sessiontype",
            name="reschedule_limit",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="How many times a client may move a booking themselves; 0 = cancel only.",
                verbose_name="online reschedules allowed",
            ),
        ),
        migrations.AddField(
            model_name="sessiontype",
            name="cancellation_deposit",
            field=models.CharField(
                choices=[("kept", "Kept by the studio"), ("refunded", "Refunded to the client")],
                default="kept",
                help_text="When the client cancels online. Anything paid beyond the deposit is always refunded.",
                max_length=10,
                verbose_name="deposit on cancellation",
            ),
        ),
        migrations.AddField(
            model_name="sessiontype",
            name="full_refund_hours",
            field=models.PositiveIntegerField(
                default=0,
                help_text="A cancellation this many hours or more before the session refunds the deposit too; "
                "0 = never.",
                verbose_name="full refund if cancelled more than (hours before)",
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="client_reschedules",
            field=models.PositiveSmallIntegerField(
                default=0,
                editable=False,
                help_text="How many times the client moved it online (the policy's limit).",
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="manage_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="booking",
            name="manage_token",
            field=models.CharField(
                default=bookings.models.new_manage_token, editable=False, max_length=64, unique=True
            ),
        ),
    ]
