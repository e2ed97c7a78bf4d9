"""Workflows in the admin and the studio API: a photographer builds one and sees it run; studio B's workflows
and runs are never shown to studio A, by id or in a listing; a plan without automation shows the upgrade note."""

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, streamfield

from crm.inquiries import receive_inquiry
from frontend_api.models import ApiKey
from workflows import engine
from workflows.models import Workflow, WorkflowRun

from .conftest import email_step, make_workflow, on_plan

pytestmark = pytest.mark.django_db
HOST = {"HTTP_HOST": "localhost"}


def _form(**fields):
    data = {
        "name": "Thank-you note",
        "trigger": "inquiry.created",
        "start_anchor": "",
        "start_days": 0,
        "start_time": "",
        "active": "on",
        "conditions": streamfield([("client_tag", {"test": "lacks", "tag": "spam"})]),
        "steps": streamfield(
            [("add_tag", {"tag": "replied"}), ("send_email", {"template": "workflow_inquiry_reply", "to": "client"})]
        ),
    }
    data.update(fields)
    return nested_form_data(data)


def test_a_photographer_builds_a_workflow_in_the_admin_and_sees_it_run(
    studio, photographer, admin_client_for, mailoutbox
):
    browser = admin_client_for(photographer)
    assert browser.get("/admin/automations/new/", **HOST).status_code == 200
    response = browser.post("/admin/automations/new/", _form(), **HOST)
    assert response.status_code == 302, response.content[:2000]
    workflow = Workflow.objects.for_studio(studio).get(name="Thank-you note")
    assert workflow.active and workflow.version == 1 and len(workflow.steps) == 2

    receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hello")
    engine.run_due(now=timezone.now() + timezone.timedelta(seconds=1))
    run = WorkflowRun.objects.get(workflow=workflow)
    assert run.status == "done"
    assert [m.subject for m in mailoutbox if m.to == ["emma@example.test"]] == ["Thank you for your inquiry, Emma"]

    page = browser.get(reverse("automations:inspect", args=[workflow.pk]), **HOST)
    assert page.status_code == 200
    assert b"workflow-run-log" in page.content and b"queued to emma@example.test" in page.content
    run_page = browser.get(reverse("automation_runs:inspect", args=[run.pk]), **HOST)
    assert run_page.status_code == 200 and b"Emma" in run_page.content
    listing = browser.get(f"/admin/automation-runs/?client={run.client_id}", **HOST)
    assert listing.status_code == 200 and b"Thank-you note" in listing.content

    edited = browser.post(reverse("automations:edit", args=[workflow.pk]), _form(name="Thank-you"), **HOST)
    assert edited.status_code == 302
    workflow.refresh_from_db()
    assert workflow.version == 2 and run.workflow_version == 1


def test_a_start_date_must_be_on_the_triggers_object(studio, photographer, admin_client_for):
    browser = admin_client_for(photographer)
    response = browser.post("/admin/automations/new/", _form(start_anchor="invoice.due_date"), **HOST)
    assert response.status_code == 200
    assert b"not on what this trigger is about" in response.content


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        # "7 days" with "At once": the photographer means 7 days after something, and would get at once.
        ({"start_days": 7}, b"Choose the date these days are counted from"),
        ({"start_time": "09:00"}, b"Choose the date these days are counted from"),
    ],
)
def test_a_start_moment_that_would_be_ignored_is_refused(studio, photographer, admin_client_for, fields, message):
    browser = admin_client_for(photographer)
    response = browser.post("/admin/automations/new/", _form(**fields), **HOST)
    assert response.status_code == 200
    assert message in response.content
    assert not Workflow.objects.for_studio(studio).filter(name="Thank-you note").exists()


def test_a_questionnaire_step_must_name_one_of_the_studios_questionnaires(
    studio, other_studio, photographer, admin_client_for
):
    from crm.models import Questionnaire

    Questionnaire.objects.create(studio=other_studio, name="Harbour wedding form", questions=[])
    browser = admin_client_for(photographer)
    for name in ("Sesion planning", "Harbour wedding form"):  # a typo; another studio's
        steps = streamfield([("send_questionnaire", {"questionnaire": name})])
        response = browser.post("/admin/automations/new/", _form(steps=steps), **HOST)
        assert response.status_code == 200, name
        # Under the step's questionnaire field (the StreamField's errors, as its script reads them).
        message = f"You have no questionnaire called \\u201c{name}\\u201d (Clients \\u2192 Questionnaires)."
        error = f"&quot;questionnaire&quot;: {{&quot;messages&quot;: [&quot;{message}&quot;]"
        assert error in response.content.decode()
    assert not Workflow.objects.for_studio(studio).filter(name="Thank-you note").exists()

    steps = streamfield([("send_questionnaire", {"questionnaire": "session planning"})])  # any case
    assert browser.post("/admin/automations/new/", _form(steps=steps), **HOST).status_code == 302


def test_invoice_overdue_takes_its_days_without_a_start_date(studio, photographer, admin_client_for):
    browser = admin_client_for(photographer)
    form = _form(trigger="invoice.overdue", start_days=3, start_time="10:00", conditions=streamfield([]))
    response = browser.post("/admin/automations/new/", form, **HOST)
    assert response.status_code == 302, response.content[:3000]
    assert Workflow.objects.for_studio(studio).get(name="Thank-you note").start_days == 3


def test_a_plan_without_automation_shows_the_upgrade_note(studio, photographer, admin_client_for):
    on_plan(studio, "starter")
    browser = admin_client_for(photographer)
    page = browser.get("/admin/automations/", **HOST)
    assert page.status_code == 200
    assert b"does not include workflow automation" in page.content
    assert b"Inquiry auto-reply" in page.content  # the recipes are there to set up
    recipe = Workflow.objects.for_studio(studio).first()
    for url in ("/admin/automations/new/", reverse("automations:edit", args=[recipe.pk])):
        assert b"does not include workflow automation" in browser.get(url, **HOST).content, url
    on_plan(studio, "professional")
    assert b"does not include workflow automation" not in browser.get("/admin/automations/", **HOST).content


def test_studio_a_never_sees_studio_bs_workflows_or_runs_in_the_admin(
    studio, other_studio, photographer, admin_client_for
):
    theirs = make_workflow(
        other_studio, "inquiry.created", [email_step("workflow_inquiry_reply")], name="Harbour Secret"
    )
    receive_inquiry(other_studio, name="Harbour Secret Lead", email="lead@harbour.test", message="Hi")
    run = WorkflowRun.objects.get(workflow=theirs)
    browser = admin_client_for(photographer)
    for url in (
        reverse("automations:inspect", args=[theirs.pk]),
        reverse("automations:edit", args=[theirs.pk]),
        reverse("automations:delete", args=[theirs.pk]),
        reverse("automation_runs:inspect", args=[run.pk]),
    ):
        assert browser.get(url, **HOST).status_code == 404, url
    assert (
        browser.post(reverse("automations:edit", args=[theirs.pk]), _form(name="Mine now"), **HOST).status_code == 404
    )
    assert b"Harbour Secret" not in browser.get("/admin/automations/", **HOST).content
    assert b"Harbour Secret" not in browser.get("/admin/automation-runs/", **HOST).content
    theirs.refresh_from_db()
    assert theirs.name == "Harbour Secret"


def _bearer(studio):
    on_plan(studio, "studio")  # API access
    secret = ApiKey.issue(studio=studio, name="Integration", scope=ApiKey.Scope.WRITE)[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_HOST": "localhost"}


def test_the_studio_api_lists_workflows_and_runs_of_the_keys_studio_only(client, studio, other_studio):
    mine = make_workflow(studio, "inquiry.created", [email_step("workflow_inquiry_reply")], name="Mine")
    theirs = make_workflow(other_studio, "inquiry.created", [email_step("workflow_inquiry_reply")], name="Theirs")
    receive_inquiry(studio, name="Emma", email="emma@example.test", message="Hi")
    receive_inquiry(other_studio, name="Lead", email="lead@harbour.test", message="Hi")
    engine.run_due(now=timezone.now() + timezone.timedelta(seconds=1))
    auth = _bearer(studio)

    workflows = client.get("/api/studio/workflows/", {"trigger": "inquiry.created", "active": "true"}, **auth)
    assert workflows.status_code == 200, workflows.content
    (listed,) = workflows.json()["results"]
    assert listed["name"] == "Mine" and listed["steps"][0]["type"] == "send_email"
    runs = client.get("/api/studio/workflow-runs/", {"workflow": mine.pk}, **auth).json()["results"]
    assert [r["status"] for r in runs] == ["done"] and runs[0]["about_type"] == "inquiry"
    assert [entry["step_index"] for entry in runs[0]["log"]] == [-1, 0]

    their_run = WorkflowRun.objects.get(workflow=theirs)
    assert client.get(f"/api/studio/workflows/{theirs.pk}/", **auth).status_code == 404
    assert client.get(f"/api/studio/workflow-runs/{their_run.pk}/", **auth).status_code == 404
    assert client.get("/api/studio/workflow-runs/", {"workflow": theirs.pk}, **auth).json()["results"] == []
    assert client.post("/api/studio/workflows/", {}, content_type="application/json", **auth).status_code == 405
