"""A client's tags carry the studio key (issue 18): `Client.tags` gets an explicit through model on the table
Django made for it (`crm_client_tags`: its rows, columns and indexes stay; only Django's state learns of the model),
then a `studio` column filled from the client, NOT NULL; the unique pair becomes (studio, client, tag)."""

import django.db.models.deletion
from django.db import migrations, models

# Alike on PostgreSQL and SQLite (a correlated subquery, no UPDATE … FROM).
BACKFILL = (
    "UPDATE crm_client_tags SET studio_id = (SELECT c.studio_id FROM crm_client c "
    "WHERE c.id = crm_client_tags.client_id) WHERE studio_id IS NULL"
)


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Check the updated keys now, not at commit: a pending check would forbid the NOT NULL that follows.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(BACKFILL)


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
        ("crm", "0007_email_activity"),
        ("studios", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ClientTagging",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "client",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="crm.client"
                            ),
                        ),
                        (
                            "tag",
                            models.ForeignKey(
                                db_column="clienttag_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="crm.clienttag",
                            ),
                        ),
                    ],
                    # What Django's automatic through model had: the pair is unique.
                    options={"db_table": "crm_client_tags", "unique_together": {("client", "tag")}},
                ),
                migrations.AlterField(
                    model_name="client",
                    name="tags",
                    field=models.ManyToManyField(
                        blank=True, related_name="clients", through="crm.ClientTagging", to="crm.clienttag"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(model_name="clienttagging", name="studio", field=studio_key(null=True)),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(model_name="clienttagging", name="studio", field=studio_key()),
        migrations.AlterUniqueTogether(name="clienttagging", unique_together=set()),
        migrations.AddConstraint(
            model_name="clienttagging",
            constraint=models.UniqueConstraint(fields=("studio", "client", "tag"), name="unique_client_tagging"),
        ),
        migrations.AddIndex(
            model_name="clienttagging",
            index=models.Index(fields=["studio", "tag"], name="client_tagging_studio_tag"),
        ),
    ]
