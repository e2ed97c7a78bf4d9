"""Ready-made workflows every new studio gets, switched off (the `studio_created` hook), and switched on in
the demo: what photographers otherwise do by hand after an inquiry, a booking, a delivery or a late payment."""

from datetime import time

from crm.questionnaires import SESSION_PLANNING_NAME

from .models import Workflow

# The questionnaire crm gives every new studio.
QUESTIONNAIRE = SESSION_PLANNING_NAME

RECIPES = [
    {
        "recipe": "inquiry_auto_reply",
        "name": "Inquiry auto-reply",
        "trigger": "inquiry.created",
        "steps": [("send_email", {"template": "workflow_inquiry_reply", "to": "client"})],
    },
    {
        "recipe": "booking_questionnaire",
        "name": "Booking confirmed → questionnaire",
        "trigger": "booking.confirmed",
        "steps": [
            ("send_questionnaire", {"questionnaire": QUESTIONNAIRE}),
            ("create_todo", {"title": "Read the client's questionnaire answers", "due_in_days": 7}),
        ],
    },
    {
        "recipe": "session_reminder",
        "name": "Session reminder (2 days before)",
        "trigger": "booking.confirmed",
        "start_anchor": "booking.start",
        "start_days": -2,
        "start_time": time(9, 0),
        "steps": [("send_email", {"template": "workflow_session_reminder", "to": "client"})],
    },
    {
        "recipe": "selection_nudge",
        "name": "No selection 7 days after delivery → nudge",
        "trigger": "gallery.published",
        "steps": [
            ("wait", {"days": 7, "hours": 0}),
            ("stop_unless", {"conditions": [("gallery_selection", {"test": "lacks"})]}),
            ("send_email", {"template": "workflow_selection_nudge", "to": "client"}),
        ],
    },
    {
        "recipe": "gallery_expiring",
        "name": "Gallery closing: 7, 4 and 1 days before",
        "trigger": "gallery.published",
        "steps": [
            step
            for days in (-7, -4, -1)
            for step in (
                (
                    "wait_until",
                    {"anchor": "gallery.expires_at", "days": days, "time": time(10), "if_passed": "skip_next"},
                ),  # noqa: E501
                ("send_email", {"template": "workflow_gallery_expiring", "to": "client"}),
            )
        ],
    },
    {
        "recipe": "review_request",
        "name": "Review request 14 days after delivery",
        "trigger": "gallery.published",
        "steps": [
            ("wait", {"days": 14, "hours": 0}),
            ("send_email", {"template": "workflow_review_request", "to": "client"}),
        ],
    },
    {
        "recipe": "invoice_overdue",
        "name": "Invoice 3 days overdue → reminder",
        "trigger": "invoice.overdue",
        "start_days": 3,
        "start_time": time(10, 0),
        "steps": [("send_email", {"template": "workflow_invoice_reminder", "to": "client"})],
    },
]


def recipe_workflows(studio, *, active: bool = False) -> list[Workflow]:
    return [Workflow(studio=studio, active=active, **recipe) for recipe in RECIPES]


def seed_recipes(studio, *, active: bool = False) -> list[Workflow]:
    """The recipes the studio does not have yet (by recipe key), in one insert."""
    have = set(Workflow.objects.for_studio(studio).exclude(recipe="").values_list("recipe", flat=True))
    return Workflow.objects.bulk_create([w for w in recipe_workflows(studio, active=active) if w.recipe not in have])
