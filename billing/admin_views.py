"""Billing in the Wagtail admin: plan and usage, Stripe Connect, invoice actions, revenue.

Every view starts from `admin_studio(request)`; an object of another studio is a 404."""

import csv
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from studios.tenancy import admin_studio

from . import connect, limits, payments, revenue, subscriptions
from .invoicing import InvoiceError, invoice_link, send_invoice, void_invoice
from .models import ConnectedAccount, Invoice, Plan, StudioSubscription
from .stripe_gateway import StripeUnavailable


def studio_or_404(request):
    studio = admin_studio(request)
    if studio is None:
        raise Http404("Choose a studio first.")
    return studio


class StudioAdminView(View):
    def dispatch(self, request, *args, **kwargs):
        self.studio = studio_or_404(request)
        return super().dispatch(request, *args, **kwargs)

    def absolute(self, name: str, *args) -> str:
        return self.request.build_absolute_uri(reverse(name, args=args))


def meter(used: int, limit: int | None) -> dict:
    percent = 0 if not limit else min(100, round(used * 100 / limit))
    return {"used": used, "limit": limit, "percent": percent, "over": limit is not None and used > limit}


class PlanAndUsageView(StudioAdminView, WagtailAdminTemplateMixin, TemplateView):
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


# --- Invoice actions ------------------------------------------------------------------


class InvoiceActionView(StudioAdminView):
    def invoice(self, pk) -> Invoice:
        return get_object_or_404(Invoice.objects.for_studio(self.studio).select_related("client"), pk=pk)

    def back(self, invoice):
        return redirect("billing_invoice:inspect", invoice.pk)


class SendInvoiceView(InvoiceActionView):
    def post(self, request, pk):
        invoice = self.invoice(pk)
        try:
            send_invoice(invoice, link=invoice_link(invoice))
            messages.success(request, f"Invoice {invoice.number} sent to {invoice.client.email}.")
        except InvoiceError as exc:
            messages.error(request, str(exc))
        return self.back(invoice)


class VoidInvoiceView(InvoiceActionView):
    def post(self, request, pk):
        invoice = self.invoice(pk)
        try:
            void_invoice(invoice)
            messages.success(request, f"Invoice {invoice.number} is void.")
        except InvoiceError as exc:
            messages.error(request, str(exc))
        return self.back(invoice)


class RefundInvoiceView(InvoiceActionView, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Refund"
    header_icon = "undo"
    template_name = "billing/admin/refund.html"

    def get(self, request, pk):
        return self.render_to_response(self.get_context_data(invoice=self.invoice(pk)))

    def post(self, request, pk):
        invoice = self.invoice(pk)
        try:
            amount = parse_amount(request.POST.get("amount", ""))
            refunds = payments.refund_invoice(invoice, amount, user=request.user, reason=request.POST.get("reason", ""))
        except (InvoiceError, StripeUnavailable) as exc:
            return self.render_to_response(self.get_context_data(invoice=invoice, error=str(exc)), status=400)
        messages.success(
            request, f"Refunded {amount / 100:.2f} {invoice.currency.upper()} in {len(refunds)} refund(s)."
        )
        return self.back(invoice)


def parse_amount(text: str) -> int:
    """'120.50' → 12050 minor units, without floats."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation as exc:
        raise InvoiceError("Enter the amount as a number, e.g. 120.50.") from exc
    if value != value.quantize(Decimal("0.01")):
        raise InvoiceError("Amounts have at most two decimals.")
    return int(value * 100)


# --- Revenue --------------------------------------------------------------------------


class RevenueView(StudioAdminView, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Revenue"
    header_icon = "table"
    template_name = "billing/admin/revenue.html"

    def year(self) -> int:
        try:
            return int(self.request.GET.get("year", ""))
        except ValueError:
            return revenue.today_in(self.studio).year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.year()
        rows = revenue.by_month(self.studio, year)
        context.update(
            studio=self.studio,
            year=year,
            rows=rows,
            totals=revenue.totals(rows),
            currency=self.studio.currency,
            years=[year - 1, year + 1],
        )
        return context


class RevenueCsvView(RevenueView):
    def get(self, request, *args, **kwargs):
        year = self.year()
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="revenue-{self.studio.slug}-{year}.csv"'
        writer = csv.writer(response)
        currency = self.studio.currency.upper()
        writer.writerow(["month", f"paid ({currency})", f"outstanding ({currency})", f"overdue ({currency})"])
        for row in revenue.by_month(self.studio, year):
            writer.writerow([row["month"].strftime("%Y-%m"), *(f"{row[k] / 100:.2f}" for k in revenue.COLUMNS)])
        return response
