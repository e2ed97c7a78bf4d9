"""What a studio's plan allows, asked in one place.

Galleries, uploads, custom domains and API keys call `check_limit()` / `check_writable()` where
the limit bites; the error names the cheapest plan that lifts it, so the photographer knows what to do.

What a studio uses is counted by the app that owns it: apps above this one register a counter
(`register_usage_counter("storage_bytes", fn)` in their `AppConfig.ready`), so limits needs no import of them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from studios.errors import LIMIT, DomainError
from studios.models import Membership, Studio

from .models import Plan, StudioSubscription

GB = 1024**3

FEATURES = {
    "custom_domain": "a custom domain",
    "white_label": "removing “Powered by FocusFlow”",
    "api_access": "API keys",
    "workflow_automation": "workflow automation",
}
COUNTED = {
    "active_galleries": "active galleries",
    "staff_seats": "staff seats",
    "storage": "storage",
}
# A lapsed subscription keeps everything but accepts no new work until it is paid.
READ_ONLY_STATUSES = {StudioSubscription.Status.PAUSED, StudioSubscription.Status.CANCELLED}


class PlanLimitReached(DomainError):
    """Raised when an action needs more than the studio's plan gives; the API answers it like any DomainError."""

    code = "plan_limit"
    kind = LIMIT

    def __init__(self, message: str, *, feature: str, plan: Plan, upgrade_to: Plan | None):
        super().__init__(message=message)
        self.feature = feature
        self.plan = plan
        self.upgrade_to = upgrade_to


class StudioReadOnly(PlanLimitReached):
    code = "subscription_lapsed"


@dataclass(frozen=True)
class Usage:
    storage_bytes: int
    active_galleries: int
    staff_seats: int


def plan_for(studio: Studio) -> Plan:
    """The plan the studio is on; studios that never subscribed are on the default plan."""
    subscription = StudioSubscription.objects.filter(studio=studio).select_related("plan").first()
    if subscription is not None and subscription.status != StudioSubscription.Status.INCOMPLETE:
        return subscription.plan
    return Plan.objects.get(code=settings.BILLING_DEFAULT_PLAN)


def is_read_only(studio: Studio) -> bool:
    """A paused or cancelled subscription makes the studio read-only; nothing is deleted."""
    return StudioSubscription.objects.filter(studio=studio, status__in=READ_ONLY_STATUSES).exists()


def check_writable(studio: Studio) -> None:
    if is_read_only(studio):
        plan = plan_for(studio)
        raise StudioReadOnly(
            "Your FocusFlow subscription has lapsed, so your studio is read-only: everything is kept, "
            "but nothing new can be added. Renew it under Settings → Plan and usage.",
            feature="subscription",
            plan=plan,
            upgrade_to=None,
        )


def storage_quota_bytes(studio: Studio) -> int:
    return plan_for(studio).storage_gb * GB


UsageCounter = Callable[[Studio], int]
_usage_counters: dict[str, UsageCounter] = {}


def register_usage_counter(name: str, counter: UsageCounter) -> None:
    """`name` is a Usage field ("storage_bytes", "active_galleries"); `counter(studio)` returns the number now used.

    Registered once by the owning app's `ready()`; registering a name again replaces its counter."""
    if name not in Usage.__dataclass_fields__ or name == "staff_seats":
        raise ValueError(f"No usage called {name!r} to count")
    _usage_counters[name] = counter


def _count(name: str, studio: Studio) -> int:
    counter = _usage_counters.get(name)
    return counter(studio) if counter is not None else 0


def usage(studio: Studio) -> Usage:
    return Usage(
        storage_bytes=_count("storage_bytes", studio),
        active_galleries=_count("active_galleries", studio),
        # Memberships are studios' (below this layer): counted here.
        staff_seats=Membership.objects.for_studio(studio).count(),
    )


def _limit(plan: Plan, what: str) -> int | None:
    return plan.storage_gb * GB if what == "storage" else getattr(plan, what)


def _allows(plan: Plan, what: str, needed: int) -> bool:
    if what in FEATURES:
        return getattr(plan, what)
    limit = _limit(plan, what)
    return limit is None or needed <= limit


def _upgrade_for(plan: Plan, what: str, needed: int) -> Plan | None:
    for candidate in Plan.objects.filter(sort_order__gt=plan.sort_order).order_by("sort_order"):
        if _allows(candidate, what, needed):
            return candidate
    return None


def require_feature(studio: Studio, what: str) -> None:
    """Raise PlanLimitReached unless the plan includes the feature; for reading with it, so a lapsed
    studio keeps reading (`check_limit` also refuses new work on a lapsed subscription)."""
    plan = plan_for(studio)
    if not _allows(plan, what, 1):
        upgrade = _upgrade_for(plan, what, 1)
        raise PlanLimitReached(_message(plan, what, upgrade), feature=what, plan=plan, upgrade_to=upgrade)


def check_limit(studio: Studio, what: str, *, adding: int = 1) -> None:
    """Raise PlanLimitReached unless the studio's plan allows `what` (a feature, or `adding` more of a count).

    `what` is a feature ("custom_domain", "white_label", "api_access", "workflow_automation") or a
    counted limit ("active_galleries", "staff_seats", "storage" with `adding` in bytes)."""
    if what not in FEATURES and what not in COUNTED:
        raise ValueError(f"Unknown plan limit {what!r}")
    check_writable(studio)
    plan = plan_for(studio)
    if what in FEATURES:
        needed = 1
    else:
        current = usage(studio)
        used = {"storage": current.storage_bytes, "active_galleries": current.active_galleries}.get(
            what, current.staff_seats
        )
        needed = used + adding
    if _allows(plan, what, needed):
        return
    upgrade = _upgrade_for(plan, what, needed)
    raise PlanLimitReached(_message(plan, what, upgrade), feature=what, plan=plan, upgrade_to=upgrade)


def _message(plan: Plan, what: str, upgrade: Plan | None) -> str:
    then = f"Upgrade to {upgrade.name} to lift it." if upgrade else "Contact us to raise it."
    if what in FEATURES:
        return f"Your {plan.name} plan does not include {FEATURES[what]}. {then}"
    if what == "storage":
        return f"This would take you over the {plan.storage_gb} GB of storage on your {plan.name} plan. {then}"
    return f"Your {plan.name} plan includes {_limit(plan, what)} {COUNTED[what]}, and they are all in use. {then}"
