"""Settings → Plan and usage: the plan's meters, subscribing, the billing portal and Stripe Connect."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import connect, limits, subscriptions
from ..models import ConnectedAccount, Plan, StudioSubscription
from ..stripe_gateway import StripeUnavailable
from .base import StudioAdminView, TitledBreadcrumbsMixin


def meter(used: int, limit: int | None) -> dict:
    percent = 0 if not limit else min(100, round(used * 100 / limit))
    return {"used": used, "limit": limit, "percent": percent, "over": limit is not None and used > limit}


class PlanAndUsageView(StudioAdminView, TitledBreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Plan and usage"
    header_icon = "cogs"
    template_name = "billing/admin/plan_and_usage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = limits.plan_for(self.studio)
        usage = limits.usage(self.studio)
        context.update(
            studio=self.studio,
            plan=plan,
            plans=Plan.objects.all(),
            subscription=StudioSubscription.objects.filter(studio=self.studio).first(),
            read_only=limits.is_read_only(self.studio),
            storage=meter(usage.storage_bytes, plan.storage_gb * limits.GB),
            storage_used_gb=round(usage.storage_bytes / limits.GB, 2),
            galleries=meter(usage.active_galleries, plan.active_galleries),
            seats=meter(usage.staff_seats, plan.staff_seats),
            account=ConnectedAccount.objects.filter(studio=self.studio).first(),
        )
        return context


class SubscribeView(StudioAdminView):
    def post(self, request):
        plan = get_object_or_404(Plan, code=request.POST.get("plan", ""))
        back = self.absolute("billing_plan_usage")
        try:
            url = subscriptions.start_subscription_checkout(
                self.studio, plan, success_url=f"{back}?subscribed=1", cancel_url=back
            )
        except (subscriptions.SubscriptionError, StripeUnavailable) as exc:
            messages.error(request, str(exc))
            return redirect("billing_plan_usage")
        return redirect(url)


class BillingPortalView(StudioAdminView):
    def post(self, request):
        try:
            return redirect(
                subscriptions.open_billing_portal(self.studio, return_url=self.absolute("billing_plan_usage"))
            )
        except (subscriptions.SubscriptionError, StripeUnavailable) as exc:
            messages.error(request, str(exc))
            return redirect("billing_plan_usage")


class ConnectOnboardingView(StudioAdminView):
    def post(self, request):
        try:
            url = connect.start_onboarding(
                self.studio,
                refresh_url=self.absolute("billing_plan_usage"),
                return_url=self.absolute("billing_connect_return"),
            )
        except StripeUnavailable as exc:
            messages.error(request, str(exc))
            return redirect("billing_plan_usage")
        return redirect(url)


class ConnectReturnView(StudioAdminView):
    """Stripe sends the photographer back here after onboarding; ask Stripe how it went."""

    def get(self, request):
        account = ConnectedAccount.objects.for_studio(self.studio).first()
        if account is None:
            raise Http404("No connected account.")
        try:
            connect.refresh_account(account)
            messages.success(request, f"Stripe account: {account.status_label}.")
        except StripeUnavailable as exc:
            messages.error(request, str(exc))
        return redirect("billing_plan_usage")
