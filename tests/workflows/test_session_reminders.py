"""A client hears once before their session. Bookings send a built-in reminder BOOKING_REMINDER_HOOK hours
before (bookings.tasks.send_due_reminders); it gives way for a session an active workflow measured from the
session's start e-mails the client about (the "Session reminder (2 days before)" recipe in the demo), on a
plan that runs workflows: workflows.engine.bookings_reminded_by_workflows. The built-in reminder is then marked
done without its e-mail."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from bookings import scheduling
from bookings.models import BookingEvent
from bookings.tasks import send_due_reminders
from studios.models import OutgoingEmail
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory
from workflows import engine
from workflows.models import Workflow, WorkflowRun

from .conftest import email_step, make_workflow, on_plan

pytestmark = pytest.mark.django_db

REMINDERS = ("booking_reminder", "workflow_session_reminder")


def _reminders(studio) -> list[str]:
    sent = OutgoingEmail.objects.filter(studio=studio, template__in=REMINDERS, to=["emma@example.test"])
    return sorted(sent.values_list("template", flat=True))


def _book_in_ten_days(studio, committed):
    start = (timezone.now() + timedelta(days=10)).astimezone(studio.tz).replace(hour=11, minute=0, second=0)
    weekly_hours(studio, time(0), time(23, 59))
    package = SessionTypeFactory(studio=studio, auto_confirm=True, location="Victoria Park, east gate")
    return committed(
        scheduling.book, studio, package, start.replace(microsecond=0), name="Emma", email="emma@example.test"
    )


def _the_day_before(booking, committed, settings):
    """What beat does the day before the session: the workflows' due steps, then the bookings' reminder sweep
    (its window reaches the session)."""
    now = booking.start - timedelta(hours=20)
    engine.run_due(now=now)
    settings.BOOKING_REMINDER_HOURS = 14 * 24
    committed(send_due_reminders)


def _recipe_on(studio):
    Workflow.objects.for_studio(studio).filter(recipe="session_reminder").update(active=True)


def test_without_a_workflow_the_built_in_reminder_is_sent(studio, committed, settings):
    booking = _book_in_ten_days(studio, committed)
    _the_day_before(booking, committed, settings)
    assert _reminders(studio) == ["booking_reminder"]
    assert BookingEvent.objects.filter(booking=booking, kind="reminder_sent").exists()


def test_the_recipe_reminds_and_the_built_in_reminder_gives_way(studio, committed, settings):
    _recipe_on(studio)
    booking = _book_in_ten_days(studio, committed)
    _the_day_before(booking, committed, settings)
    assert WorkflowRun.objects.get(workflow__recipe="session_reminder").status == "done"
    assert _reminders(studio) == ["workflow_session_reminder"]
    booking.refresh_from_db()
    assert booking.reminder_sent_at is not None  # done: the sweep does not try again
    committed(send_due_reminders)
    assert _reminders(studio) == ["workflow_session_reminder"]
    assert not BookingEvent.objects.filter(booking=booking, kind="reminder_sent").exists()


def test_a_session_moved_after_the_workflow_reminded_gets_the_built_in_reminder(studio, committed, settings):
    _recipe_on(studio)
    booking = _book_in_ten_days(studio, committed)
    engine.run_due(now=booking.start - timedelta(hours=20))  # the recipe reminded Emma of 11:00 on day 10
    assert _reminders(studio) == ["workflow_session_reminder"]
    later = booking.start + timedelta(days=1)
    committed(scheduling.reschedule, booking, later, by=None)
    booking.refresh_from_db()
    _the_day_before(booking, committed, settings)
    # Nothing of the workflow's waits any more: the built-in reminder tells her the new time.
    assert _reminders(studio) == ["booking_reminder", "workflow_session_reminder"]


def test_a_workflow_that_does_not_email_the_client_leaves_the_built_in_reminder(studio, committed, settings):
    make_workflow(
        studio,
        "booking.confirmed",
        [("create_todo", {"title": "Pack the reflector", "due_in_days": 1})],
        start_anchor="booking.start",
        start_days=-2,
        start_time=time(9),
    )
    booking = _book_in_ten_days(studio, committed)
    _the_day_before(booking, committed, settings)
    assert _reminders(studio) == ["booking_reminder"]


def test_a_reminder_too_late_to_send_leaves_the_built_in_one(studio, committed, settings):
    make_workflow(
        studio,
        "booking.confirmed",
        [email_step()],
        start_anchor="booking.start",
        start_days=-20,  # 20 days before a session in 10: its moment has passed, the run stops
        start_time=time(9),
    )
    booking = _book_in_ten_days(studio, committed)
    _the_day_before(booking, committed, settings)
    assert _reminders(studio) == ["booking_reminder"]


def test_a_plan_without_automation_keeps_the_built_in_reminder(studio, committed, settings):
    _recipe_on(studio)
    booking = _book_in_ten_days(studio, committed)
    on_plan(studio, "starter")
    _the_day_before(booking, committed, settings)
    assert _reminders(studio) == ["booking_reminder"]


def test_another_studios_workflows_never_silence_this_studios_reminders(studio, other_studio, committed, settings):
    _recipe_on(other_studio)
    booking = _book_in_ten_days(studio, committed)
    _the_day_before(booking, committed, settings)
    assert _reminders(studio) == ["booking_reminder"]
