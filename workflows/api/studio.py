"""`/api/studio/workflows/` and `/api/studio/workflow-runs/`: the studio's workflows and their runs, read-only
(API key). A failed run is also pushed to the studio's webhooks as `workflow.run_failed`."""

import django_filters
from rest_framework import serializers

from frontend_api.studio_api import IdFilter, StudioReadOnlyApiViewSet, UtcDateTimeFilter, WallClockField

from ..models import TRIGGERS, Workflow, WorkflowRun, WorkflowRunLog


class WorkflowSerializer(serializers.ModelSerializer):
    # Declared: a small integer's range in the schema would otherwise depend on the database.
    start_days = serializers.IntegerField(read_only=True, help_text="Days from the start date (negative: before).")
    steps = serializers.SerializerMethodField(help_text="The steps in order: `{type, value}` each.")
    conditions = serializers.SerializerMethodField(help_text="All must hold when a run starts.")
    start_time = WallClockField(
        read_only=True, allow_null=True, help_text="In the studio's time zone; empty: the time of the start date."
    )

    class Meta:
        model = Workflow
        fields = [
            "id",
            "name",
            "trigger",
            "start_anchor",
            "start_days",
            "start_time",
            "conditions",
            "steps",
            "active",
            "version",
            "last_triggered_at",
            "created_at",
            "updated_at",
        ]

    def _blocks(self, stream) -> list[dict]:
        raw = stream.stream_block.get_prep_value(stream)
        return [{"type": block["type"], "value": block["value"]} for block in raw]

    def get_steps(self, obj) -> list[dict]:
        return self._blocks(obj.steps)

    def get_conditions(self, obj) -> list[dict]:
        return self._blocks(obj.conditions)


class WorkflowRunLogSerializer(serializers.ModelSerializer):
    step_index = serializers.IntegerField(read_only=True, help_text="-1: the start (the conditions).")

    class Meta:
        model = WorkflowRunLog
        fields = ["step_index", "step_type", "status", "detail", "error", "at"]


class WorkflowRunSerializer(serializers.ModelSerializer):
    about_type = serializers.SerializerMethodField(help_text="What the run is about: booking, invoice, gallery…")
    log = WorkflowRunLogSerializer(many=True, read_only=True)

    class Meta:
        model = WorkflowRun
        fields = [
            "id",
            "workflow",
            "workflow_version",
            "trigger",
            "about_type",
            "object_id",
            "client",
            "status",
            "next_step",
            "resume_at",
            "outcome",
            "created_at",
            "finished_at",
            "log",
        ]

    def get_about_type(self, obj) -> str | None:
        return obj.content_type.model if obj.content_type_id else None


class WorkflowFilter(django_filters.FilterSet):
    trigger = django_filters.ChoiceFilter(choices=TRIGGERS)

    class Meta:
        model = Workflow
        fields = ["trigger", "active"]


class WorkflowRunFilter(django_filters.FilterSet):
    workflow = IdFilter(field_name="workflow_id")
    client = IdFilter(field_name="client_id")
    status = django_filters.ChoiceFilter(choices=WorkflowRun.Status.choices)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = WorkflowRun
        fields = ["workflow", "client", "status", "created_after"]


class WorkflowViewSet(StudioReadOnlyApiViewSet):
    model = Workflow
    queryset = Workflow.objects.none()
    serializer_class = WorkflowSerializer
    filterset_class = WorkflowFilter
    ordering_fields = ["id", "name", "created_at"]


class WorkflowRunViewSet(StudioReadOnlyApiViewSet):
    model = WorkflowRun
    queryset = WorkflowRun.objects.none()
    serializer_class = WorkflowRunSerializer
    filterset_class = WorkflowRunFilter
    ordering_fields = ["id", "created_at", "resume_at"]

    def get_queryset(self):
        return super().get_queryset().select_related("content_type").prefetch_related("log")
