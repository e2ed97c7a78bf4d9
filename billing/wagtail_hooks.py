"""Registers billing with Wagtail (the views are in billing/admin/): Invoices and Revenue in the menu,
Settings → Plan and usage and Stripe events, the invoice actions, a lapsed studio's read-only pages,
and the dashboard panels."""

from django.urls import path, reverse
from wagtail import hooks

from studios.admin_viewsets import StudioMenuItem
from studios.charts import HOOK_NAME as BUSINESS_CHARTS_HOOK

from .admin.invoice_actions import RefundInvoiceView, SendInvoiceView, VoidInvoiceView
from .admin.plan import BillingPortalView, ConnectOnboardingView, ConnectReturnView, PlanAndUsageView, SubscribeView
from .admin.read_only import refuse_when_lapsed
from .admin.revenue_views import RevenueCsvView, RevenueView
from .admin.viewsets import InvoiceViewSet, StripeEventViewSet
from .business import revenue_charts
from .dashboard import PlanUsagePanel, RevenueThisMonthPanel, UnpaidInvoicesPanel
from .emails import SPECS as EMAIL_SPECS
from .invoicing import booking_next_steps


@hooks.register("register_admin_viewset")
def register_invoice_viewset():
    return InvoiceViewSet()


@hooks.register("register_admin_viewset")
def register_stripe_event_viewset():
    return StripeEventViewSet()


@hooks.register("register_admin_urls")
def billing_admin_urls():
    return [
        path("billing/plan/", PlanAndUsageView.as_view(), name="billing_plan_usage"),
        path("billing/plan/subscribe/", SubscribeView.as_view(), name="billing_subscribe"),
        path("billing/plan/portal/", BillingPortalView.as_view(), name="billing_portal"),
        path("billing/connect/", ConnectOnboardingView.as_view(), name="billing_connect"),
        path("billing/connect/return/", ConnectReturnView.as_view(), name="billing_connect_return"),
        path("billing/invoices/<int:pk>/send/", SendInvoiceView.as_view(), name="billing_invoice_send"),
        path("billing/invoices/<int:pk>/void/", VoidInvoiceView.as_view(), name="billing_invoice_void"),
        path("billing/invoices/<int:pk>/refund/", RefundInvoiceView.as_view(), name="billing_invoice_refund"),
        path("billing/revenue/", RevenueView.as_view(), name="billing_revenue"),
        path("billing/revenue.csv", RevenueCsvView.as_view(), name="billing_revenue_csv"),
    ]


@hooks.register("register_admin_menu_item")
def revenue_menu_item():
    return StudioMenuItem("Revenue", reverse("billing_revenue"), icon_name="table", order=320)


@hooks.register("register_settings_menu_item")
def plan_menu_item():
    return StudioMenuItem("Plan and usage", reverse("billing_plan_usage"), icon_name="cogs", order=50)


@hooks.register("before_edit_page")
def read_only_edit(request, page):
    return refuse_when_lapsed(request, page)


@hooks.register("before_create_page")
def read_only_create(request, parent_page, page_class):
    return refuse_when_lapsed(request, parent_page)


@hooks.register("before_delete_page")
def read_only_delete(request, page):
    return refuse_when_lapsed(request, page)


@hooks.register("register_studio_dashboard_panel")
def unpaid_invoices_panel(request, studio):
    return UnpaidInvoicesPanel(studio, request)


@hooks.register("register_studio_dashboard_panel")
def revenue_this_month_panel(request, studio):
    return RevenueThisMonthPanel(studio, request)


@hooks.register("register_studio_dashboard_panel")
def plan_usage_panel(request, studio):
    return PlanUsagePanel(studio, request)


# After contracts' "sign your contract" (order=10) in the booking e-mail.
hooks.register("booking_next_steps", booking_next_steps, order=20)


hooks.register("booking_next_steps", booking_next_steps, order=20)


@hooks.register(BUSINESS_CHARTS_HOOK)
def billing_business_charts(studio):
    return revenue_charts(studio)


@hooks.register("register_email_templates")
def billing_email_templates():
    return EMAIL_SPECS
