"""Developers menu in the studio's admin: API keys, webhook endpoints, deliveries."""

from datetime import timedelta

from django import forms
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup

from billing.limits import PlanLimitReached, check_limit
from studio_settings.summary import SUMMARY_ROW_HOOK, SummaryRow
from studios.admin_viewsets import (
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    StudioModelViewSet,
    scope_queryset,
)
from studios.tenancy import admin_studio

from .dashboard import DevelopersPanel
from .models import ApiKey, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .outbound import endpoint_problem, validate_webhook_url
from .webhooks import resend


class ApiKeyCreateView(ScopedCreateView):
    """Issue the key and show it once; only its hash is stored."""

    def form_valid(self, form):
        studio = admin_studio(self.request)
        try:
            check_limit(studio, "api_access")
        except PlanLimitReached as exc:
            form.add_error(None, exc.message)
            self.produced_error_message = exc.message
            return self.form_invalid(form)
        key, secret = ApiKey.issue(
            studio=studio,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            created_by=self.request.user,
        )
        return TemplateResponse(
            self.request,
            "frontend_api/admin/api_key_created.html",
            {"key": key, "secret": secret, "index_url": reverse(self.index_url_name)},
        )


class ApiKeyRevokeView(ScopedDeleteView):
    page_title = "Revoke API key"

    def delete_action(self):
        self.object.revoke()

    def get_success_message(self):
        return f"“{self.object.name}” is revoked: calls with it now get 401."


class ApiKeyViewSet(StudioModelViewSet):
    model = ApiKey
    name = "api_keys"
    url_prefix = "developers/api-keys"
    icon = "key"
    menu_label = "API keys"
    add_to_admin_menu = False
    form_fields = ["name", "scope"]
    add_view_class = ApiKeyCreateView
    delete_view_class = ApiKeyRevokeView
    edit_view_enabled = True
    inspect_view_enabled = False
    list_display = [
        TitleColumn("name", url_name="api_keys:edit"),
        Column("prefix", label="Key starts with", accessor=lambda k: f"ff_{k.prefix}_…"),
        "scope",
        DateColumn("last_used_at", label="Last used"),
        StatusTagColumn(
            "is_active",
            label="Status",
            accessor=lambda k: "Active" if k.is_active else "Revoked",
            primary=lambda k: k.is_active,
        ),
    ]


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked to receive every event.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # First, so that 2130706433 is called an address in disguise, not only "not a valid URL".
        self.fields["url"].validators.insert(0, validate_webhook_url)


CANNOT_RECEIVE = "This endpoint can no longer receive events: {}"


def endpoint_status(endpoint) -> str:
    """The listing's status cell: endpoints registered before https and public addresses were required are
    refused at delivery, so they say so here (outbound's checks without DNS: no network call per row)."""
    problem = endpoint_problem(endpoint.url)
    if problem:
        return format_html(
            '<span class="w-status w-status--label">Blocked</span> <span class="w-text-critical-200">{}</span>',
            CANNOT_RECEIVE.format(problem),
        )
    if not endpoint.is_active:
        return format_html('<span class="w-status w-status--label">Paused</span>')
    return format_html('<span class="w-status w-status--primary">Active</span>')


class WebhookEndpointEditView(ScopedEditView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)  # sets self.object; rendered later, with the warning
        problem = endpoint_problem(self.object.url)
        if problem:
            messages.warning(request, CANNOT_RECEIVE.format(problem))
        return response


class WebhookEndpointViewSet(StudioModelViewSet):
    model = WebhookEndpoint
    name = "webhook_endpoints"
    url_prefix = "developers/webhook-endpoints"
    icon = "link-external"
    menu_label = "Webhook endpoints"
    add_to_admin_menu = False
    form_fields = ["url", "description", "events", "is_active"]
    edit_view_class = WebhookEndpointEditView
    inspect_view_enabled = True
    inspect_view_fields = ["url", "description", "events", "is_active", "secret", "created_at"]
    list_display = [
        TitleColumn("url", url_name="webhook_endpoints:edit"),
        "description",
        Column("events", label="Events", accessor="get_events_display"),
        Column("status", label="Status", accessor=endpoint_status),
        DateColumn("created_at", label="Created"),
    ]

    def get_form_class(self, for_update=False):
        return WebhookEndpointForm


class WebhookDeliveryViewSet(StudioModelViewSet):
    model = WebhookDelivery
    name = "webhook_deliveries"
    url_prefix = "developers/webhook-deliveries"
    icon = "history"
    menu_label = "Webhook deliveries"
    add_to_admin_menu = False
    form_fields = []
    # Deliveries are made by the platform: looked at and resent, never added, edited or deleted by hand
    # (Wagtail 8's ModelViewSet has no add_view_enabled; the permission policy hides the buttons and views).
    allowed_actions = ("view",)
    inspect_view_enabled = True
    inspect_view_fields = [
        "event",
        "event_id",
        "endpoint",
        "status",
        "attempts",
        "response_code",
        "duration_ms",
        "error",
        "response_excerpt",
        "payload",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
    ]
    list_display = [
        TitleColumn("event", url_name="webhook_deliveries:inspect"),
        Column("endpoint", accessor="endpoint.url"),
        "status",
        "response_code",
        Column("duration_ms", label="Duration (ms)"),
        "attempts",
        DateColumn("created_at", label="Created"),
        Column(
            "resend",
            label="",
            accessor=lambda d: format_html(
                '<a class="button button-small button-secondary" href="{}">Resend</a>',
                reverse("webhook_deliveries:resend", args=[d.pk]),
            ),
        ),
    ]
    list_filter = ["status", "event"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("resend/<int:pk>/", self.resend_view, name="resend")]

    def resend_view(self, request, pk):
        delivery = get_object_or_404(scope_queryset(WebhookDelivery.objects.all(), request.user), pk=pk)
        if request.method != "POST":
            return TemplateResponse(request, "frontend_api/admin/resend_delivery.html", {"delivery": delivery})
        resend(delivery)
        messages.success(request, f"{delivery.event} is being sent again to {delivery.endpoint.url}.")
        return redirect(self.get_url_name("index"))


class DevelopersGroup(ViewSetGroup):
    menu_label = "Developers"
    menu_icon = "code"
    menu_order = 900
    items = (ApiKeyViewSet, WebhookEndpointViewSet, WebhookDeliveryViewSet)


@hooks.register("register_admin_viewset")
def register_developers():
    return DevelopersGroup()


@hooks.register("register_studio_dashboard_panel")
def developers_panel(request, studio):
    return DevelopersPanel(studio, request)


# --- Rows of Settings → Studio settings → More settings ----------------------------------------

RECENT_FAILURES = timedelta(days=7)


@hooks.register(SUMMARY_ROW_HOOK)
def api_keys_summary_row(studio):
    active = ApiKey.objects.for_studio(studio).active().count()
    return SummaryRow(
        "api-keys", "API keys", "frontend_api/admin/summary_api_keys.html", order=50, data={"active_api_keys": active}
    )


@hooks.register(SUMMARY_ROW_HOOK)
def webhooks_summary_row(studio):
    failing = [WebhookDelivery.Status.FAILED, WebhookDelivery.Status.RETRYING]
    urls = list(WebhookEndpoint.objects.for_studio(studio).values_list("url", flat=True))
    data = {
        "webhook_endpoints": len(urls),
        "blocked_endpoints": sum(1 for url in urls if endpoint_problem(url)),
        "failed_deliveries": WebhookDelivery.objects.for_studio(studio)
        .filter(status__in=failing, created_at__gte=timezone.now() - RECENT_FAILURES)
        .count(),
    }
    return SummaryRow("webhooks", "Webhooks", "frontend_api/admin/summary_webhooks.html", order=60, data=data)
