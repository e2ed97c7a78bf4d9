"""Studio, Membership and StudioDomain moved from cms to studios: an existing database keeps every row, and the
content types follow the models (so permissions and references to them still point at the same rows)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

CONTENT_TYPES = ("contenttypes", "0002_remove_content_type_name")
BEFORE = [("cms", "0005_studio_logo_white_label"), ("studios", None)]
AFTER = [("cms", "0006_studio_moved_to_studios_app"), ("studios", "0001_initial")]


def migrate(targets):
    """Migrate to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    nodes = [target for target in targets if target[1] is not None] + [CONTENT_TYPES]
    return executor.loader.project_state(nodes).apps


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_keeps_its_studios_across_the_move():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    # given a database from before the move, with a studio, its domain and its content types under cms
    old = migrate(BEFORE)
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="studios").delete()
    for model in ("studio", "membership", "studiodomain"):
        ContentType.objects.get_or_create(app_label="cms", model=model)
    studio_type = ContentType.objects.get(app_label="cms", model="studio").pk
    Studio = old.get_model("cms", "Studio")
    studio = Studio.objects.create(name="Old Mill Studio", slug="old-mill", time_zone="Europe/London")
    old.get_model("cms", "StudioDomain").objects.create(studio=studio, hostname="photos.oldmill.example")

    # when the new migrations run
    new = migrate(AFTER)

    # then the same rows are the studios app's, and the content type row is the same one, renamed
    moved = new.get_model("studios", "Studio").objects.get(slug="old-mill")
    assert (moved.pk, moved.name, moved.time_zone) == (studio.pk, "Old Mill Studio", "Europe/London")
    assert list(moved.domains.values_list("hostname", flat=True)) == ["photos.oldmill.example"]
    types = new.get_model("contenttypes", "ContentType").objects
    assert types.get(app_label="studios", model="studio").pk == studio_type
    assert not types.filter(app_label="cms", model__in=["studio", "membership", "studiodomain"]).exists()
    # nothing was created or dropped: the tables are the ones cms made
    assert {"cms_studio", "cms_membership", "cms_studiodomain"} <= set(connection.introspection.table_names())
    migrate(latest)  # leave the database as the other tests expect it
