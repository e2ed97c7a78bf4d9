"""Settings → Studio settings and Settings → Team in the Wagtail admin."""

from django.urls import path, reverse
from wagtail import hooks

from studios.admin_viewsets import StudioMenuItem

from . import admin_views
from .emails import SPECS as EMAIL_SPECS
from .summary import SUMMARY_ROW_HOOK, plan_row, stripe_row, team_row, watermark_row

# --- Settings → Studio settings ---------------------------------------------------------------


@hooks.register("register_admin_urls")
def studio_settings_urls():
    return [
        path("studio-settings/", admin_views.StudioSettingsView.as_view(), name="cms_studio_settings"),
        path("studio-settings/domains/add/", admin_views.AddStudioDomainView.as_view(), name="cms_studio_domain_add"),
        path(
            "studio-settings/domains/<int:pk>/remove/",
            admin_views.RemoveStudioDomainView.as_view(),
            name="cms_studio_domain_remove",
        ),
    ]


@hooks.register("register_settings_menu_item")
def studio_settings_menu_item():
    return StudioMenuItem("Studio settings", reverse("cms_studio_settings"), icon_name="site", order=40)


# --- Settings → Team ---------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def team_urls():
    return [
        path("team/", admin_views.TeamView.as_view(), name="cms_team"),
        path("team/<int:pk>/role/", admin_views.ChangeTeamRoleView.as_view(), name="cms_team_role"),
        path("team/<int:pk>/remove/", admin_views.RemoveTeamMemberView.as_view(), name="cms_team_remove"),
    ]


@hooks.register("register_settings_menu_item")
def team_menu_item():
    return StudioMenuItem("Team", reverse("cms_team"), icon_name="group", order=45)


# --- Rows of Settings → Studio settings → More settings (the API layer adds its own) ---------------

hooks.register(SUMMARY_ROW_HOOK, watermark_row)
hooks.register(SUMMARY_ROW_HOOK, plan_row)
hooks.register(SUMMARY_ROW_HOOK, stripe_row)
hooks.register(SUMMARY_ROW_HOOK, team_row)


@hooks.register("register_email_templates")
def studio_settings_email_templates():
    return EMAIL_SPECS
