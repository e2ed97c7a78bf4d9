"""An invoice's lines and payment installments carry the studio key (issue 18): filled from the invoice here,
then NOT NULL, indexed (studio, invoice)."""

import django.db.models.deletion
from django.db import migrations, models

# Alike on PostgreSQL and SQLite (a correlated subquery, no UPDATE … FROM).
BACKFILL = [
    f"UPDATE {table} SET studio_id = (SELECT i.studio_id FROM billing_invoice i "  # noqa: S608
    f"WHERE i.id = {table}.invoice_id) WHERE studio_id IS NULL"
    for table in ("billing_invoiceline", "billing_paymentinstallment")
]


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Check the updated keys now, not at commit: a pending check would forbid the NOT NULL that follows.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in BACKFILL:
        schema_editor.execute(statement)


def studio_key(null=False):
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="studios.studio",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_stripe_event_retry_schedule"),
        ("studios", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="invoiceline", name="studio", field=studio_key(null=True)),
        migrations.AddField(model_name="paymentinstallment", name="studio", field=studio_key(null=True)),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(model_name="invoiceline", name="studio", field=studio_key()),
        migrations.AlterField(model_name="paymentinstallment", name="studio", field=studio_key()),
        migrations.AddIndex(
            model_name="invoiceline",
            index=models.Index(fields=["studio", "invoice"], name="invoiceline_studio_invoice"),
        ),
        migrations.AddIndex(
            model_name="paymentinstallment",
            index=models.Index(fields=["studio", "invoice"], name="installment_studio_invoice"),
        ),
    ]
