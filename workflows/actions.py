"""The steps a workflow can take (blocks.STEP_BLOCKS), each `action(ctx, value) -> str` (what it did, for
the run log). They run inside the step's transaction (workflows/engine.py): an e-mail is an outbox row keyed
by run and step, so a step retried after a crash never sends twice. A step that cannot do its work raises
`StepFailed` (the run fails, with the reason in its log)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from crm import lifecycle, questionnaires, todos
from crm.models import Client, ClientTag, Questionnaire
from studios import events
from studios.emails import studio_reply_address
from studios.outbox import send_templated_email


class StepFailed(Exception):
    """A step could not do its work; the message is for the photographer."""


@dataclass
class StepContext:
    run: object  # WorkflowRun
    index: int
    about: object
    client: Client | None
    now: datetime

    @property
    def studio(self):
        return self.run.studio

    @property
    def key(self) -> str:
        return f"workflow-run:{self.run.pk}:step:{self.index}"


def _need_client(ctx: StepContext) -> Client:
    if ctx.client is None:
        raise StepFailed("This run has no client.")
    return ctx.client


def send_email(ctx: StepContext, value: dict) -> str:
    template = value.get("template", "")
    if value.get("to") == "studio":
        to = studio_reply_address(ctx.studio)
        if not to:
            raise StepFailed("Your studio has no contact e-mail address.")
    else:
        client = _need_client(ctx)
        if not client.email:
            raise StepFailed(f"{client.name} has no e-mail address.")
        to = [client.email]
    context = {"studio": ctx.studio, "about": ctx.about, "client": ctx.client, "run": ctx.run}
    try:
        email = send_templated_email(ctx.studio, template, to, context, key=ctx.key, about=ctx.about or ctx.client)
    except ValueError as exc:
        raise StepFailed(str(exc)) from exc
    if email.state == email.State.SUPPRESSED:  # unsubscribed from this kind of e-mail, or bounced before
        return f"E-mail “{email.subject}” {email.last_error[:1].lower()}{email.last_error[1:]}"
    return f"E-mail “{email.subject}” queued to {', '.join(to)}"


def add_tag(ctx: StepContext, value: dict) -> str:
    client = _need_client(ctx)
    name = " ".join(value.get("tag", "").split())[:60]
    tag = ClientTag.objects.for_studio(ctx.studio).filter(name__iexact=name).first()
    if tag is None:
        tag = ClientTag.objects.create(studio=ctx.studio, name=name)
    client.tags.add(tag)
    return f"Tag “{tag.name}” added"


def remove_tag(ctx: StepContext, value: dict) -> str:
    client = _need_client(ctx)
    tags = ClientTag.objects.for_studio(ctx.studio).filter(name__iexact=value.get("tag", "").strip())
    client.tags.remove(*tags)
    return f"Tag “{value.get('tag', '')}” removed"


def set_stage(ctx: StepContext, value: dict) -> str:
    client = _need_client(ctx)
    stage = value.get("stage")
    if stage not in Client.Stage.values:
        raise StepFailed(f"Unknown stage {stage!r}.")
    old = client.stage
    note = f"workflow “{ctx.run.workflow.name}”"
    if not lifecycle.set_stage(client, stage, because="workflow", note=note, workflow_run=ctx.run.pk):
        return f"Already {Client.Stage(stage).label}"
    return f"Stage {Client.Stage(old).label} → {Client.Stage(stage).label}"


# --- To-dos and questionnaires: crm.todos and crm.questionnaires -------------------------------------------


def create_todo(ctx: StepContext, value: dict) -> str:
    due = value.get("due_in_days")
    due_at = ctx.now + timedelta(days=int(due)) if due not in (None, "") else None
    title = (value.get("title") or "").strip()[:200] or ctx.run.workflow.name
    todos.create_todo(ctx.studio, title=title, client=ctx.client, due_at=due_at, source=f"workflow:{ctx.run.pk}")
    return f"To-do “{title}” created"


def send_questionnaire(ctx: StepContext, value: dict) -> str:
    client = _need_client(ctx)
    name = (value.get("questionnaire") or "").strip()
    questionnaire = Questionnaire.objects.for_studio(ctx.studio).filter(name__iexact=name).first()
    if questionnaire is None:
        raise StepFailed(f"No questionnaire called “{name}”.")
    booking = ctx.about if ctx.about is not None and ctx.about._meta.label == "bookings.Booking" else None
    questionnaires.send_questionnaire(ctx.studio, client, questionnaire, booking=booking)
    return f"Questionnaire “{questionnaire.name}” sent to {client.email}"


def call_webhook(ctx: StepContext, value: dict) -> str:
    # The studio's webhook endpoints hear every event (frontend_api subscribes to "*"): the delivery rows are
    # written in this step's transaction and sent after commit.
    events.publish(ctx.studio, "workflow.webhook", ctx.run, step=value.get("label", ""), index=ctx.index)
    return "Webhook event workflow.webhook queued"


ACTIONS = {
    "send_email": send_email,
    "add_tag": add_tag,
    "remove_tag": remove_tag,
    "set_stage": set_stage,
    "create_todo": create_todo,
    "send_questionnaire": send_questionnaire,
    "call_webhook": call_webhook,
}
