"""Running workflows (docs/architecture.md, "Workflows").

- **Starting.** `on_event` hears every domain event (studios.events, in the publisher's transaction): each
  active workflow of the studio with that trigger gets one `WorkflowRun`, unique per (workflow, dedupe key),
  so a replayed event never starts a second run. The run freezes the workflow's steps and conditions (editing
  the workflow later changes nothing for it) and waits until its start moment: at once, or at an offset from
  a date on the object (`timing.py`, in the studio's zone). A run that can start now is queued after commit.
- **Running.** `advance(run_id)` claims a due run with a conditional UPDATE (`waiting`/`running` whose
  `resume_at` has come → `running` with a lease in `resume_at`), so two workers or sweeps never run it at
  once, and a worker that died leaves a lease that runs out. Conditions are checked once, when the run
  starts; then each step is one transaction: its effect (an outbox e-mail keyed by run and step, a tag…), its
  log row (unique per run and step) and the run's `next_step` commit together. A wait ends the transaction
  with the run `waiting` until `resume_at`; beat's `run_due_workflow_steps` picks it up then.
- **Stopping.** A cancelled booking cancels the pending runs about it (but not those its cancellation
  started); a studio whose plan lacks `workflow_automation` starts nothing, and its pending runs stop.

Two triggers have no event of their own and are measured from a date: "invoice overdue" starts when the
invoice is sent and runs `start_days` after its due date if it is still unpaid; "gallery closed" starts when
the gallery is published and runs at its closing date."""

import json
import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from billing.limits import PlanLimitReached, require_feature
from bookings.models import Booking, BookingEvent
from galleries.models import Gallery
from studios import events, rls
from studios.background import queue_after_commit

from . import actions, conditions, timing
from .models import MEASURED_FROM, Workflow, WorkflowRun, WorkflowRunLog

logger = logging.getLogger(__name__)

Status = WorkflowRun.Status
LEASE = timedelta(minutes=10)
IGNORED_PREFIXES = ("email.", "workflow.")  # never started by the machinery's own events (no loops)
# Events after which a date on the object may have changed: a moved session, a gallery published again with
# another closing date (waits measured from them follow).
MOVING_TOPICS = ("booking.rescheduled", "gallery.published")
# trigger → (the event that starts it, the date its moment is measured from, conditions it implies)
MEASURED_TRIGGERS = {
    "invoice.overdue": ("invoice.sent", MEASURED_FROM["invoice.overdue"], [{"type": "invoice_unpaid", "value": {}}]),
    "gallery.expired": ("gallery.published", MEASURED_FROM["gallery.expired"], []),
}


def automation_allowed(studio) -> bool:
    try:
        require_feature(studio, "workflow_automation")
    except PlanLimitReached:
        return False
    return True


def content_type_id(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk  # cached by Django


def dedupe_key(trigger: str, obj, context: dict) -> str:
    """One run per workflow per happening: the trigger, the object, and what tells two happenings apart."""
    suffix = ""
    if trigger == "booking.rescheduled":
        suffix = f":{obj.start:%Y%m%dT%H%M}"
    elif trigger == "gallery.expiring":
        suffix = f":{context.get('days', '')}"
    elif trigger == "client.stage_changed":
        suffix = f":{context.get('to') or getattr(obj, 'stage', '')}"
    return f"{trigger}:{content_type_id(obj)}:{obj.pk}{suffix}"[:200]


def triggers_for(topic: str) -> list[str]:
    return [topic, *(name for name, (source, *_) in MEASURED_TRIGGERS.items() if source == topic)]


# --- Gallery-closing reminders -------------------------------------------------------------------------------

CLOSING_DATE = "gallery.expires_at"


def _emails_client(steps) -> bool:
    """An e-mail step to the client comes before any "stop unless" (which may leave the client without it)."""
    for step in steps:
        if step.get("type") == "stop_unless":
            return False
        if step.get("type") == "send_email" and (step.get("value") or {}).get("to", "client") == "client":
            return True
    return False


def _emails_client_before(workflow: Workflow, anchor: str) -> bool:
    """Whether `workflow` is measured from the date `anchor` names (its start, or a "wait until" before the
    e-mail step) and then e-mails the client before any "stop unless"."""
    steps = list(workflow.steps.raw_data)
    if workflow.start_anchor == anchor:
        return _emails_client(steps)
    for index, step in enumerate(steps):
        if step.get("type") == "wait_until" and (step.get("value") or {}).get("anchor") == anchor:
            return _emails_client(steps[index + 1 :])
    return False


def closing_reminder(workflow: Workflow) -> bool:
    """Whether `workflow` e-mails the client before a gallery closes: it is started by "Gallery closing soon"
    (with no conditions: it must reach every client the built-in reminder would), or it is measured from the
    gallery's closing date (its start, or a "wait until" before the e-mail step); and an e-mail step to the
    client comes before any "stop unless"."""
    if workflow.trigger == "gallery.expiring":
        return not list(workflow.conditions.raw_data) and _emails_client(list(workflow.steps.raw_data))
    return _emails_client_before(workflow, CLOSING_DATE)


def galleries_reminded_by_workflows(studio, gallery_ids) -> set[int]:
    """The rule galleries' built-in closing reminders follow (galleries.proofing.CLOSING_REMINDERS_HOOK): of
    `gallery_ids`, those whose client a workflow e-mails before the gallery closes, so the built-in e-mail
    gives way. That is every gallery when an active workflow started by "Gallery closing soon" e-mails every
    client (no conditions; the built-in reminder's own event starts it), and otherwise the galleries with a
    live or finished run of an active workflow measured from the closing date (the "Gallery closing: 7, 4 and
    1 days before" recipe, started when the gallery was published). None when the plan does not run
    workflows. At most three queries per studio: the workflows, the plan, the runs."""
    if not gallery_ids:
        return set()
    candidates = Workflow.objects.for_studio(studio).filter(active=True, trigger__startswith="gallery.")
    fields = ("trigger", "start_anchor", "conditions", "steps")
    reminding = [w for w in candidates.only(*fields) if closing_reminder(w)]
    if not reminding or not automation_allowed(studio):
        return set()
    if any(w.trigger == "gallery.expiring" for w in reminding):
        return set(gallery_ids)
    runs = WorkflowRun.objects.for_studio(studio).filter(
        workflow__in=reminding,
        content_type_id=ContentType.objects.get_for_model(Gallery).pk,
        object_id__in=list(gallery_ids),
        status__in=[*WorkflowRun.PENDING, Status.DONE],
    )
    return set(runs.values_list("object_id", flat=True))


# --- Session reminders ----------------------------------------------------------------------------------------

SESSION_START = "booking.start"


def bookings_reminded_by_workflows(studio, bookings) -> set[int]:
    """The rule bookings' built-in session reminders follow (bookings.tasks.SESSION_REMINDERS_HOOK): of
    `bookings`, those whose client a run of an active workflow measured from the session's start e-mails (the
    "Session reminder (2 days before)" recipe), so the built-in e-mail gives way. A run still waiting counts; a
    finished one only if it finished after the session last moved (it reminded the client of the old time
    otherwise). None when the plan does not run workflows. At most four queries."""
    ids = [booking.pk for booking in bookings]
    if not ids:
        return set()
    candidates = Workflow.objects.for_studio(studio).filter(active=True, trigger__startswith="booking.")
    reminding = [
        w for w in candidates.only("trigger", "start_anchor", "steps") if _emails_client_before(w, SESSION_START)
    ]
    if not reminding or not automation_allowed(studio):
        return set()
    runs = WorkflowRun.objects.for_studio(studio).filter(
        workflow__in=reminding,
        content_type_id=ContentType.objects.get_for_model(Booking).pk,
        object_id__in=ids,
        status__in=[*WorkflowRun.PENDING, Status.DONE],
    )
    moved = dict(
        BookingEvent.objects.filter(studio=studio, booking_id__in=ids, kind=BookingEvent.Kind.RESCHEDULED)
        .values("booking_id")
        .annotate(last=Max("at"))
        .values_list("booking_id", "last")
    )
    return {
        booking_id
        for booking_id, status, finished_at in runs.values_list("object_id", "status", "finished_at")
        if status != Status.DONE or booking_id not in moved or (finished_at and finished_at > moved[booking_id])
    }


# --- Hearing events ------------------------------------------------------------------------------------------


def on_event(studio, topic: str, obj, **context) -> None:
    """studios.events subscriber to every topic (WorkflowsConfig.ready), inside the publisher's transaction."""
    if studio is None or obj is None or getattr(obj, "pk", None) is None or topic.startswith(IGNORED_PREFIXES):
        return
    if topic == "booking.cancelled":
        cancel_runs_about(studio, obj, "The booking was cancelled.")
    elif topic in MOVING_TOPICS:
        move_waits(studio, obj)
    workflows = list(Workflow.objects.for_studio(studio).filter(active=True, trigger__in=triggers_for(topic)))
    if not workflows or not automation_allowed(studio):
        return
    for workflow in workflows:
        start_run(workflow, obj, context)


def _start_spec(workflow: Workflow) -> dict | None:
    measured = MEASURED_TRIGGERS.get(workflow.trigger)
    anchor = measured[1] if measured else workflow.start_anchor
    if not anchor:
        return None
    at = workflow.start_time.isoformat() if workflow.start_time else None
    return {"anchor": anchor, "days": workflow.start_days, "time": at}


def frozen(stream) -> list:
    """A StreamField's value as the plain JSON a run keeps."""
    return json.loads(json.dumps(stream.stream_block.get_prep_value(stream), cls=DjangoJSONEncoder))


def start_run(workflow: Workflow, obj, context: dict | None = None, *, now: datetime | None = None):
    """Start `workflow` for `obj` (once per happening); returns the new run, or None for a replay."""
    now = now or timezone.now()
    context = context or {}
    key = dedupe_key(workflow.trigger, obj, context)
    if WorkflowRun.objects.filter(workflow=workflow, dedupe_key=key).exists():
        return None
    spec = _start_spec(workflow)
    resume_at = timing.moment_from(workflow.studio, spec, obj, now) if spec else now
    implied = MEASURED_TRIGGERS.get(workflow.trigger, (None, None, []))[2]
    client = conditions.client_of(obj)
    run = WorkflowRun(
        studio_id=workflow.studio_id,
        workflow=workflow,
        workflow_version=workflow.version,
        steps=frozen(workflow.steps),
        conditions=[*implied, *frozen(workflow.conditions)],
        trigger=workflow.trigger,
        dedupe_key=key,
        content_type_id=content_type_id(obj),
        object_id=obj.pk,
        client=client if client is not None and client.studio_id == workflow.studio_id else None,
        resume_at=resume_at,
        waiting_for=spec or {},
    )
    try:
        with transaction.atomic():  # a savepoint: a concurrent replay loses the race without spoiling ours
            run.save()
    except IntegrityError:
        return None
    Workflow.objects.filter(pk=workflow.pk).update(last_triggered_at=now)
    if resume_at is None:
        _finish(run, Status.STOPPED, "It has no such date to wait for.")
    elif spec and resume_at < now:
        _finish(run, Status.STOPPED, f"Its moment ({timing_text(workflow.studio, resume_at)}) had already passed.")
    elif resume_at <= now:
        queue_after_commit(run_workflow, run.pk)
    return run


def timing_text(studio, moment: datetime) -> str:
    return moment.astimezone(studio.tz).strftime("%-d %B %Y, %H:%M %Z")


def _about_filter(studio, obj):
    return WorkflowRun.objects.for_studio(studio).filter(content_type_id=content_type_id(obj), object_id=obj.pk)


def cancel_runs_about(studio, obj, reason: str) -> int:
    """Cancel the pending runs about `obj` (a cancelled booking's reminders), except runs its cancellation started."""
    return (
        _about_filter(studio, obj)
        .filter(status__in=WorkflowRun.PENDING)
        .exclude(trigger="booking.cancelled")
        .update(status=Status.CANCELLED, outcome=reason[:300], resume_at=None, finished_at=timezone.now())
    )


def move_waits(studio, obj) -> int:
    """A rescheduled session, or a gallery whose closing date changed, moves the waits measured from its dates
    ("2 days before the session", "7 days before the gallery closes")."""
    moved = 0
    for run in _about_filter(studio, obj).filter(status=Status.WAITING).exclude(waiting_for={}):
        moment = timing.moment_from(studio, run.waiting_for, obj, run.created_at)
        waiting = WorkflowRun.objects.filter(pk=run.pk, status=Status.WAITING)
        if moment is None:  # the gallery no longer closes: nothing left to wait for
            outcome = "What it waited for no longer has that date."
            moved += waiting.update(status=Status.STOPPED, outcome=outcome, resume_at=None, finished_at=timezone.now())
        elif moment != run.resume_at:
            moved += waiting.update(resume_at=moment)
    return moved


# --- Running ---------------------------------------------------------------------------------------------------


def _log(run, index: int, status: str, detail: str = "", error: str = "") -> None:
    step_type = run.steps[index].get("type", "") if 0 <= index < len(run.steps) else "start"
    WorkflowRunLog.objects.update_or_create(
        run=run,
        step_index=index,
        defaults={
            "studio_id": run.studio_id,
            "step_type": step_type,
            "status": status,
            "detail": detail[:500],
            "error": error,
        },
    )


def _finish(run, status: str, outcome: str = "") -> None:
    run.status, run.outcome, run.resume_at, run.finished_at = status, outcome[:300], None, timezone.now()
    run.save(update_fields=["status", "outcome", "resume_at", "finished_at"])


def claim(run_id: int, now: datetime) -> bool:
    """Take a due run for this worker (a conditional UPDATE: only one caller gets it)."""
    return bool(
        WorkflowRun.objects.filter(pk=run_id, status__in=WorkflowRun.PENDING, resume_at__lte=now).update(
            status=Status.RUNNING, resume_at=now + LEASE
        )
    )


def advance(run_id: int, *, now: datetime | None = None) -> str:
    """Run a due run's steps until it waits, ends or fails; returns its status afterwards ("busy": not ours)."""
    now = now or timezone.now()
    if not claim(run_id, now):
        return "busy"
    run = WorkflowRun.objects.select_related("studio", "workflow", "client").get(pk=run_id)
    index = run.next_step
    try:
        index = _run_steps(run, now)
    except Exception as exc:
        logger.warning("Workflow run %s failed at step %s", run.pk, index, exc_info=True)
        _fail(run, run.next_step, exc)
    return run.status


def _fail(run, index: int, exc: Exception) -> None:
    message = str(exc) if isinstance(exc, actions.StepFailed) else f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        if not WorkflowRun.objects.filter(pk=run.pk, status=Status.RUNNING).exists():
            return  # cancelled meanwhile
        _log(run, index, WorkflowRunLog.Status.FAILED, error=message[:2000])
        _finish(run, Status.FAILED, f"Step {index + 1} failed: {message}")
        events.publish(run.studio, "workflow.run_failed", run, step=index, error=message[:500])


def _still_ours(run) -> bool:
    return WorkflowRun.objects.select_for_update().filter(pk=run.pk, status=Status.RUNNING).exists()


def _run_steps(run, now: datetime) -> int:
    about = run.about
    with transaction.atomic():
        if not _still_ours(run):
            return run.next_step
        stop = None
        if not automation_allowed(run.studio):
            stop = (Status.STOPPED, "Your plan does not include workflow automation.")
        elif not Workflow.objects.filter(pk=run.workflow_id, active=True).exists():
            stop = (Status.CANCELLED, "The workflow was turned off.")
        if stop is not None:
            if not run.started:
                _log(run, -1, WorkflowRunLog.Status.STOPPED, stop[1])
            _finish(run, *stop)
            return run.next_step
    if not run.started:
        with transaction.atomic():
            if about is None:
                _log(run, -1, WorkflowRunLog.Status.STOPPED, "What it was about no longer exists.")
                _finish(run, Status.STOPPED, "What it was about no longer exists.")
                return -1
            failing = conditions.first_failing(run.conditions, about, run.client)
            if failing is not None:
                text = f"Condition not met: {conditions.describe(failing)}."
                _log(run, -1, WorkflowRunLog.Status.STOPPED, text)
                _finish(run, Status.STOPPED, text)
                return -1
            _log(run, -1, WorkflowRunLog.Status.DONE, "Started" + (" (conditions met)" if run.conditions else ""))
            run.started = True
            run.save(update_fields=["started"])
    while run.next_step < len(run.steps):
        index = run.next_step
        with transaction.atomic():
            if not _still_ours(run):  # cancelled while it ran
                return index
            if WorkflowRunLog.objects.filter(run=run, step_index=index).exists():
                run.next_step = index + 1  # done by an attempt whose end was lost
                run.save(update_fields=["next_step"])
                continue
            if _step(run, index, about, now) == "wait":
                return index
    with transaction.atomic():
        if _still_ours(run):
            _finish(run, Status.DONE, "All steps done.")
    return run.next_step


def _step(run, index: int, about, now: datetime) -> str:
    """One step, inside its transaction: do it, log it, move the run on. Returns "wait" when the run waits."""
    step = run.steps[index]
    kind, value = step.get("type"), step.get("value") or {}
    log_status, advance_by = WorkflowRunLog.Status.DONE, 1
    if kind == "wait":
        base = timing.offset_moment(run.studio, now, value.get("days") or 0)
        moment = base + timedelta(hours=value.get("hours") or 0)
        return _wait(run, index, moment, {}, f"Waiting until {timing_text(run.studio, moment)}")
    if kind == "wait_until":
        moment = timing.moment_from(run.studio, value, about, run.created_at)
        if moment is None:  # a gallery that never closes: nothing to remind of
            _log(run, index, WorkflowRunLog.Status.STOPPED, "There is no such date to wait for; stopped.")
            _finish(run, Status.STOPPED, "There is no such date to wait for.")
            return "wait"
        if moment > now:
            spec = {"anchor": value.get("anchor"), "days": value.get("days"), "time": value.get("time")}
            return _wait(run, index, moment, spec, f"Waiting until {timing_text(run.studio, moment)}")
        passed = value.get("if_passed", "skip_next")
        detail = f"{timing_text(run.studio, moment)} had passed"
        if passed == "stop":
            _log(run, index, WorkflowRunLog.Status.STOPPED, detail + "; stopped.")
            _finish(run, Status.STOPPED, detail)
            return "wait"
        if passed == "skip_next":
            detail, advance_by = detail + "; the next step was skipped.", 2
            log_status = WorkflowRunLog.Status.SKIPPED
    elif kind == "stop_unless":
        failing = conditions.first_failing(value.get("conditions") or [], about, run.client)
        if failing is not None:
            text = f"Condition not met: {conditions.describe(failing)}."
            _log(run, index, WorkflowRunLog.Status.STOPPED, text)
            _finish(run, Status.STOPPED, text)
            return "wait"
        detail = "Conditions met"
    elif kind in actions.ACTIONS:
        context = actions.StepContext(run=run, index=index, about=about, client=run.client, now=now)
        detail = actions.ACTIONS[kind](context, value)
    else:
        raise actions.StepFailed(f"Unknown step {kind!r}.")
    _log(run, index, log_status, detail)
    run.next_step = min(index + advance_by, len(run.steps))
    if advance_by == 2 and index + 1 < len(run.steps):
        _log(run, index + 1, WorkflowRunLog.Status.SKIPPED, "Skipped: its moment had passed.")
    run.save(update_fields=["next_step"])
    return "done"


def _wait(run, index: int, moment: datetime, spec: dict, detail: str) -> str:
    _log(run, index, WorkflowRunLog.Status.DONE, detail)
    run.next_step, run.status, run.resume_at, run.waiting_for = index + 1, Status.WAITING, moment, spec
    run.save(update_fields=["next_step", "status", "resume_at", "waiting_for"])
    return "wait"


# --- The sweeper -----------------------------------------------------------------------------------------------


def run_due(now: datetime | None = None, limit: int = 500) -> int:
    """Beat: every due run (a wait that ended, a lease that ran out, a start whose message was lost), each
    in its own studio's scope; `advance` claims it, so overlapping sweeps never run one twice."""
    now = now or timezone.now()
    due = (
        WorkflowRun.objects.filter(status__in=WorkflowRun.PENDING, resume_at__lte=now)
        .order_by("resume_at")
        .values_list("pk", "studio_id")[:limit]
    )
    ran = 0
    for run_id, studio_id in list(due):
        with rls.studio(studio_id):  # the sweep sees every studio; each run only its own
            if advance(run_id, now=now) != "busy":
                ran += 1
    return ran


# --- Celery (registered under workflows.tasks, which Celery's autodiscovery imports) ------------------------


@shared_task(name="workflows.tasks.run_workflow", acks_late=True, ignore_result=True)
def run_workflow(run_id: int) -> str:
    """Run `run_id` if it is due; a duplicate message finds it claimed or done and does nothing."""
    return advance(run_id)


@shared_task(name="workflows.tasks.run_due_workflow_steps", ignore_result=True)
def run_due_workflow_steps() -> int:
    """Beat, every minute: the runs whose moment has come (config/settings/base.py)."""
    return run_due()
