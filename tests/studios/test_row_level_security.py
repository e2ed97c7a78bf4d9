"""PostgreSQL row-level security (studios/rls.py): the second line behind `for_studio()`. The probe views in
rls_urls.py read tenant tables with no filter at all; what they return is what the policies let through.

The suite connects as `postgres`, a superuser, which PostgreSQL never filters: these tests pass only because a
scoped connection switches to the NOLOGIN role ROW_LEVEL_SECURITY_ROLE."""

import pytest
from celery import shared_task
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from crm.models import Client, Inquiry
from studios import rls
from studios.models import Studio
from tests.billing.factories import invoice_for
from tests.factories import ClientFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.urls("tests.studios.rls_urls")]


@pytest.fixture
def rows(studio, other_studio):
    """Two clients and an invoice (its lines carry the invoice's studio key) per studio."""
    for owner in (studio, other_studio):
        ClientFactory.create_batch(2, studio=owner)
        invoice_for(owner, send=False)
    return {"a": studio.pk, "b": other_studio.pk}


def test_a_studio_request_sees_only_its_own_rows(client, rows):
    # when: an unscoped query runs inside studio A's request
    answer = client.get("/rows/", HTTP_HOST="northlight.localhost").json()
    # then: PostgreSQL returned only A's rows, for a table of its own and one of an invoice's children
    assert answer == {"clients": [rows["a"]] * 3, "invoice_lines": [rows["a"]]}
    answer = client.get("/rows/", HTTP_HOST="harbour.localhost").json()
    assert answer == {"clients": [rows["b"]] * 3, "invoice_lines": [rows["b"]]}


def test_a_request_for_no_studio_sees_nothing(client, rows):
    # the platform host answers /api/studio/ without a studio until an API key names one
    answer = client.get("/api/studio/rows/", HTTP_HOST="localhost").json()
    assert answer == {"clients": [], "invoice_lines": []}


def test_in_the_admin_a_photographer_sees_their_studio_and_platform_staff_every_studio(
    client, rows, studio, photographer
):
    client.force_login(photographer)
    # on the other studio's host, too: the admin's studio is the photographer's, never the host's
    assert client.get("/admin/rows/", HTTP_HOST="harbour.localhost").json()["clients"] == [rows["a"]] * 3
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    every = sorted([rows["a"]] * 3 + [rows["b"]] * 3)
    assert client.get("/admin/rows/", HTTP_HOST="localhost").json()["clients"] == every
    client.logout()
    assert client.get("/admin/rows/", HTTP_HOST="localhost").json()["clients"] == []


def test_a_view_marked_across_studios_sees_every_studio(client, rows):
    # the Stripe webhook's case: the studio is only known once the event is read
    answer = client.get("/billing/rows/", HTTP_HOST="localhost").json()
    assert answer["clients"] == sorted([rows["a"]] * 3 + [rows["b"]] * 3)


def test_a_studio_cannot_write_a_row_for_another(rows, other_studio):
    with rls.studio(rows["a"]), pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
        Client.objects.create(studio=other_studio, name="Mallory", email="m@example.test")


@shared_task
def unscoped_client_studios() -> list[int]:
    return sorted(Client.objects.values_list("studio_id", flat=True))


def test_a_task_runs_in_the_scope_it_was_queued_in(rows):
    headers = {}
    with rls.studio(rows["a"]):
        rls._add_scope_header(headers=headers)  # what before_task_publish adds to every message
    assert unscoped_client_studios.apply(headers=headers).get() == [rows["a"]] * 3
    assert unscoped_client_studios.apply(headers={rls.TASK_HEADER: "platform"}).get() == sorted(
        [rows["a"]] * 3 + [rows["b"]] * 3
    )
    assert unscoped_client_studios.apply(headers={rls.TASK_HEADER: ""}).get() == []


@pytest.mark.celery_worker
def test_a_worker_task_reads_only_the_studio_it_was_queued_for(celery_worker, studio, other_studio, photographer):
    inquiry = Inquiry.objects.create(studio=studio, client=ClientFactory(studio=studio), message="Hello")
    from crm.tasks import notify_photographer_of_inquiry

    # queued from the other studio's scope, the worker cannot even find the inquiry
    with rls.studio(other_studio):
        queued = notify_photographer_of_inquiry.apply_async((inquiry.pk,), ignore_result=False)  # (the task's default)
        assert queued.get(timeout=30) is False
    with rls.studio(studio):
        assert notify_photographer_of_inquiry.apply_async((inquiry.pk,), ignore_result=False).get(timeout=30) is True


def test_a_scope_undone_by_a_rolled_back_savepoint_is_sent_again(rows):
    class Boom(Exception):
        pass

    with rls.studio(rows["a"]):
        with pytest.raises(Boom), transaction.atomic():
            assert Client.objects.count() == 3  # the scope is set inside the savepoint…
            raise Boom
        # …which rolled it back on the server: the next query must set it again
        assert Client.objects.count() == 3
    assert Client.objects.count() == 6


def test_every_studio_keyed_table_has_a_forced_policy(db):
    studio_keyed = {
        m._meta.db_table
        for m in apps.get_models()
        if any(f.many_to_one and f.related_model is Studio and f.name == "studio" for f in m._meta.local_fields)
    }
    tables = {t.table: t for t in rls.tenant_tables()}
    # every model with a studio key, the children of invoices, galleries and clients among them, each filtered by
    # its own studio key rather than through its parent
    assert studio_keyed <= set(tables)
    children = {"billing_invoiceline", "galleries_favorite", "galleries_galleryaccess", "crm_client_tags"}
    assert children <= studio_keyed
    assert {name: tables[name].parent_table for name in children} == dict.fromkeys(children, "")
    assert not any("EXISTS" in tables[name].condition() for name in children)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = %s
               WHERE c.relrowsecurity AND c.relforcerowsecurity""",
            [rls.POLICY],
        )
        protected = {name for (name,) in cursor.fetchall()}
    assert set(tables) - protected == set()
    # and running it again changes nothing
    assert rls.apply_policies() == []


def test_a_sweep_across_studios_queues_each_item_in_its_own_studio(monkeypatch, studio, other_studio):
    from datetime import timedelta

    from django.utils import timezone

    from bookings import tasks
    from tests.factories import BookingFactory

    soon = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    for owner in (studio, other_studio):
        BookingFactory(studio=owner, start=soon, end=soon + timedelta(hours=1))
    queued_in = []
    monkeypatch.setattr(tasks.send_reminder, "delay", lambda pk: queued_in.append(rls.current()))
    # beat runs the sweep for the platform; each reminder task is queued for its booking's studio only
    with rls.platform():
        assert tasks.send_due_reminders() == 2
    assert sorted(queued_in, key=str) == [rls.for_studios([studio]), rls.for_studios([other_studio])]
