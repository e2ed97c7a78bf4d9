"""Every tenant table carries the studio key (issue 18, docs/architecture.md "Scaling"): a model whose rows reach a
studio through any chain of foreign keys has a `studio` foreign key of its own, so row-level security filters it
directly and a distributed PostgreSQL can co-locate it with its studio. The exceptions are Wagtail's own tables and
the platform's, each with its reason below; a new model that reaches a studio only through a parent fails here."""

import pytest
from django.apps import apps
from django.db import models
from wagtail.models import Page

from studios import rls
from studios.models import Studio

# Tenant models allowed without a direct studio key, and why.
WITHOUT_STUDIO_KEY = {
    # (Page subclasses are allowed as a class, below: Wagtail's tree is keyed by path, one root for every studio.)
}

# Multi-column indexes and unique constraints of studio-keyed models that do not lead with the studio, and why.
NOT_STUDIO_FIRST = {
    ("galleries.StudioRendition", ("image", "filter_spec", "focal_point_key")): (
        "Wagtail's check wagtailimages.E001 requires exactly this unique constraint; (studio, image) is indexed"
    ),
}


# Unique keys of studio-keyed tables that do not include the studio (a distributed PostgreSQL such as Citus can only
# enforce a unique constraint that includes the distribution column), and why (docs/architecture.md "Scaling").
UNIQUE_WITHOUT_STUDIO = {
    ("billing.ConnectedAccount", ("stripe_account_id",)): (
        "the platform's lookup from a Stripe Connect account (a webhook names only the account) to its studio: "
        "one row per studio, a reference table"
    ),
    ("frontend_api.ApiKey", ("prefix",)): (
        "the key decides the studio, whatever host the call comes to: prefix → studio is a platform lookup"
    ),
    ("galleries.StudioRendition", ("image", "filter_spec", "focal_point_key")): (
        "Wagtail's check wagtailimages.E001 requires exactly this unique constraint (see NOT_STUDIO_FIRST)"
    ),
    ("studios.StudioDomain", ("hostname",)): (
        "a hostname → studio lookup made before the studio is known (studios/tenancy.py): a platform table"
    ),
}


def constraint_fields(constraint) -> tuple[str, ...]:
    """The fields of a unique constraint, also when it is made of expressions (e.g. Lower("hostname"))."""
    if constraint.fields:
        return tuple(constraint.fields)
    names = []
    for expression in constraint.expressions:
        nodes = expression.flatten() if hasattr(expression, "flatten") else [expression]
        names += [node.name for node in nodes if isinstance(node, models.F)]
    return tuple(names)


def concrete_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def has_studio_key(model) -> bool:
    return any(
        f.name == "studio" and f.is_relation and f.related_model is Studio and (f.many_to_one or f.one_to_one)
        for f in model._meta.concrete_fields
    )


def tenant_models() -> dict[type[models.Model], str]:
    """Every model whose rows reach a studio through foreign keys (nullable ones too), with the path found."""
    found: dict[type[models.Model], str] = {Studio: "studio"}
    grew = True
    while grew:
        grew = False
        for model in concrete_models():
            if model in found:
                continue
            for field in model._meta.concrete_fields:
                if field.is_relation and (field.many_to_one or field.one_to_one) and field.related_model in found:
                    found[model] = f"{field.name} → {found[field.related_model]}"
                    grew = True
                    break
    del found[Studio]
    return found


def test_every_tenant_model_has_a_direct_studio_key():
    missing = {
        model._meta.label: path
        for model, path in tenant_models().items()
        if not has_studio_key(model)
        and not issubclass(model, Page)  # Wagtail's page tree: one tree, keyed by path (docs/architecture.md)
        and model._meta.label not in WITHOUT_STUDIO_KEY
    }
    assert missing == {}, "These tenant models reach their studio only through a parent: give them a `studio` key"


def test_the_tables_that_reached_their_studio_through_a_parent_now_have_the_key():
    # What docs/architecture.md listed as exceptions before issue 18.
    tables = {m._meta.db_table: m for m in concrete_models()}
    formerly = [
        "galleries_studiorendition",
        "galleries_galleryset",
        "galleries_galleryaccess",
        "galleries_favorite",
        "galleries_selection",
        "galleries_selectionitem",
        "galleries_comment",
        "galleries_downloadallowance",
        "galleries_downloadevent",
        "galleries_expiryreminder",
        "galleries_galleryphotocounter",
        "galleries_gallery",
        "billing_invoiceline",
        "billing_paymentinstallment",
        "crm_client_tags",
    ]
    assert [t for t in formerly if not has_studio_key(tables[t])] == []
    # NOT NULL everywhere but renditions (an image of the platform's root collection belongs to no studio)
    nullable = [t for t in formerly if tables[t]._meta.get_field("studio").null]
    assert nullable == ["galleries_studiorendition"]


def test_composite_indexes_and_unique_constraints_lead_with_the_studio():
    wrong = {}
    for model in concrete_models():
        if not has_studio_key(model):
            continue
        groups = [tuple(f.lstrip("-") for f in index.fields) for index in model._meta.indexes]
        groups += [tuple(c.fields) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
        groups += [tuple(u) for u in model._meta.unique_together]
        for fields in groups:
            if len(fields) > 1 and fields[0] != "studio" and (model._meta.label, fields) not in NOT_STUDIO_FIRST:
                wrong[model._meta.label] = fields
    assert wrong == {}


def test_row_level_security_filters_every_tenant_table_by_its_own_studio_key():
    # No table needs the EXISTS-on-the-parent policy any more: each is filtered by its own column.
    through_parent = [t.table for t in rls.tenant_tables() if t.parent_table]
    assert through_parent == []


@pytest.mark.django_db
def test_rows_made_without_a_studio_get_their_parents(studio, other_studio):
    from billing.models import InvoiceLine
    from crm.models import ClientTag, ClientTagging
    from galleries.models import Favorite, GallerySet
    from galleries.proofing import add_comment, add_favorite
    from tests.billing.factories import invoice_for
    from tests.factories import ClientFactory
    from tests.galleries.conftest import bulk_ready_photos
    from tests.galleries.factories import make_gallery

    gallery = make_gallery(other_studio, sets=["Ceremony"])
    assert gallery.studio == other_studio
    assert list(GallerySet.objects.filter(gallery=gallery).values_list("studio", flat=True)) == [other_studio.pk]
    photo = bulk_ready_photos(gallery, 1)[0]
    # save() stamps a row from its parent; bulk_create() (which calls no save()) too
    favorite, _ = add_favorite(gallery, "ada@example.test", photo)
    assert favorite.studio_id == other_studio.pk
    Favorite.objects.bulk_create([Favorite(gallery=gallery, photo=photo, email="bo@example.test")])
    assert set(Favorite.objects.filter(gallery=gallery).values_list("studio", flat=True)) == {other_studio.pk}
    assert add_comment(gallery, "ada@example.test", photo, "Lovely").studio_id == other_studio.pk
    invoice = invoice_for(studio, send=False)
    assert set(InvoiceLine.objects.filter(invoice=invoice).values_list("studio", flat=True)) == {studio.pk}
    # a client's tags: add() without through_defaults takes the client's studio
    client = ClientFactory(studio=studio)
    client.tags.add(ClientTag.objects.create(studio=studio, name="wedding"))
    assert list(ClientTagging.objects.filter(client=client).values_list("studio", flat=True)) == [studio.pk]
    # a row naming another studio than its parent's is refused before it reaches the database
    with pytest.raises(ValueError, match="studio"):
        Favorite.objects.create(studio=studio, gallery=gallery, photo=photo, email="mallory@example.test")
    with pytest.raises(ValueError, match="studio"):
        InvoiceLine.objects.bulk_create(
            [InvoiceLine(studio=other_studio, invoice=invoice, description="x", unit_amount=1)]
        )


def test_unique_keys_of_tenant_tables_include_the_studio():
    """Tokens, codes and external ids are unique within their studio (looked up tenant first, from the host);
    the few that are looked up before the studio is known are listed above with their reason."""
    wrong = {}
    for model in concrete_models():
        if not has_studio_key(model) or issubclass(model, Page):
            continue
        groups = [
            (f.name,)
            for f in model._meta.concrete_fields
            if f.unique and not f.primary_key and f.name != "studio" and not f.one_to_one
        ]
        groups += [
            (f.name,) for f in model._meta.concrete_fields if f.one_to_one and f.name != "studio" and not f.primary_key
        ]
        groups += [constraint_fields(c) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
        groups += [tuple(u) for u in model._meta.unique_together]
        for fields in groups:
            if "studio" not in fields and (model._meta.label, fields) not in UNIQUE_WITHOUT_STUDIO:
                wrong.setdefault(model._meta.label, []).append(fields)
    assert wrong == {}
