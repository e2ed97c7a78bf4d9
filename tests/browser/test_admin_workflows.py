"""A photographer builds a workflow in the Wagtail admin in Chromium, an inquiry arrives, and the run's log shows
what the workflow did."""

import pytest
from django.utils import timezone

from crm.inquiries import receive_inquiry
from tests.factories import photographer_for
from tests.workflows.conftest import on_plan
from workflows import engine
from workflows.models import Workflow

pytestmark = pytest.mark.browser


def test_photographer_builds_a_workflow_and_watches_it_run(studio, open_page, live_server, mailoutbox):
    on_plan(studio)
    photographer_for(studio, email="owner@northlight.test")
    page = open_page()
    admin = live_server.url.replace("127.0.0.1", "localhost")
    page.goto(f"{admin}/admin/")
    page.locator("#id_username").fill("owner@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{admin}/admin/")

    page.goto(f"{admin}/admin/automations/new/")
    page.locator("#id_name").fill("Welcome new leads")
    page.locator("#id_trigger").select_option("inquiry.created")
    page.locator("#id_active").check()
    steps = page.locator("[data-contentpath='steps']")
    steps.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Add a client tag").click()
    page.locator("input[name='steps-0-value-tag']").fill("new lead")
    steps.get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name="Send an e-mail").click()
    page.locator("select[name='steps-1-value-template']").select_option("workflow_inquiry_reply")
    page.screenshot("workflow-form")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(f"{admin}/admin/automations/")

    workflow = Workflow.objects.for_studio(studio).get(name="Welcome new leads")
    assert workflow.active and [s.block_type for s in workflow.steps] == ["add_tag", "send_email"]

    receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hello!")
    engine.run_due(now=timezone.now() + timezone.timedelta(seconds=1))
    assert [m.subject for m in mailoutbox if m.to == ["emma@example.test"]] == ["Thank you for your inquiry, Emma"]

    page.goto(f"{admin}/admin/automations/inspect/{workflow.pk}/")
    log = page.locator(".workflow-run-log")
    log.wait_for()
    assert "Tag “new lead” added" in log.inner_text()
    assert "queued to emma@example.test" in log.inner_text()
    page.screenshot("workflow-run-log")
