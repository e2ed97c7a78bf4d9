"""Issue 18's migrations on a database that holds two studios' rows: galleries 0017/0018, crm 0011/0012,
billing 0005/0006, bookings 0011, proposals 0002 (and what depends on them). Every row is still there after
them with its studio key (billing 0005 fills the invoice lines' from their invoice), and a key that used to be
unique on the whole platform is now unique within a studio: two studios may hold the same one, one studio not.

Only the apps concerned are migrated back and forth (about a dozen migrations), not the project: the slower
tests/studios/test_moved_models_migration.py goes back to before `studios` existed."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from billing.models import Invoice, InvoiceLine, Payment, Refund
from bookings.models import Booking, CalendarFeed, SessionType
from crm.models import Activity, Client, PortalLink, Questionnaire, QuestionnaireRequest
from galleries.models import Gallery, GalleryPhoto, ShareLink, StudioImage
from proposals.models import Proposal
from studios.provisioning import create_studio
from tests.factories import ensure_wagtail_roots
from tests.galleries.factories import make_gallery

pytestmark = pytest.mark.postgres

BEFORE = [
    ("galleries", "0016_multipart_uploads_swept_by_age"),
    ("crm", "0010_todos_questionnaires"),
    ("billing", "0004_stripe_event_retry_schedule"),
    ("bookings", "0010_client_policy_and_manage_token"),
    ("proposals", "0001_initial"),
]
STUDIO_TABLES = [
    Gallery,
    GalleryPhoto,
    ShareLink,
    Client,
    Activity,
    PortalLink,
    QuestionnaireRequest,
    Invoice,
    InvoiceLine,
    Payment,
    Refund,
    Booking,
    CalendarFeed,
    Proposal,
]
# Unique on the whole platform before, within a studio after.
WITHIN_STUDIO = [
    (Gallery, "access_code"),
    (ShareLink, "token_hash"),
    (PortalLink, "token_hash"),
    (QuestionnaireRequest, "token"),
    (Invoice, "token"),
    (Payment, "stripe_checkout_session_id"),
    (Payment, "stripe_payment_intent_id"),
    (Refund, "stripe_refund_id"),
    (Booking, "manage_token"),
    (CalendarFeed, "token"),
    (Proposal, "token"),
]


def migrate_back(targets):
    """Unapply what follows `targets`, each migration from the state its own ancestors make. (The executor's
    backwards pass would replay the whole project's history on rendered models: 40 s instead of a few.)"""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    assert plan and all(backwards for _, backwards in plan)
    for migration, _ in plan:
        executor.unapply_migration(
            executor.loader.project_state((migration.app_label, migration.name), at_end=False), migration
        )
    return MigrationExecutor(connection).loader.project_state(targets).apps


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)


def seed(studio, n: int) -> Invoice:
    """One row of each table the migrations touch, every token this studio's own."""
    now = timezone.now()
    client = Client.objects.create(studio=studio, name=f"Client {n}", email=f"client{n}@example.test")
    Activity.objects.create(studio=studio, client=client, kind="note")
    PortalLink.objects.create(studio=studio, client=client, token_hash=f"portal-{n}", expires_at=now)
    questionnaire = Questionnaire.objects.get(studio=studio)
    QuestionnaireRequest.objects.create(studio=studio, client=client, questionnaire=questionnaire, title="Plan")
    session_type = SessionType.objects.create(studio=studio, name="Portrait")
    start = now + datetime.timedelta(days=n)
    booking = Booking.objects.create(
        studio=studio,
        client=client,
        session_type=session_type,
        start=start,
        end=start + datetime.timedelta(hours=1),
        blocked_start=start,
        blocked_end=start + datetime.timedelta(hours=1),
    )
    CalendarFeed.objects.create(studio=studio)
    Proposal.objects.create(studio=studio, client=client, session_type=session_type, booking=booking)
    invoice = Invoice.objects.create(
        studio=studio, sequence=1, number="INV-0001", client=client, currency="USD", due_date=now.date()
    )
    InvoiceLine.objects.create(studio=studio, invoice=invoice, description="Session", unit_amount=25000)
    payment = Payment.objects.create(
        studio=studio,
        invoice=invoice,
        amount=25000,
        currency="USD",
        stripe_account_id="acct_test",
        stripe_checkout_session_id=f"cs_{n}",
        stripe_payment_intent_id=f"pi_{n}",
    )
    Refund.objects.create(studio=studio, payment=payment, amount=100, stripe_refund_id=f"re_{n}")
    gallery = make_gallery(studio, title=f"Wedding {n}", access_code=f"code-{n}")
    ShareLink.objects.create(
        studio=studio, gallery=gallery, name="Aunt", email="aunt@example.test", token_hash=f"s-{n}"
    )
    image = StudioImage.objects.create(
        studio=studio, title="Photo", file=f"photos/{n}.jpg", width=10, height=10, collection=studio.collection
    )
    GalleryPhoto.objects.create(studio=studio, gallery=gallery, image=image, sha256="same-picture-in-both")
    return invoice


def rows_by_studio() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("studio_id", flat=True).order_by()) for model in STUDIO_TABLES
    }


@pytest.mark.django_db(transaction=True)
def test_rows_keep_their_studio_and_keys_become_unique_within_a_studio():
    ensure_wagtail_roots()
    harbour = create_studio(name="Harbour Portraits", slug="harbour")
    lighthouse = create_studio(name="Lighthouse Weddings", slug="lighthouse")
    seed(harbour, 1)
    lighthouse_invoice = seed(lighthouse, 2)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    expected = rows_by_studio()

    # given the database as it was before these migrations, with a line added then (no studio column yet)
    old = migrate_back(BEFORE)
    old.get_model("billing", "InvoiceLine").objects.create(
        invoice_id=lighthouse_invoice.pk, description="Prints", unit_amount=4000
    )
    expected["InvoiceLine"] = sorted([*expected["InvoiceLine"], lighthouse.pk])

    # when the migrations run
    migrate(latest)

    # then every row is there with its studio, the old line's filled from its invoice
    assert rows_by_studio() == expected
    assert InvoiceLine.objects.get(description="Prints").studio_id == lighthouse.pk
    # and the keys are unique within a studio: the other studio may hold the same one
    for model, field in WITHIN_STUDIO:
        taken = model.objects.filter(studio=harbour).values_list(field, flat=True).get()
        assert model.objects.filter(studio=lighthouse).update(**{field: taken}) == 1, model.__name__
    # but not one studio twice
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            studio=harbour,
            sequence=2,
            number="INV-0002",
            client=Client.objects.get(studio=harbour),
            currency="USD",
            due_date=timezone.now().date(),
            token=Invoice.objects.get(studio=harbour).token,
        )
