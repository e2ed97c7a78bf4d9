"""Workflows as a photographer sees them: the recipes, runs started by real events, waits, cancellations,
replays, plan gating and isolation between studios."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings import scheduling
from crm.inquiries import receive_inquiry
from studios import events
from studios.models import OutgoingEmail
from tests.bookings.factories import weekly_hours
from tests.factories import BookingFactory, ClientFactory, SessionTypeFactory, StudioFactory
from workflows import engine
from workflows.models import Workflow, WorkflowRun, WorkflowRunLog
from workflows.recipes import RECIPES

from .conftest import email_step, make_workflow, on_plan

pytestmark = pytest.mark.django_db


def test_every_new_studio_gets_the_recipes_switched_off(studio):
    workflows = Workflow.objects.for_studio(studio)
    assert sorted(workflows.values_list("recipe", flat=True)) == sorted(r["recipe"] for r in RECIPES)
    assert not workflows.filter(active=True).exists()


def test_the_demo_switches_the_recipes_on(studio):
    from io import StringIO

    from workflows import demo

    demo.seed(studio, StringIO())
    demo.seed(studio, StringIO())  # idempotent
    assert Workflow.objects.for_studio(studio).filter(active=True).count() == len(RECIPES)


def test_an_inquiry_gets_the_auto_reply_and_a_run_in_the_log(studio, committed, mailoutbox):
    Workflow.objects.for_studio(studio).filter(recipe="inquiry_auto_reply").update(active=True)
    committed(receive_inquiry, studio, name="Siobhán O'Brien", email="siobhan@example.test", message="Hello!")

    reply = [m for m in mailoutbox if m.to == ["siobhan@example.test"]]
    assert len(reply) == 1
    assert "Thank you for your inquiry, Siobhán O'Brien" in reply[0].subject
    assert "&#x27;" not in reply[0].body
    run = WorkflowRun.objects.get(workflow__recipe="inquiry_auto_reply")
    assert run.status == WorkflowRun.Status.DONE and run.client.email == "siobhan@example.test"
    assert list(run.log.values_list("step_index", "status")) == [(-1, "done"), (0, "done")]


def test_a_replayed_event_starts_one_run_and_sends_once(studio, committed, mailoutbox):
    workflow = make_workflow(studio, "inquiry.created", [email_step("workflow_inquiry_reply")])
    inquiry = committed(receive_inquiry, studio, name="Emma", email="emma@example.test", message="Hi")
    committed(events.publish, studio, "inquiry.created", inquiry)
    committed(events.publish, studio, "inquiry.created", inquiry)
    assert WorkflowRun.objects.filter(workflow=workflow).count() == 1
    assert len([m for m in mailoutbox if m.to == ["emma@example.test"]]) == 1


def test_a_run_is_claimed_once(studio):
    workflow = make_workflow(studio, "inquiry.created", [email_step("workflow_inquiry_reply")])
    inquiry = receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hi")
    run = WorkflowRun.objects.get(workflow=workflow)
    now = timezone.now() + timedelta(seconds=1)
    assert engine.claim(run.pk, now) is True
    assert engine.claim(run.pk, now) is False  # a second worker or sweep gets nothing
    assert engine.advance(run.pk, now=now) == "busy"
    # The first worker died: its lease runs out and the sweeper takes the run over, sending once.
    assert engine.run_due(now=now + engine.LEASE + timedelta(seconds=1)) == 1
    assert engine.run_due(now=now + engine.LEASE * 3) == 0
    assert OutgoingEmail.objects.filter(studio=studio, template="workflow_inquiry_reply").count() == 1
    assert inquiry.client.workflow_runs.get().status == "done"


def test_plan_without_automation_runs_nothing(studio, committed, mailoutbox):
    on_plan(studio, "starter")
    make_workflow(studio, "inquiry.created", [email_step("workflow_inquiry_reply")])
    committed(receive_inquiry, studio, name="Emma", email="emma@example.test", message="Hi")
    assert not WorkflowRun.objects.filter(studio=studio).exists()
    assert not [m for m in mailoutbox if m.to == ["emma@example.test"]]


def test_a_waiting_run_stops_when_the_plan_lapses_to_one_without_automation(studio):
    workflow = make_workflow(studio, "inquiry.created", [("wait", {"days": 1, "hours": 0}), email_step()])
    receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hi")
    engine.run_due(now=timezone.now() + timedelta(seconds=1))
    on_plan(studio, "starter")
    engine.run_due(now=timezone.now() + timedelta(days=2))
    run = WorkflowRun.objects.get(workflow=workflow)
    assert run.status == "stopped" and "plan" in run.outcome
    assert not OutgoingEmail.objects.filter(studio=studio, template="workflow_session_reminder").exists()


def test_studio_b_events_never_start_studio_a_workflows(studio, other_studio, committed, mailoutbox):
    mine = make_workflow(studio, "inquiry.created", [email_step("workflow_inquiry_reply")])
    committed(receive_inquiry, other_studio, name="Harbour lead", email="lead@harbour.test", message="Hi")
    assert not WorkflowRun.objects.filter(workflow=mine).exists()
    assert not WorkflowRun.objects.filter(studio=studio).exists()
    assert not [m for m in mailoutbox if m.to == ["lead@harbour.test"]]


def _session(studio, local_start: datetime):
    weekly_hours(studio, time(0), time(23, 59))
    package = SessionTypeFactory(studio=studio, name="Portrait", auto_confirm=True, location="Victoria Park")
    client = ClientFactory(studio=studio, email="emma@example.test", name="Emma")
    return scheduling.book(studio, package, local_start, client=client, by=None, now=local_start - timedelta(days=20))


@pytest.mark.parametrize(
    ("local_start", "expected_utc"),
    [
        # The clocks go back on Sunday 25 October 2026: 9:00 on Saturday the 24th is still BST (UTC+1).
        (datetime(2026, 10, 26, 10, 0), datetime(2026, 10, 24, 8, 0, tzinfo=UTC)),
        # They go forward on Sunday 29 March 2026: 9:00 on Friday the 27th is GMT.
        (datetime(2026, 3, 30, 10, 0), datetime(2026, 3, 28, 9, 0, tzinfo=UTC)),
    ],
)
def test_two_days_before_at_nine_is_nine_on_the_wall_clock_across_dst(studio, local_start, expected_utc):
    workflow = make_workflow(
        studio,
        "booking.confirmed",
        [email_step()],
        start_anchor="booking.start",
        start_days=-2,
        start_time=time(9),
    )
    start = local_start.replace(tzinfo=studio.tz)
    booking = BookingFactory(studio=studio, start=start, status="confirmed")
    run = engine.start_run(workflow, booking, now=start - timedelta(days=20))
    assert run.resume_at == expected_utc
    assert run.resume_at.astimezone(studio.tz).time() == time(9)


def test_booking_schedules_the_reminder_and_cancelling_cancels_it(studio, committed, mailoutbox):
    Workflow.objects.for_studio(studio).filter(recipe="session_reminder").update(active=True)
    told = make_workflow(studio, "booking.cancelled", [email_step("workflow_studio_note", to="client")])
    start = (timezone.now() + timedelta(days=10)).astimezone(studio.tz).replace(hour=11, minute=0, second=0)
    start = start.replace(microsecond=0)
    weekly_hours(studio, time(0), time(23, 59))
    package = SessionTypeFactory(studio=studio, auto_confirm=True, location="Victoria Park, east gate")
    booking = committed(scheduling.book, studio, package, start, name="Emma", email="emma@example.test")
    reminder = WorkflowRun.objects.get(workflow__recipe="session_reminder")
    assert reminder.status == "waiting"
    assert reminder.resume_at.astimezone(studio.tz) == (start - timedelta(days=2)).replace(hour=9)

    committed(scheduling.cancel, booking, reason="Ill")
    reminder.refresh_from_db()
    assert reminder.status == "cancelled" and "cancelled" in reminder.outcome
    assert WorkflowRun.objects.get(workflow=told).status == "done"  # started by the cancellation itself
    engine.run_due(now=start)
    assert not OutgoingEmail.objects.filter(template="workflow_session_reminder").exists()


def test_the_reminder_goes_out_with_the_location_when_due(studio, mailoutbox):
    Workflow.objects.for_studio(studio).filter(recipe="session_reminder").update(active=True)
    start = (timezone.now() + timedelta(days=10)).astimezone(studio.tz).replace(hour=11, minute=0, second=0)
    weekly_hours(studio, time(0), time(23, 59))
    package = SessionTypeFactory(studio=studio, auto_confirm=True, location="Victoria Park, east gate")
    scheduling.book(studio, package, start.replace(microsecond=0), name="Emma", email="emma@example.test")
    assert engine.run_due(now=start - timedelta(days=3)) == 0
    assert engine.run_due(now=start - timedelta(days=1)) == 1
    (reminder,) = [m for m in mailoutbox if "See you soon" in m.subject]
    assert "Victoria Park, east gate" in reminder.body


def test_rescheduling_moves_the_reminder(studio):
    Workflow.objects.for_studio(studio).filter(recipe="session_reminder").update(active=True)
    start = (timezone.now() + timedelta(days=10)).astimezone(studio.tz).replace(hour=11, minute=0, second=0)
    start = start.replace(microsecond=0)
    weekly_hours(studio, time(0), time(23, 59))
    package = SessionTypeFactory(studio=studio, auto_confirm=True)
    booking = scheduling.book(studio, package, start, name="Emma", email="emma@example.test")
    scheduling.reschedule(booking, start + timedelta(days=5), by=None)
    run = WorkflowRun.objects.get(workflow__recipe="session_reminder")
    assert run.resume_at.astimezone(studio.tz) == (start + timedelta(days=3)).replace(hour=9)


def test_a_reminder_whose_moment_passed_is_not_sent(studio):
    workflow = make_workflow(
        studio, "booking.confirmed", [email_step()], start_anchor="booking.start", start_days=-2, start_time=time(9)
    )
    booking = BookingFactory(studio=studio, start=timezone.now() + timedelta(hours=20), status="confirmed")
    run = engine.start_run(workflow, booking)
    assert run.status == "stopped" and "passed" in run.outcome


def test_editing_a_workflow_does_not_change_a_started_run(studio, mailoutbox):
    workflow = make_workflow(
        studio, "inquiry.created", [("wait", {"days": 1, "hours": 0}), email_step("workflow_inquiry_reply")]
    )
    receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hi")
    engine.run_due(now=timezone.now() + timedelta(seconds=1))
    workflow.steps = [("wait", {"days": 1, "hours": 0}), email_step("workflow_review_request")]
    workflow.save()
    assert workflow.version == 2
    engine.run_due(now=timezone.now() + timedelta(days=2))
    run = WorkflowRun.objects.get(workflow=workflow)
    assert run.workflow_version == 1 and run.status == "done"
    assert [m.subject for m in mailoutbox if m.to == ["emma@example.test"]] == ["Thank you for your inquiry, Emma"]


def test_a_failed_step_fails_the_run_and_tells_the_studios_webhook(studio):
    from frontend_api.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(studio=studio, url="https://hooks.example.test/ff", events=["workflow.run_failed"])
    workflow = make_workflow(studio, "inquiry.created", [("add_tag", {"tag": "new"}), email_step("no_such_mail")])
    receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hi")
    engine.run_due(now=timezone.now() + timedelta(seconds=1))
    run = WorkflowRun.objects.get(workflow=workflow)
    assert run.status == "failed" and "no_such_mail" in run.outcome
    assert run.log.get(step_index=1).status == WorkflowRunLog.Status.FAILED
    assert run.client.tags.filter(name="new").exists()  # the step before stays done
    delivery = WebhookDelivery.objects.get(studio=studio, event="workflow.run_failed")
    assert delivery.payload["data"]["workflow"]["name"] == "Test"
    assert delivery.payload["data"]["status"] == "failed"


def test_a_turned_off_workflow_starts_nothing_and_its_waiting_runs_stop(studio):
    workflow = make_workflow(studio, "inquiry.created", [("wait", {"days": 1, "hours": 0}), email_step()])
    receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hi")
    engine.run_due(now=timezone.now() + timedelta(seconds=1))
    Workflow.objects.filter(pk=workflow.pk).update(active=False)
    receive_inquiry(studio, name="Lucy", email="lucy@example.test", message="Hi")
    assert WorkflowRun.objects.filter(workflow=workflow).count() == 1
    engine.run_due(now=timezone.now() + timedelta(days=2))
    assert WorkflowRun.objects.get(workflow=workflow).status == "cancelled"


def test_another_studio_is_isolated_in_the_sweep(studio, other_studio):
    theirs = make_workflow(other_studio, "inquiry.created", [email_step("workflow_inquiry_reply")])
    receive_inquiry(other_studio, name="Lead", email="lead@harbour.test", message="Hi")
    assert engine.run_due(now=timezone.now() + timedelta(seconds=1)) == 1
    run = WorkflowRun.objects.get(workflow=theirs)
    assert run.status == "done" and run.studio == other_studio
    assert OutgoingEmail.objects.get(template="workflow_inquiry_reply").studio == other_studio


def test_studio_factory_is_unchanged_by_workflows():
    # Provisioning adds the recipes in one insert (tests/cms/test_provisioning.py counts queries).
    studio = StudioFactory()
    assert Workflow.objects.for_studio(studio).count() == len(RECIPES)
    assert mail.outbox == []
