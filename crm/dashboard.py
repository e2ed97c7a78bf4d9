"""The "To-do" panel of the studio dashboard: open to-dos, the overdue first, times in the studio's zone."""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone

from studios.dashboard import ORDER_HINTS, StudioPanel

from .todos import open_todos


class TodoPanel(StudioPanel):
    name = "todos"
    heading = "To-do"
    order = ORDER_HINTS.get("todos", 25)
    template_name = "crm/dashboard/todos.html"
    limit = 10

    def get_panel_context(self):
        todos = list(open_todos(self.studio)[: self.limit + 1])
        more = len(todos) > self.limit
        return {
            "todos": todos[: self.limit],
            "more": more,
            "now": timezone.now(),
            "tz": self.studio.tz,
            "index_url": reverse("todos:index"),
            "add_url": reverse("todos:add"),
            "next_url": reverse("wagtailadmin_home"),
            # A panel renders without the request's context: the "Done" forms need the token passed in.
            "csrf_token": get_token(self.request),
        }
