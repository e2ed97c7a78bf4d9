"""The client's own admin page lists their workflow runs ("Automations"): each with its status and what it does
next (and when, in the studio's zone), linked to the run's log, and a link to all of the client's runs. The
section's queries do not grow with the number of runs; another studio's runs never show."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings import scheduling
from crm.inquiries import receive_inquiry
from crm.models import Client
from tests.bookings.factories import weekly_hours
from tests.factories import ClientFactory, SessionTypeFactory
from workflows import engine
from workflows.models import Workflow, WorkflowRun
from workflows.wagtail_hooks import client_automations

from .conftest import email_step, make_workflow

pytestmark = pytest.mark.django_db
HOST = {"HTTP_HOST": "localhost"}


def _page(browser, client):
    return browser.get(reverse("clients:inspect", args=[client.pk]), **HOST)


def test_the_client_page_shows_their_runs_with_status_and_next_step(studio, photographer, admin_client_for):
    Workflow.objects.for_studio(studio).filter(recipe__in=["session_reminder", "inquiry_auto_reply"]).update(
        active=True
    )
    weekly_hours(studio, time(0), time(23, 59))
    emma = ClientFactory(studio=studio, name="Emma", email="emma@example.test")
    receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hi")
    start = (timezone.now() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    booking = scheduling.book(studio, SessionTypeFactory(studio=studio, auto_confirm=True), start, client=emma)
    engine.run_due(now=timezone.now() + timedelta(seconds=1))
    reminder = WorkflowRun.objects.get(workflow__recipe="session_reminder")
    reply = WorkflowRun.objects.get(workflow__recipe="inquiry_auto_reply")

    page = _page(admin_client_for(photographer), emma).content.decode()
    assert "data-client-automations" in page and "<h3>Automations</h3>" in page
    due = reminder.resume_at.astimezone(studio.tz)
    assert "Session reminder (2 days before)" in page
    assert "Send an e-mail: Workflow: session reminder" in page
    assert f"{due:%a} {due.day} {due:%b %Y} 09:00" in page  # in the studio's zone
    assert reverse("automation_runs:inspect", args=[reminder.pk]) in page
    assert reverse("automation_runs:inspect", args=[reply.pk]) in page
    assert f"/admin/automation-runs/?client={emma.pk}" in page
    assert booking.status == "confirmed" and "Done" in page


def _runs_for(studio, client_email, count):
    for n in range(count):
        make_workflow(studio, "inquiry.created", [email_step("workflow_inquiry_reply")], name=f"Flow {n}")
    receive_inquiry(studio, name="Lead", email=client_email, message="Hi")


def _queries(browser, client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _page(browser, client).status_code == 200
    return len(queries)


def test_the_automations_section_has_bounded_queries(studio, photographer, admin_client_for):
    browser = admin_client_for(photographer)
    _runs_for(studio, "one@example.test", 1)
    one = Client.objects.get(studio=studio, email="one@example.test")
    _page(browser, one)  # warm the caches the first page fills
    few = _queries(browser, one)
    Workflow.objects.for_studio(studio).update(active=False)
    _runs_for(studio, "many@example.test", 12)
    many = Client.objects.get(studio=studio, email="many@example.test")
    assert many.workflow_runs.count() == 12
    assert _queries(browser, many) == few


def test_the_section_queries(studio, rf, photographer):
    _runs_for(studio, "lead@example.test", 5)
    lead = Client.objects.get(studio=studio, email="lead@example.test")
    request = rf.get("/", **HOST)
    request.user = photographer
    with CaptureQueriesContext(connection) as queries:
        html = client_automations(request, lead)
    assert html.count("data-workflow-run=") == 5
    assert len(queries) <= 2, [q["sql"] for q in queries]


def test_another_studios_runs_never_show(studio, other_studio, photographer, other_photographer, admin_client_for):
    make_workflow(other_studio, "inquiry.created", [email_step("workflow_inquiry_reply")], name="Harbour Secret")
    receive_inquiry(other_studio, name="Harbour Lead", email="lead@harbour.test", message="Hi")
    theirs = WorkflowRun.objects.get(studio=other_studio, workflow__name="Harbour Secret")
    mine = ClientFactory(studio=studio, name="Emma", email="lead@harbour.test")  # the same address in A
    browser = admin_client_for(photographer)
    page = _page(browser, mine).content.decode()
    assert "Harbour Secret" not in page and "No workflow has run for Emma yet." in page
    assert _page(browser, theirs.client).status_code == 404
    listing = browser.get(f"/admin/automation-runs/?client={theirs.client_id}", **HOST)
    assert "Harbour Secret" not in listing.content.decode()
