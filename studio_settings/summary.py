"""Settings → Studio settings → More settings: the other settings at a glance, one row each.

The rows are pluggable: a function registered with `hooks.register("register_studio_settings_summary_row")`
gets the studio and returns a `SummaryRow` (or None). This app registers the rows of the apps below it
(watermark, plan, Stripe, team) in its wagtail_hooks.py; the API layer registers its own (API keys,
webhooks), which this app may not import (docs/architecture.md, layers)."""

from dataclasses import dataclass, field

from wagtail import hooks

from billing import limits
from billing.models import ConnectedAccount
from galleries.models import WatermarkSettings
from studios.models import Studio

SUMMARY_ROW_HOOK = "register_studio_settings_summary_row"


@dataclass(frozen=True)
class SummaryRow:
    """One row: `template` renders its cells after the heading, with the row in the context as `row`."""

    card: str  # the row's data-card name
    heading: str
    template: str
    order: int
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SettingsSummary:
    """What the settings page shows about the plan, and the rows of the "More settings" table."""

    plan_name: str
    read_only: bool
    custom_domains_allowed: bool
    white_label_allowed: bool
    rows: list[SummaryRow]


def settings_summary(studio: Studio) -> SettingsSummary:
    plan = limits.plan_for(studio)
    rows = [row for make_row in hooks.get_hooks(SUMMARY_ROW_HOOK) if (row := make_row(studio)) is not None]
    return SettingsSummary(
        plan_name=plan.name,
        read_only=limits.is_read_only(studio),
        custom_domains_allowed=plan.custom_domain,
        white_label_allowed=plan.white_label,
        rows=sorted(rows, key=lambda row: row.order),
    )


# --- The rows of the apps below this one (registered in wagtail_hooks.py) ----------------------


def watermark_row(studio: Studio) -> SummaryRow:
    watermark = WatermarkSettings.objects.filter(studio=studio).first()
    if watermark is None:
        text = "Not set up"
    elif watermark.image_id:
        text = f"Logo, {watermark.get_position_display().lower()}, {watermark.opacity}% opacity"
    else:
        text = f"“{watermark.text}”, {watermark.get_position_display().lower()}"
    return SummaryRow("watermark", "Watermark", "cms/admin/summary/watermark.html", order=10, data={"text": text})


def plan_row(studio: Studio) -> SummaryRow:
    plan = limits.plan_for(studio)
    usage = limits.usage(studio)
    data = {
        "plan_name": plan.name,
        "storage_used_gb": round(usage.storage_bytes / limits.GB, 2),
        "storage_quota_gb": plan.storage_gb,
        "read_only": limits.is_read_only(studio),
    }
    return SummaryRow("plan", "Plan and usage", "cms/admin/summary/plan.html", order=20, data=data)


@dataclass(frozen=True)
class StripeConnection:
    state: str  # "connected", "incomplete" or "not_connected"
    label: str
    account_id: str = ""


def stripe_connection(studio: Studio) -> StripeConnection:
    """Whether client payments reach the studio's Stripe account (read from billing's ConnectedAccount)."""

    account = ConnectedAccount.objects.for_studio(studio).first()
    if account is None:
        return StripeConnection("not_connected", "Not connected")
    if account.charges_enabled and account.payouts_enabled:
        return StripeConnection("connected", "Connected", account.stripe_account_id)
    return StripeConnection("incomplete", f"Onboarding incomplete: {account.status_label}", account.stripe_account_id)


def stripe_row(studio: Studio) -> SummaryRow:
    connection = stripe_connection(studio)
    return SummaryRow(
        "stripe", "Stripe (client payments)", "cms/admin/summary/stripe.html", order=30, data={"stripe": connection}
    )


def team_row(studio: Studio) -> SummaryRow:
    plan = limits.plan_for(studio)
    data = {"seats_used": limits.usage(studio).staff_seats, "seats_total": plan.staff_seats}  # None: unlimited
    return SummaryRow("team", "Team", "cms/admin/summary/team.html", order=40, data=data)
