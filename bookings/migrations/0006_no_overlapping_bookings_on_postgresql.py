"""No double booking, enforced by PostgreSQL: an exclusion constraint over each studio's active
bookings' blocked spans [start - buffer_before, end + buffer_after). Needs btree_gist (for the
`studio_id WITH =` part). On other databases bookings.scheduling checks inside a locked transaction;
the constraint is not in the model state so SQLite's table rebuilds never see it."""

from django.db import migrations

CONSTRAINT = "booking_no_overlap_per_studio"
ACTIVE = "('inquiry', 'booked', 'confirmed', 'completed')"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE bookings_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist ("
        "studio_id WITH =, tstzrange(blocked_start, blocked_end, '[)') WITH &&"
        f") WHERE (status IN {ACTIVE})"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("bookings", "0005_blocked_span_required")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
