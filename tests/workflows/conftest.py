"""Workflows' tests: studios on a plan with workflow automation unless a test says otherwise."""

import pytest

from workflows.models import Workflow


def on_plan(studio, code="professional", status="active"):
    from billing.models import Plan, StudioSubscription

    StudioSubscription.objects.update_or_create(
        studio=studio, defaults={"plan": Plan.objects.get(code=code), "status": status}
    )


@pytest.fixture(autouse=True)
def _studios_with_automation(request):
    if "studio" in request.fixturenames:
        on_plan(request.getfixturevalue("studio"))
    if "other_studio" in request.fixturenames:
        on_plan(request.getfixturevalue("other_studio"))


def make_workflow(studio, trigger, steps, *, active=True, **fields) -> Workflow:
    return Workflow.objects.create(studio=studio, name=fields.pop("name", "Test"), trigger=trigger, steps=steps,
                                   active=active, **fields)  # fmt: skip


def email_step(template="workflow_session_reminder", to="client"):
    return ("send_email", {"template": template, "to": to})


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs that can start at once are queued after commit; the test's transaction never commits, so run them."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
