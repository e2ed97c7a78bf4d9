"""The photographer's admin dashboard: panels about their studio only.

Each app adds panels by registering a Wagtail hook that returns a panel (or None):

    @hooks.register("register_studio_dashboard_panel")
    def upcoming_sessions(request, studio):
        return UpcomingSessionsPanel(studio, request)

A panel subclasses `StudioPanel`: it gets the studio already resolved and
renders nothing when `is_shown()` is False. Every query in a panel must start
from `studio` (`Model.objects.for_studio(studio)`)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.models import Page

from .models import OutgoingEmail, Studio
from .tenancy import admin_studio

HOOK_NAME = "register_studio_dashboard_panel"


class StudioPanel(Component):
    """One dashboard panel about one studio. Set `name`, `heading`, `order`, `template_name`."""

    name = ""
    heading = ""
    order = 100
    template_name = ""

    class Media:
        css = {"all": ["admin/dashboard.css"]}

    def __init__(self, studio: Studio, request):
        self.studio = studio
        self.request = request

    def is_shown(self) -> bool:
        return True

    def get_panel_context(self) -> dict:
        return {}

    def get_context_data(self, parent_context=None):
        return {"panel": self, "studio": self.studio, "request": self.request, **self.get_panel_context()}

    def render_html(self, parent_context=None):
        return super().render_html(parent_context) if self.is_shown() else ""


def studio_site_url(studio: Studio, request) -> str:
    """The studio's public address, on the port this admin is served from (development runs on :8000)."""
    host = request.get_host()
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    suffix = f":{port}" if port and port not in ("80", "443") else ""
    return f"{request.scheme}://{studio.hostname}{suffix}/"


class StudioSitePanel(StudioPanel):
    name = "studio_site"
    heading = "Your site"
    order = 10
    template_name = "cms/dashboard/studio_site.html"

    def get_panel_context(self):
        studio = self.studio
        return {
            "site_url": studio_site_url(studio, self.request),
            "domains": list(studio.domains.order_by("hostname")),
            "home_edit_url": reverse("wagtailadmin_pages:edit", args=[studio.home_page_id])
            if studio.home_page_id
            else "",
            "explore_url": reverse("wagtailadmin_explore", args=[studio.home_page_id]) if studio.home_page_id else "",
        }


class RecentPagesPanel(StudioPanel):
    """The studio's pages edited most recently, by anyone on the team."""

    name = "studio_recent_pages"
    heading = "Recently edited pages"
    order = 20
    template_name = "cms/dashboard/recent_pages.html"
    limit = 6

    def pages(self):
        if not self.studio.home_page_id:
            return []
        return list(
            Page.objects.descendant_of(self.studio.home_page, inclusive=True)
            .exclude(latest_revision_created_at__isnull=True)
            .order_by("-latest_revision_created_at")[: self.limit]
        )

    def get_panel_context(self):
        return {"pages": self.pages()}


class FailedEmailsPanel(StudioPanel):
    """E-mails that gave up (studios.outbox) lately: the photographer learns that a client was not told."""

    name = "failed_emails"
    heading = "E-mails that could not be sent"
    order = 15
    template_name = "studios/dashboard/failed_emails.html"
    days = 30
    limit = 10

    def emails(self) -> list[OutgoingEmail]:
        if not hasattr(self, "_emails"):
            since = timezone.now() - timedelta(days=self.days)
            self._emails = list(
                OutgoingEmail.objects.for_studio(self.studio)
                .filter(state=OutgoingEmail.State.FAILED, created_at__gte=since)
                .order_by("-created_at")[: self.limit]
            )
        return self._emails

    def is_shown(self) -> bool:
        return bool(self.emails())

    def get_panel_context(self):
        return {"emails": self.emails()}


def studio_panels(request, studio: Studio) -> list[StudioPanel]:
    panels = []
    for make_panel in hooks.get_hooks(HOOK_NAME):
        panel = make_panel(request, studio)
        if panel is not None:
            panels.append(panel)
    return panels


@hooks.register(HOOK_NAME)
def site_panel(request, studio):
    return StudioSitePanel(studio, request)


@hooks.register(HOOK_NAME)
def recent_pages_panel(request, studio):
    return RecentPagesPanel(studio, request)


@hooks.register(HOOK_NAME)
def failed_emails_panel(request, studio):
    return FailedEmailsPanel(studio, request)


@hooks.register("construct_homepage_panels")
def studio_dashboard(request, panels):
    studio = admin_studio(request)
    if studio is None:
        return
    panels.extend(studio_panels(request, studio))


# Where other apps' panels go, so the dashboard reads top to bottom as the business does.
ORDER_HINTS = {
    "failed_emails": 15,
    "todos": 25,
    "upcoming_sessions": 30,
    "unsigned_contracts": 40,
    "unpaid_invoices": 50,
    "gallery_activity": 60,
    "revenue_this_month": 70,
    "plan_usage": 80,
    "developers": 90,
}
