"""The studio's to-dos (issue 15): created by hand or by a workflow, listed on the dashboard (overdue first,
in the studio's time zone), done with one click; studio B can neither see nor complete A's."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from crm.models import Activity, Todo
from crm.todos import TodoError, complete_todo, create_todo, open_todos
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def emma(studio):
    return ClientFactory(studio=studio, name="Emma Clarke")


def test_open_todos_come_overdue_first_then_by_due_date_then_undated(studio, other_studio):
    now = timezone.now()
    later = create_todo(studio, title="Later", due_at=now + timedelta(days=2))
    undated = create_todo(studio, title="Whenever")
    overdue = create_todo(studio, title="Overdue", due_at=now - timedelta(days=1), source="workflow:7")
    done = create_todo(studio, title="Done already", due_at=now - timedelta(days=3))
    complete_todo(done)
    create_todo(other_studio, title="Harbour's", due_at=now - timedelta(days=5))

    assert list(open_todos(studio)) == [overdue, later, undated]
    assert overdue.source == "workflow:7" and overdue.is_overdue and not later.is_overdue


def test_completing_records_on_the_client_timeline_once(studio, emma, photographer):
    todo = create_todo(studio, title="Send the mood board", client=emma)
    complete_todo(todo, by=photographer)
    complete_todo(todo, by=photographer)  # a second click changes nothing

    todo.refresh_from_db()
    assert todo.is_done and todo.done_by == photographer
    [line] = emma.activities.filter(kind=Activity.Kind.TODO_DONE)
    assert line.summary == "Send the mood board" and line.created_by == photographer


def test_a_todo_needs_a_title_and_the_studios_own_client(studio, other_studio):
    with pytest.raises(TodoError):
        create_todo(studio, title="   ")
    with pytest.raises(TodoError):
        create_todo(studio, title="Call", client=ClientFactory(studio=other_studio))


# --- The dashboard panel -------------------------------------------------------------------------------------


def test_the_dashboard_lists_open_todos_in_the_studios_time_zone_with_done_buttons(
    studio, emma, photographer, admin_client_for
):
    studio.time_zone = "America/New_York"
    studio.save()
    due = datetime(2020, 3, 2, 15, 30, tzinfo=ZoneInfo("UTC"))  # 10:30 in New York
    todo = create_todo(studio, title=f"Call {SCRIPT}", client=emma, due_at=due)
    create_todo(studio, title="No date")

    page = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost")
    html = page.content.decode()
    assert page.status_code == 200
    panel = html.split("data-todo-panel")[1]
    assert "Mon 2 Mar, 10:30" in panel and "Overdue" in panel and "America/New_York" in panel
    assert f'action="/admin/todos/{todo.pk}/done/"' in panel and "csrfmiddlewaretoken" in panel
    assert f'href="/admin/clients/inspect/{emma.pk}/"' in panel
    assert SCRIPT not in html and "Call &lt;script&gt;" in panel
    assert panel.index("Call &lt;script&gt;") < panel.index("No date")


def test_done_on_the_dashboard_completes_it_and_returns(studio, emma, photographer, admin_client_for):
    todo = create_todo(studio, title="Edit the album", client=emma)
    admin = admin_client_for(photographer)
    response = admin.post(f"/admin/todos/{todo.pk}/done/", {"next": "/admin/"}, HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    todo.refresh_from_db()
    assert todo.is_done
    assert (
        "Edit the album" not in admin.get("/admin/", HTTP_HOST="localhost").content.decode().split("data-todo-panel")[1]
    )
    # Elsewhere than this admin: back to the dashboard.
    other = create_todo(studio, title="Another")
    response = admin.post(f"/admin/todos/{other.pk}/done/", {"next": "https://evil.example/"}, HTTP_HOST="localhost")
    assert response["Location"] == "/admin/"


def test_done_needs_a_post(studio, photographer, admin_client_for):
    todo = create_todo(studio, title="Edit the album")
    assert admin_client_for(photographer).get(f"/admin/todos/{todo.pk}/done/", HTTP_HOST="localhost").status_code == 405
    todo.refresh_from_db()
    assert not todo.is_done


def test_another_studio_can_neither_see_nor_complete_a_todo(
    studio, other_studio, emma, photographer, other_photographer, admin_client_for
):
    todo = create_todo(studio, title="Northlight secret errand", client=emma)
    b_admin = admin_client_for(other_photographer)

    assert b_admin.post(f"/admin/todos/{todo.pk}/done/", HTTP_HOST="localhost").status_code == 404
    assert b_admin.get(f"/admin/todos/edit/{todo.pk}/", HTTP_HOST="localhost").status_code in (403, 404)
    assert "Northlight secret errand" not in b_admin.get("/admin/", HTTP_HOST="localhost").content.decode()
    assert "Northlight secret errand" not in b_admin.get("/admin/todos/", HTTP_HOST="localhost").content.decode()
    todo.refresh_from_db()
    assert not todo.is_done
    assert not emma.activities.filter(kind=Activity.Kind.TODO_DONE).exists()


# --- The listing -------------------------------------------------------------------------------------------


def test_a_photographer_adds_a_todo_by_hand_due_in_the_studios_zone(studio, emma, photographer, admin_client_for):
    studio.time_zone = "Europe/Berlin"
    studio.save()
    admin = admin_client_for(photographer)
    form = admin.get("/admin/todos/new/", HTTP_HOST="localhost")
    assert form.status_code == 200
    response = admin.post(
        "/admin/todos/new/",
        {"title": "Print the proofs", "client": emma.pk, "due_at": "2030-07-01 09:00", "notes": ""},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    todo = Todo.objects.get(title="Print the proofs")
    assert todo.studio == studio and todo.client == emma
    assert todo.due_at == datetime(2030, 7, 1, 7, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Berlin (CEST)
    listing = admin.get("/admin/todos/", HTTP_HOST="localhost").content.decode()
    assert "Print the proofs" in listing and "01 Jul 2030 09:00" in listing


def test_the_add_form_offers_only_the_studios_clients(studio, other_studio, emma, photographer, admin_client_for):
    stranger = ClientFactory(studio=other_studio, name="Harbour Secret Client")
    admin = admin_client_for(photographer)
    assert "Harbour Secret Client" not in admin.get("/admin/todos/new/", HTTP_HOST="localhost").content.decode()
    response = admin.post(
        "/admin/todos/new/", {"title": "Sneaky", "client": stranger.pk, "due_at": ""}, HTTP_HOST="localhost"
    )
    assert response.status_code == 200  # the form again, with an error
    assert not Todo.objects.filter(title="Sneaky").exists()
