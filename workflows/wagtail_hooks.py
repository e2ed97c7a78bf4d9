"""Workflows in the Wagtail admin (Clients → Workflows and Workflow runs), their e-mails in the registry, and
the recipes every new studio gets (switched off)."""

import django_filters
from django.contrib import messages
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup

from crm.models import Client
from studios.admin_viewsets import (
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    StudioModelViewSet,
    StudioOwnedAdminForm,
    scope_queryset,
)
from studios.tenancy import admin_studio

from .emails import SPECS as EMAIL_SPECS
from .engine import automation_allowed, bookings_reminded_by_workflows, galleries_reminded_by_workflows
from .models import Workflow, WorkflowRun
from .recipes import recipe_workflows

UPGRADE_NOTE = (
    "Your plan does not include workflow automation: you can set workflows up, but none of them runs. "
    "Upgrade under Settings → Plan and usage to switch them on."
)


class UpgradeNoteMixin:
    def dispatch(self, request, *args, **kwargs):
        studio = admin_studio(request)
        if request.method == "GET" and studio is not None and not automation_allowed(studio):
            messages.warning(request, UPGRADE_NOTE)
        return super().dispatch(request, *args, **kwargs)


class WorkflowIndexView(UpgradeNoteMixin, ScopedIndexView):
    pass


class WorkflowCreateView(UpgradeNoteMixin, ScopedCreateView):
    pass


class WorkflowEditView(UpgradeNoteMixin, ScopedEditView):
    pass


class WorkflowInspectView(UpgradeNoteMixin, ScopedInspectView):
    template_name = "workflows/workflow_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["runs"] = list(
            WorkflowRun.objects.for_studio(self.object.studio)
            .filter(workflow=self.object)
            .select_related("client")
            .prefetch_related("log")[:50]
        )
        return context


class StepsColumn(Column):
    def get_value(self, instance):
        return len(instance.steps)


class WorkflowViewSet(StudioModelViewSet):
    model = Workflow
    icon = "cogs"
    menu_label = "Workflows"
    url_prefix = "automations"  # admin/workflows/ is Wagtail's page moderation (blocked for studios)
    index_view_class = WorkflowIndexView
    add_view_class = WorkflowCreateView
    edit_view_class = WorkflowEditView
    inspect_view_class = WorkflowInspectView
    inspect_view_enabled = True
    list_display = [
        TitleColumn("name", label="Name", url_name="automations:inspect", sort_key="name"),
        "get_trigger_display",
        "active",
        StepsColumn("steps", label="Steps"),
        "version",
        "last_triggered_at",
    ]
    list_filter = ["trigger", "active"]
    search_fields = ["name"]
    ordering = ["name"]
    edit_handler = ObjectList(
        [
            HelpPanel(
                "<p>When the trigger happens (or at a moment measured from a date on it) and every condition "
                "holds, the steps run in order. Runs already started keep the steps they started with.</p>"
            ),
            FieldRowPanel([FieldPanel("name"), FieldPanel("active")]),
            FieldPanel("trigger"),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("start_anchor"), FieldPanel("start_days"), FieldPanel("start_time")])],
                heading="When to start",
            ),
            FieldPanel("conditions"),
            FieldPanel("steps"),
        ],
        base_form_class=StudioOwnedAdminForm,  # Workflow.clean checks the start moment against the trigger
    )


def own_workflows(request):
    if request is None:
        return Workflow.objects.none()
    return scope_queryset(Workflow.objects.all(), request.user)


def own_clients(request):
    if request is None:
        return Client.objects.none()
    return scope_queryset(Client.objects.all(), request.user)


class RunFilterSet(WagtailFilterSet):
    workflow = django_filters.ModelChoiceFilter(queryset=own_workflows)
    client = django_filters.ModelChoiceFilter(queryset=own_clients)
    status = django_filters.ChoiceFilter(choices=WorkflowRun.Status.choices)

    class Meta:
        model = WorkflowRun
        fields = ["workflow", "client", "status"]


class RunInspectView(ScopedInspectView):
    template_name = "workflows/run_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["run"] = self.object
        context["log"] = list(self.object.log.all())
        return context


class WorkflowRunViewSet(StudioModelViewSet):
    model = WorkflowRun
    icon = "history"
    menu_label = "Workflow runs"
    url_prefix = "automation-runs"
    allowed_actions = ("view",)
    inspect_view_class = RunInspectView
    inspect_view_enabled = True
    list_display = [
        TitleColumn("__str__", label="Run", url_name="automation_runs:inspect"),
        "client",
        Column("trigger_label", label="Trigger", sort_key="trigger"),
        "get_status_display",
        "resume_at",
        "created_at",
    ]
    filterset_class = RunFilterSet
    ordering = ["-created_at"]
    form_fields = ["workflow"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=WorkflowRun.objects.select_related("workflow", "client"), **kwargs
        )


class WorkflowsGroup(ViewSetGroup):
    menu_label = "Workflows"
    menu_icon = "cogs"
    menu_order = 215
    items = (WorkflowViewSet("automations"), WorkflowRunViewSet("automation_runs"))


@hooks.register("register_admin_viewset")
def register_workflows():
    return WorkflowsGroup()


@hooks.register("register_email_templates")
def workflow_email_templates():
    return EMAIL_SPECS


@hooks.register("studio_created", order=40)
def add_recipes(studio, home):
    # A new studio has none yet: one insert, no look-up (tests/studios/test_provisioning_scale.py).
    Workflow.objects.bulk_create(recipe_workflows(studio, active=False))


@hooks.register("gallery_closing_reminders_sent_elsewhere")
def gallery_closing_reminders_by_workflows(studio, gallery_ids) -> set[int]:
    # galleries.proofing's built-in reminders give way where a workflow sends them (engine.py).
    return galleries_reminded_by_workflows(studio, gallery_ids)


@hooks.register("session_reminders_sent_elsewhere")
def session_reminders_by_workflows(studio, bookings) -> set[int]:
    # bookings.tasks' built-in session reminder gives way where a workflow sends one (engine.py).
    return bookings_reminded_by_workflows(studio, bookings)


CLIENT_RUNS_SHOWN = 20


@hooks.register("register_client_page_section")
def client_automations(request, client) -> str:
    """The client's page (crm's ClientInspectView): their latest runs with status and next step, each linked to
    its log, and a link to all of them. Two queries (the runs with their workflows, the plan)."""
    runs = list(
        WorkflowRun.objects.for_studio(client.studio)
        .filter(client=client)
        .select_related("workflow")
        .defer("workflow__steps", "workflow__conditions")[:CLIENT_RUNS_SHOWN]
    )
    context = {
        "client": client,
        "runs": runs,
        "allowed": bool(runs) or automation_allowed(client.studio),
        "all_runs_url": reverse("automation_runs:index") + f"?client={client.pk}",
    }
    return render_to_string("workflows/client_runs.html", context, request=request)
