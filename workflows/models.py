"""Workflows (a studio's automations), their runs and each run's log (docs/architecture.md, "Workflows")."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wagtail.fields import StreamField

from crm.models import Questionnaire
from studios.emails import email_spec
from studios.models import Studio, StudioOwned

from .blocks import ANCHORS, CONDITION_BLOCKS, STEP_BLOCKS

STEP_LABELS = {name: str(block.meta.label or name.replace("_", " ").capitalize()) for name, block in STEP_BLOCKS}

# What can start a workflow: the domain events (studios.events.TOPICS) a photographer cares about.
TRIGGERS = [
    ("inquiry.created", "Inquiry received"),
    ("booking.created", "Session booked"),
    ("booking.confirmed", "Booking confirmed"),
    ("booking.rescheduled", "Booking rescheduled"),
    ("booking.cancelled", "Booking cancelled"),
    ("booking.completed", "Session completed"),
    ("contract.sent", "Contract sent"),
    ("contract.signed", "Contract signed"),
    ("invoice.sent", "Invoice sent"),
    ("invoice.paid", "Invoice paid"),
    ("invoice.overdue", "Invoice overdue"),
    ("gallery.published", "Gallery published (delivered)"),
    ("gallery.expiring", "Gallery closing soon"),
    ("gallery.expired", "Gallery closed"),
    ("selection.submitted", "Selection submitted"),
    ("client.stage_changed", "Client's stage changed"),
]


# Triggers measured from a date of their own (workflows.engine.MEASURED_TRIGGERS): "days from that date" count
# from it when no other start date is chosen.
MEASURED_FROM = {"invoice.overdue": "invoice.due_date", "gallery.expired": "gallery.expires_at"}
TRIGGER_LABELS = dict(TRIGGERS)


class Workflow(StudioOwned):
    """When `trigger` happens (optionally at an offset from a date on the object) and the conditions hold,
    run the steps in order. Each edit bumps `version`; runs keep the steps they started with."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="workflows")
    name = models.CharField(max_length=120)
    trigger = models.CharField(max_length=40, choices=TRIGGERS)
    start_anchor = models.CharField(
        "start at",
        max_length=40,
        choices=[("", "At once"), *ANCHORS[1:]],
        blank=True,
        help_text="Start at a moment measured from a date on the object instead of at once. “Invoice overdue” "
        "counts from the invoice's due date and “Gallery closed” from its closing date without one.",
    )
    start_days = models.SmallIntegerField(
        "days from that date", default=0, help_text="Negative for before (−2: two days before the session)."
    )
    start_time = models.TimeField(
        "at (time of day)", null=True, blank=True, help_text="In your studio's time zone; empty: the same time."
    )
    conditions = StreamField(CONDITION_BLOCKS, blank=True, help_text="All must hold when the run starts.")
    steps = StreamField(STEP_BLOCKS, blank=True)
    active = models.BooleanField(default=False)
    recipe = models.CharField(max_length=40, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    last_triggered_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["studio", "trigger", "active"], name="workflow_trigger_idx")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.start_anchor and self.start_anchor.split(".")[0] != (self.trigger or "").split(".")[0]:
            raise ValidationError({"start_anchor": "That date is not on what this trigger is about; choose another."})
        # "Invoice overdue" and "Gallery closed" are counted from their own date (workflows.engine); any other
        # trigger without a start date starts at once, so days or a time there would be silently ignored.
        if not self.start_anchor and self.trigger not in MEASURED_FROM and (self.start_days or self.start_time):
            message = "Choose the date these days are counted from, or set 0 days and no time to start at once."
            raise ValidationError({"start_anchor": message})
        self._check_questionnaires()

    def _check_questionnaires(self) -> None:
        """A "send a questionnaire" step names one of the studio's questionnaires (a typo would fail every run)."""
        if self.studio_id is None:
            return
        names = set(Questionnaire.objects.for_studio(self.studio_id).values_list("name", flat=True))
        known = {name.strip().lower() for name in names}
        errors = {}
        for index, step in enumerate(self.steps):
            if step.block_type != "send_questionnaire":
                continue
            name = (step.value.get("questionnaire") or "").strip()
            if name.lower() not in known:
                message = f"You have no questionnaire called “{name}” (Clients → Questionnaires)."
                errors[index] = StructBlockValidationError(block_errors={"questionnaire": ValidationError(message)})
        if errors:
            raise ValidationError({"steps": StreamBlockValidationError(block_errors=errors)})

    def save(self, *args, **kwargs):
        if self.pk:
            self.version = (type(self).objects.filter(pk=self.pk).values_list("version", flat=True).first() or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class WorkflowRun(StudioOwned):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped (a condition did not hold)"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    PENDING = (Status.WAITING, Status.RUNNING)

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="workflow_runs")
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="runs")
    workflow_version = models.PositiveIntegerField()
    steps = models.JSONField(default=list)  # the workflow's steps when the run started (frozen)
    conditions = models.JSONField(default=list)
    trigger = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=200)
    content_type = models.ForeignKey(ContentType, null=True, on_delete=models.SET_NULL, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True)
    client = models.ForeignKey(
        "crm.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="workflow_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    next_step = models.PositiveSmallIntegerField(default=0)
    started = models.BooleanField(default=False)  # its conditions were checked
    resume_at = models.DateTimeField(null=True, blank=True)
    # The date a "wait until" is measured from, so a rescheduled session moves the wait.
    waiting_for = models.JSONField(default=dict, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "workflow", "dedupe_key"], name="unique_workflow_run_per_event"),
        ]
        indexes = [
            models.Index(fields=["studio", "resume_at"], name="workflow_run_studio_due"),
            # The sweeper's query across studios (tests/studios/test_due_work_indexes.py).
            models.Index(fields=["resume_at"], name="workflow_run_due", condition=Q(status__in=["waiting", "running"])),
            models.Index(fields=["studio", "content_type", "object_id"], name="workflow_run_about"),
        ]

    def __str__(self):
        return f"{self.workflow.name} #{self.pk}"

    @property
    def about(self):
        if self.content_type_id is None or self.object_id is None:
            return None
        model = self.content_type.model_class()
        if model is None:
            return None
        manager = getattr(model, "objects", model._default_manager)
        return manager.filter(pk=self.object_id).first()

    @property
    def trigger_label(self) -> str:
        return TRIGGER_LABELS.get(self.trigger, self.trigger)

    def step_label(self, index: int) -> str:
        if 0 <= index < len(self.steps):
            return self.steps[index].get("type", "").replace("_", " ")
        return "start"

    @property
    def next_step_text(self) -> str:
        """What the run does next, for the photographer ("Send an e-mail: Workflow: session reminder"); "" once
        it has ended."""
        if self.status not in self.PENDING:
            return ""
        if self.next_step >= len(self.steps):
            return "Finish"
        step = self.steps[self.next_step]
        kind, value = step.get("type", ""), step.get("value") or {}
        text = STEP_LABELS.get(kind, kind.replace("_", " "))
        if kind == "send_email":
            spec = email_spec(value.get("template", ""))
            text += f": {spec.label if spec else value.get('template', '')}"
        elif kind == "send_questionnaire":
            text += f": {value.get('questionnaire', '')}"
        return text


class WorkflowRunLog(StudioOwned):
    """What one step of a run did; one row per (run, step), so a retried step sees it already done."""

    class Status(models.TextChoices):
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        STOPPED = "stopped", "Stopped the run"
        FAILED = "failed", "Failed"

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(WorkflowRun, on_delete=models.CASCADE, related_name="log")
    step_index = models.SmallIntegerField(help_text="-1: the start (the conditions).")
    step_type = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices)
    detail = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "step_index"]
        constraints = [models.UniqueConstraint(fields=["studio", "run", "step_index"], name="unique_workflow_step_log")]

    def __str__(self):
        return f"{self.step_type}: {self.get_status_display()}"

    @property
    def step_label(self) -> str:
        """The step as the workflow's editor names it ("Add a client tag"), for the run log."""
        return STEP_LABELS.get(self.step_type, self.step_type.replace("_", " "))
