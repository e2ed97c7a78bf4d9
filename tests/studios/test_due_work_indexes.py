"""Periodic work proportional to what is due, not to the number of studios (issue 18): every beat task selects
its due rows through an index on the columns that say "due" (EXPLAIN on PostgreSQL, sequential scans off so
the planner shows whether an index can serve the query at all)."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# beat task → the table its due rows come from, and the columns an index must start the search with.
DUE_TABLES = {
    "galleries.tasks.send_gallery_expiry_reminders": ("galleries_gallery", {"expires_at"}),
    "galleries.tasks.sweep_stuck_photos": ("galleries_studioimage", {"status", "queued_at"}),
    "galleries.tasks.sweep_abandoned_uploads": ("galleries_multipartupload", {"created_at", "photo_id"}),
    "galleries.archives.sweep_superseded_archives": ("galleries_galleryarchive", {"superseded_at"}),
    "bookings.tasks.send_due_reminders": ("bookings_booking", {"start", "reminder_sent_at", "status"}),
    "frontend_api.tasks.retry_due_webhooks": ("frontend_api_webhookdelivery", {"status", "next_attempt_at"}),
    "frontend_api.tasks.purge_expired_idempotency_keys": ("frontend_api_idempotentrequest", {"created_at"}),
    "studios.tasks.retry_due_emails": ("studios_outgoingemail", {"state", "next_attempt_at"}),
    "billing.tasks.retry_due_stripe_events": ("billing_stripeevent", {"status", "next_attempt_at"}),
    "contracts.tasks.finalise_missed_contracts": ("contracts_contract", {"countersigned_at"}),
    "workflows.tasks.run_due_workflow_steps": ("workflows_workflowrun", {"resume_at"}),
}


def test_every_beat_task_is_listed():
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} == set(DUE_TABLES)


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    return plan


@pytest.mark.parametrize("task_name", sorted(DUE_TABLES))
def test_due_rows_are_found_by_an_index(task_name, studio):
    from celery import current_app

    table, columns = DUE_TABLES[task_name]
    task = current_app.tasks[task_name]
    with CaptureQueriesContext(connection) as captured:
        task.run()
    # A server-side cursor (`.iterator()`) is logged as its DECLARE: the query is what follows FOR.
    statements = [re.sub(r"^\s*DECLARE .*? CURSOR FOR ", "", q["sql"]) for q in captured.captured_queries]
    selects = [sql for sql in statements if re.match(r"\s*(SELECT|DELETE|UPDATE)", sql) and f'"{table}"' in sql]
    assert selects, f"{task_name} did not query {table}"
    first = selects[0]
    plan = _plan(first)
    assert f"Seq Scan on {table}" not in plan, plan
    conditions = " ".join(re.findall(r"(?:Index Cond|Recheck Cond): (.*)", plan))
    assert any(re.search(rf"\b{column}\b", conditions) for column in columns), plan
