"""A gallery's client hears once before it closes. Galleries send built-in reminders 7, 4 and 1 days before;
the rule (workflows.engine.galleries_reminded_by_workflows): they give way for a gallery an active workflow
e-mails about its closing (the "Gallery closing" recipe's run for that gallery, or any workflow started by
"Gallery closing soon" that e-mails the client) on a plan that runs workflows. The reminder's row and the
`gallery.expiring` event still happen; only the built-in e-mail is left out."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.utils import timezone

from galleries import proofing
from galleries.models import ExpiryReminder
from studios.models import OutgoingEmail
from tests.factories import ClientFactory
from tests.galleries.factories import make_gallery
from workflows import demo, engine
from workflows.models import Workflow, WorkflowRun

from .conftest import email_step, make_workflow, on_plan

pytestmark = pytest.mark.django_db

CLOSING_TEMPLATES = ("gallery_expiring", "workflow_gallery_expiring")


def _closing_emails(studio, address="emma@example.test"):
    sent = OutgoingEmail.objects.filter(studio=studio, template__in=CLOSING_TEMPLATES)
    return sorted(e.template for e in sent if e.to == [address])


def _closing_in_ten_days(studio):
    """18:00 local, ten days from now: the 7-days-before reminder is due at 10:00 local on day 3."""
    local = (timezone.now() + timedelta(days=10)).astimezone(studio.tz)
    closes = local.replace(hour=18, minute=0, second=0, microsecond=0)
    seven_before = closes.replace(hour=10) - timedelta(days=7)
    return closes, seven_before


def _recipe(studio, *, active=True):
    workflow = Workflow.objects.for_studio(studio).get(recipe="gallery_expiring")
    Workflow.objects.filter(pk=workflow.pk).update(active=active)
    return workflow


def _deliver_and_remind(now):
    """What beat does at `now`: the workflows' due steps, then the galleries' reminder sweep."""
    engine.run_due(now=now)
    return proofing.send_expiry_reminders(now)


def test_without_a_workflow_the_built_in_reminder_is_sent(studio):
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    make_gallery(studio, client=emma, expires_at=closes)
    assert _deliver_and_remind(seven_before) == 1
    assert _closing_emails(studio) == ["gallery_expiring"]


def test_the_recipe_sends_it_and_the_built_in_reminder_gives_way(studio):
    recipe = _recipe(studio)
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    gallery = make_gallery(studio, client=emma, expires_at=closes)  # publishing starts the recipe's run
    engine.run_due(now=timezone.now() + timedelta(seconds=1))
    assert WorkflowRun.objects.get(workflow=recipe).status == "waiting"

    assert _deliver_and_remind(seven_before) == 1
    assert _closing_emails(studio) == ["workflow_gallery_expiring"]
    # The reminder is still recorded (once per day count) and its event still published.
    assert ExpiryReminder.objects.filter(gallery=gallery, days_before=7).exists()
    _deliver_and_remind(seven_before + timedelta(hours=3))  # the sweep again the same day: nothing new
    _deliver_and_remind(closes.replace(hour=10) - timedelta(days=4))
    _deliver_and_remind(closes.replace(hour=10) - timedelta(days=1))
    assert _closing_emails(studio) == ["workflow_gallery_expiring"] * 3


def test_a_gallery_published_before_the_recipe_was_on_still_gets_the_built_in_reminder(studio):
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    make_gallery(studio, client=emma, expires_at=closes)  # no run: the recipe was off
    _recipe(studio)
    assert _deliver_and_remind(seven_before) == 1
    assert _closing_emails(studio) == ["gallery_expiring"]


def test_a_workflow_on_closing_soon_that_emails_the_client_replaces_the_built_in_email(studio):
    flow = make_workflow(studio, "gallery.expiring", [email_step("workflow_gallery_expiring")])
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    make_gallery(studio, client=emma, expires_at=closes)
    assert _deliver_and_remind(seven_before) == 1  # the sweep publishes gallery.expiring: the run starts
    engine.run_due(now=seven_before + timedelta(seconds=1))
    assert WorkflowRun.objects.get(workflow=flow).status == "done"
    assert _closing_emails(studio) == ["workflow_gallery_expiring"]


def test_a_workflow_on_closing_soon_that_does_not_email_the_client_leaves_the_built_in_email(studio):
    make_workflow(
        studio, "gallery.expiring", [("add_tag", {"tag": "closing"}), email_step("workflow_studio_note", "studio")]
    )
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    make_gallery(studio, client=emma, expires_at=closes)
    assert _deliver_and_remind(seven_before) == 1
    assert _closing_emails(studio) == ["gallery_expiring"]


def test_a_workflow_on_closing_soon_for_some_clients_only_leaves_the_built_in_email(studio):
    make_workflow(
        studio,
        "gallery.expiring",
        [email_step("workflow_gallery_expiring")],
        conditions=[("client_tag", {"test": "has", "tag": "VIP"})],
    )
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    make_gallery(studio, client=emma, expires_at=closes)
    assert _deliver_and_remind(seven_before) == 1
    engine.run_due(now=seven_before + timedelta(seconds=1))
    assert _closing_emails(studio) == ["gallery_expiring"]  # Emma is no VIP: the built-in one reached her


def test_a_plan_without_automation_keeps_the_built_in_reminder(studio):
    _recipe(studio)
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    make_gallery(studio, client=emma, expires_at=closes)
    engine.run_due(now=timezone.now() + timedelta(seconds=1))
    on_plan(studio, "starter")  # the run stops at its next step; nothing else would remind the client
    assert _deliver_and_remind(seven_before) == 1
    assert _closing_emails(studio) == ["gallery_expiring"]


def test_another_studios_workflows_never_silence_this_studios_reminders(studio, other_studio):
    _recipe(other_studio)
    make_workflow(other_studio, "gallery.expiring", [email_step("workflow_gallery_expiring")])
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    gallery = make_gallery(studio, client=emma, expires_at=closes)
    assert engine.galleries_reminded_by_workflows(studio, [gallery.pk]) == set()
    assert _deliver_and_remind(seven_before) == 1
    assert _closing_emails(studio) == ["gallery_expiring"]
    assert not WorkflowRun.objects.filter(
        studio=other_studio, object_id=gallery.pk, trigger__startswith="gallery"
    ).exists()


def test_the_demo_sends_one_closing_reminder(studio):
    demo.seed(studio, StringIO())  # every recipe on, as in `manage.py seed_demo`
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    make_gallery(studio, client=emma, expires_at=closes)
    engine.run_due(now=timezone.now() + timedelta(seconds=1))
    for hour in (time(0, 30), time(10, 0), time(10, 1), time(23, 0)):  # beat all day long
        _deliver_and_remind(seven_before.replace(hour=hour.hour, minute=hour.minute))
    assert _closing_emails(studio) == ["workflow_gallery_expiring"]


def _publish_with_closing(gallery, expires_at):
    """What the photographer does in the admin: a new closing date, published."""
    gallery.expires_at = expires_at
    gallery.save_revision().publish()


def test_a_gallery_given_more_time_moves_its_closing_reminders_and_its_closing(studio):
    recipe = _recipe(studio)
    closed = make_workflow(studio, "gallery.expired", [("add_tag", {"tag": "gallery closed"})])
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    gallery = make_gallery(studio, client=emma, expires_at=closes)
    engine.run_due(now=timezone.now() + timedelta(seconds=1))

    later = closes + timedelta(days=14)  # two more weeks to download
    _publish_with_closing(gallery, later)
    new_seven_before = datetime.combine(later.astimezone(studio.tz).date() - timedelta(days=7), time(10))
    new_seven_before = new_seven_before.replace(tzinfo=studio.tz)
    assert WorkflowRun.objects.get(workflow=recipe).resume_at == new_seven_before
    assert WorkflowRun.objects.get(workflow=closed).resume_at == later

    # Nothing at the old moments: not "closes in 7 days", and the gallery did not close.
    assert _deliver_and_remind(seven_before) == 0
    engine.run_due(now=closes + timedelta(minutes=1))
    assert _closing_emails(studio) == []
    assert not emma.tags.filter(name="gallery closed").exists()

    _deliver_and_remind(new_seven_before)
    [email] = OutgoingEmail.objects.filter(studio=studio, template="workflow_gallery_expiring")
    assert later.astimezone(studio.tz).strftime("%-d %B %Y") in email.subject
    engine.run_due(now=later + timedelta(minutes=1))
    assert emma.tags.filter(name="gallery closed").exists()


def test_a_gallery_that_no_longer_closes_stops_its_closing_runs(studio):
    recipe = _recipe(studio)
    closed = make_workflow(studio, "gallery.expired", [("add_tag", {"tag": "gallery closed"})])
    emma = ClientFactory(studio=studio, email="emma@example.test")
    closes, seven_before = _closing_in_ten_days(studio)
    gallery = make_gallery(studio, client=emma, expires_at=closes)
    engine.run_due(now=timezone.now() + timedelta(seconds=1))

    _publish_with_closing(gallery, None)
    for workflow in (recipe, closed):
        run = WorkflowRun.objects.get(workflow=workflow)
        assert run.status == "stopped" and "no longer" in run.outcome, run.outcome
    engine.run_due(now=closes + timedelta(minutes=1))
    assert _closing_emails(studio) == []
    assert not emma.tags.filter(name="gallery closed").exists()
