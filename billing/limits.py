"""What a studio's plan allows, asked in one place.

Galleries, uploads, custom domains and API keys call `check_limit()` / `check_writable()` where
the limit bites; the error names the cheapest plan that lifts it, so the photographer knows what to do."""

import contextlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from wagtail.images.models import SourceImageIOError

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


class PlanLimitReached(Exception):
    """Raised when an action needs more than the studio's plan gives. `code` suits API errors."""

    code = "plan_limit"

    def __init__(self, message: str, *, feature: str, plan: Plan, upgrade_to: Plan | None):
        super().__init__(message)
        self.message = message
        self.feature = feature
        self.plan = plan
        self.upgrade_to = upgrade_to

    def as_api_error(self):
        """For API views: `except PlanLimitReached as exc: raise exc.as_api_error()` → 403 in the one error shape."""
        from frontend_api.errors import ApiError

        return ApiError(self.code, self.message, 403)


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


def usage(studio: Studio) -> Usage:
    from galleries.models import ClientGalleryIndexPage, StudioImage

    # Images created in code get their size on first use; measure a bounded batch of those now.
    for image in StudioImage.objects.for_studio(studio).filter(file_size__isnull=True)[:200]:
        with contextlib.suppress(SourceImageIOError):
            image.get_file_size()
    storage = StudioImage.objects.for_studio(studio).aggregate(total=Sum("file_size"))["total"] or 0
    # Galleries are pages under the studio's client-gallery index; live ones count as active.
    index = ClientGalleryIndexPage.objects.descendant_of(studio.home_page).first() if studio.home_page_id else None
    galleries = index.get_children().live().count() if index else 0
    seats = Membership.objects.for_studio(studio).count()
    return Usage(storage_bytes=storage, active_galleries=galleries, staff_seats=seats)


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
