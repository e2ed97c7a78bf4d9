"""Every gallery table carries the studio key (issue 18): the rows a gallery, an image or a selection owns get a
`studio` column, filled from their parent here, then NOT NULL (renditions keep NULL for an image of the platform's
root collection, which belongs to no studio); a gallery page's own `studio` becomes NOT NULL too. Composite indexes
and unique constraints lead with the studio."""

import django.db.models.deletion
from django.db import migrations, models

# A gallery's studio is the one whose home page is the gallery's depth-2 ancestor (Wagtail's path step is 4).
GALLERY = """
UPDATE galleries_gallery SET studio_id = (
    SELECT s.id FROM cms_studio s
    JOIN wagtailcore_page home ON home.id = s.home_page_id
    JOIN wagtailcore_page p ON p.id = galleries_gallery.page_ptr_id
    WHERE home.path = substr(p.path, 1, 8)
) WHERE studio_id IS NULL
"""

# (table, its parent key, the parent's table, the parent's primary key)
CHILDREN = [
    ("galleries_galleryset", "gallery_id", "galleries_gallery", "page_ptr_id"),
    ("galleries_galleryaccess", "gallery_id", "galleries_gallery", "page_ptr_id"),
    ("galleries_favorite", "gallery_id", "galleries_gallery", "page_ptr_id"),
    ("galleries_selection", "gallery_id", "galleries_gallery", "page_ptr_id"),
    ("galleries_selectionitem", "selection_id", "galleries_selection", "id"),
    ("galleries_comment", "gallery_id", "galleries_gallery", "page_ptr_id"),
    ("galleries_downloadallowance", "gallery_id", "galleries_gallery", "page_ptr_id"),
    ("galleries_downloadevent", "gallery_id", "galleries_gallery", "page_ptr_id"),
    ("galleries_expiryreminder", "gallery_id", "galleries_gallery", "page_ptr_id"),
    ("galleries_galleryphotocounter", "gallery_id", "galleries_gallery", "page_ptr_id"),
    ("galleries_studiorendition", "image_id", "galleries_studioimage", "id"),
]

# Written to run alike on PostgreSQL and SQLite (a correlated subquery, no UPDATE … FROM); names are constants.
BACKFILL = [GALLERY] + [
    f"UPDATE {table} SET studio_id = (SELECT parent.studio_id FROM {parent} parent "  # noqa: S608
    f"WHERE parent.{pk} = {table}.{key}) WHERE studio_id IS NULL"
    for table, key, parent, pk in CHILDREN
]

MODELS = [
    "galleryset",
    "galleryaccess",
    "favorite",
    "selection",
    "selectionitem",
    "comment",
    "downloadallowance",
    "downloadevent",
    "expiryreminder",
    "galleryphotocounter",
]


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Check the updated keys now, not at commit: a pending check would forbid the NOT NULL that follows.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in BACKFILL:
        schema_editor.execute(statement)
    Gallery = apps.get_model("galleries", "Gallery")
    orphans = list(Gallery.objects.filter(studio__isnull=True).values_list("pk", flat=True))
    if orphans:
        raise RuntimeError(f"Galleries outside every studio's page tree (ids {orphans}): move or delete them first.")


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
        ("galleries", "0012_gallery_photo_counter"),
        ("studios", "0001_initial"),
    ]

    operations = [
        *[migrations.AddField(model_name=name, name="studio", field=studio_key(null=True)) for name in MODELS],
        migrations.AddField(model_name="studiorendition", name="studio", field=studio_key(null=True)),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        *[migrations.AlterField(model_name=name, name="studio", field=studio_key()) for name in MODELS],
        migrations.AlterField(
            model_name="gallery",
            name="studio",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="galleries",
                to="studios.studio",
            ),
        ),
        # Unique constraints lead with the studio.
        migrations.RemoveConstraint(model_name="downloadallowance", name="unique_allowance_per_gallery"),
        migrations.RemoveConstraint(model_name="expiryreminder", name="unique_expiry_reminder"),
        migrations.RemoveConstraint(model_name="favorite", name="unique_favorite_per_list"),
        migrations.RemoveConstraint(model_name="selection", name="unique_selection_per_client"),
        migrations.RemoveConstraint(model_name="selectionitem", name="unique_selection_item"),
        migrations.AlterField(model_name="galleryaccess", name="token_hash", field=models.CharField(max_length=64)),
        migrations.AddConstraint(
            model_name="downloadallowance",
            constraint=models.UniqueConstraint(fields=("studio", "gallery"), name="unique_allowance_per_gallery"),
        ),
        migrations.AddConstraint(
            model_name="expiryreminder",
            constraint=models.UniqueConstraint(
                fields=("studio", "gallery", "days_before"), name="unique_expiry_reminder"
            ),
        ),
        migrations.AddConstraint(
            model_name="favorite",
            constraint=models.UniqueConstraint(
                fields=("studio", "photo", "email", "list_name"), name="unique_favorite_per_list"
            ),
        ),
        migrations.AddConstraint(
            model_name="galleryaccess",
            constraint=models.UniqueConstraint(fields=("studio", "token_hash"), name="unique_access_token"),
        ),
        migrations.AddConstraint(
            model_name="selection",
            constraint=models.UniqueConstraint(
                fields=("studio", "gallery", "email"), name="unique_selection_per_client"
            ),
        ),
        migrations.AddConstraint(
            model_name="selectionitem",
            constraint=models.UniqueConstraint(fields=("studio", "selection", "photo"), name="unique_selection_item"),
        ),
        # The studio key's index is the first column of one of these.
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["studio", "gallery", "email"], name="comment_studio_gallery"),
        ),
        migrations.AddIndex(
            model_name="downloadevent",
            index=models.Index(fields=["studio", "gallery", "-created_at"], name="download_studio_gallery"),
        ),
        migrations.AddIndex(
            model_name="favorite",
            index=models.Index(fields=["studio", "gallery", "email"], name="favorite_studio_gallery"),
        ),
        migrations.AddIndex(
            model_name="galleryaccess",
            index=models.Index(fields=["studio", "gallery", "-created_at"], name="access_studio_gallery"),
        ),
        migrations.AddIndex(
            model_name="galleryphotocounter",
            index=models.Index(fields=["studio", "gallery"], name="photocounter_studio_gallery"),
        ),
        migrations.AddIndex(
            model_name="galleryset",
            index=models.Index(fields=["studio", "gallery"], name="galleryset_studio_gallery"),
        ),
        migrations.AddIndex(
            model_name="studiorendition",
            index=models.Index(fields=["studio", "image"], name="rendition_studio_image"),
        ),
    ]
