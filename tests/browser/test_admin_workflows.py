"""A photographer builds a workflow in the Wagtail admin in Chromium (a condition and two steps); a visitor
sends an inquiry from the studio's own site in another browser; the workflow runs (the auto-reply goes out) and
the photographer watches it in the workflow's run log and on the client's page."""

import pytest

from crm.models import Client
from tests.factories import photographer_for
from tests.workflows.conftest import on_plan
from workflows.models import Workflow, WorkflowRun

pytestmark = pytest.mark.browser


def test_photographer_builds_a_workflow_and_watches_it_run(demo_site, open_page, live_server, site_url, mailoutbox):
    studio = demo_site
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
    conditions = page.locator("[data-contentpath='conditions']")
    conditions.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Client tag").click()
    page.locator("select[name='conditions-0-value-test']").select_option("lacks")
    page.locator("input[name='conditions-0-value-tag']").fill("spam")
    steps = page.locator("[data-contentpath='steps']")
    steps.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Add a client tag").click()
    page.locator("input[name='steps-0-value-tag']").fill("new lead")
    steps.get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name="Send an e-mail").click()
    page.locator("select[name='steps-1-value-template']").select_option("workflow_inquiry_reply")
    page.locator("select[name='steps-1-value-to']").wait_for()
    page.screenshot("workflow-form", locator=steps)
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(f"{admin}/admin/automations/")

    workflow = Workflow.objects.for_studio(studio).get(name="Welcome new leads")
    assert workflow.active and [s.block_type for s in workflow.steps] == ["add_tag", "send_email"]
    assert [c.block_type for c in workflow.conditions] == ["client_tag"]

    # A visitor inquires on the studio's site (their own browser): the workflow runs on its own.
    visitor = open_page()
    visitor.goto(site_url(studio) + "#inquire")
    form = visitor.locator("[data-inquiry-form]")
    form.get_by_label("Your name").fill("Siobhán O'Brien")
    form.get_by_label("E-mail").fill("siobhan@example.test")
    form.get_by_label("Tell us about it").fill("A family session in spring?")
    form.get_by_role("button", name="Send inquiry").click()
    visitor.get_by_text("Thank you — your message is on its way.").wait_for()

    [reply] = [m for m in mailoutbox if m.to == ["siobhan@example.test"]]
    assert reply.subject == "Thank you for your inquiry, Siobhán O'Brien"
    assert "Siobhán O'Brien" in reply.body and "&#x27;" not in reply.body
    lead = Client.objects.for_studio(studio).get(email="siobhan@example.test")
    assert lead.tags.filter(name="new lead").exists()
    run = WorkflowRun.objects.get(workflow=workflow)
    assert run.status == "done" and run.client == lead

    page.goto(f"{admin}/admin/automations/inspect/{workflow.pk}/")
    log = page.locator(".workflow-run-log")
    log.wait_for()
    text = log.inner_text()
    assert "Started (conditions met)" in text
    assert "Add a client tag" in text and "Tag “new lead” added" in text
    assert "Send an e-mail" in text and "queued to siobhan@example.test" in text
    page.screenshot("workflow-run-log")

    # The client's page lists the run, linked to its log.
    page.goto(f"{admin}/admin/clients/inspect/{lead.pk}/")
    automations = page.locator("[data-client-automations]")
    automations.get_by_role("link", name="Welcome new leads").click()
    page.locator(".workflow-run-log").wait_for()
    assert "queued to siobhan@example.test" in page.locator(".workflow-run-log").inner_text()
    page.screenshot("client-run-log")
