"""The studio's to-dos: made by hand in the admin or by a workflow step (`create_todo(..., source="workflow:12")`),
listed on the dashboard (crm/dashboard.py), done with one click; a done to-do about a client shows on their
timeline."""

from datetime import datetime

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from studios.errors import DomainError
from studios.models import Studio

from .activity import record_activity
from .models import Activity, Client, Todo


class TodoError(DomainError):
    code = "todo_invalid"


def create_todo(
    studio: Studio,
    *,
    title: str,
    client: Client | None = None,
    due_at: datetime | None = None,
    source: str = "",
    notes: str = "",
) -> Todo:
    """A new open to-do for `studio` (about `client`, due at `due_at`: aware, stored in UTC)."""
    title = " ".join(str(title).split())[:200]
    if not title:
        raise TodoError(message="A to-do needs a title.", fields={"title": ["Write what has to be done."]})
    if client is not None and client.studio_id != studio.pk:
        raise TodoError("client_not_found", "That client is not one of this studio's.", "not_found")
    if due_at is not None and timezone.is_naive(due_at):
        raise ValueError("due_at must be an aware datetime")
    return Todo.objects.create(
        studio=studio, title=title, notes=notes, client=client, due_at=due_at, source=str(source)[:100]
    )


@transaction.atomic
def complete_todo(todo: Todo, *, by=None) -> Todo:
    """Mark `todo` done (once: completing it again changes nothing); about a client, it lands on their timeline."""
    now = timezone.now()
    updated = Todo.objects.filter(pk=todo.pk, studio_id=todo.studio_id, done_at__isnull=True).update(
        done_at=now, done_by=by if getattr(by, "pk", None) else None
    )
    todo.refresh_from_db()
    if updated and todo.client_id:
        record_activity(todo.client, Activity.Kind.TODO_DONE, todo.title, data={"todo": todo.pk}, user=by)
    return todo


def open_todos(studio: Studio) -> QuerySet[Todo]:
    """The studio's open to-dos: the most overdue first, then those due later, then those without a date."""
    return (
        Todo.objects.for_studio(studio)
        .filter(done_at__isnull=True)
        .select_related("client")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )
