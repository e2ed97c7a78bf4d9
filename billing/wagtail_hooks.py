"""Billing in the Wagtail admin: Invoices (a scoped ModelViewSet), Revenue, and Settings → Plan and usage.

Per DESIGN.md §8, scoping the listing is not enough: every view of the invoice viewset filters by
the photographer's studio, so another studio's invoice is a 404 on every URL."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from bookings.models import Booking
from crm.models import Client
from studios.admin_viewsets import StudioMenuItem
from studios.tenancy import admin_studio, studios_for_user

from . import admin_views
from .invoicing import assign_number, booking_next_steps, build_schedule, recalculate, schedule_with_status
from .limits import is_read_only
from .models import Invoice, InvoiceLine, StripeEvent


class StudioMemberPolicy(BasePermissionPolicy):
    """Any member of a studio manages that studio's invoices; a draft is the only kind you edit or delete."""

    def user_has_permission(self, user, action):
        return user.is_active and (user.is_superuser or bool(studios_for_user(user)))

    def user_has_any_permission(self, user, actions):
        return self.user_has_permission(user, "view")

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return action not in ("change", "delete") or instance.status == Invoice.Status.DRAFT

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)


def studio_of(request):
    studio = admin_studio(request)
    if studio is None:
        raise Http404("Choose a studio first.")
    return studio


class ScopedObject:
    """Every object view: another studio's invoice does not exist."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if obj.studio_id != studio_of(self.request).pk:
            raise Http404("No such invoice.")
        return obj


class InvoiceIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(studio=studio_of(self.request)).select_related("client")


class InvoiceCreateView(generic.CreateView):
    def dispatch(self, request, *args, **kwargs):
        if is_read_only(studio_of(request)):
            messages.error(
                request, "Your subscription has lapsed: renew it under Settings → Plan and usage to add invoices."
            )
            return redirect("billing_invoice:index")
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        with transaction.atomic():
            invoice = self.form.instance
            invoice.studio = studio_of(self.request)
            invoice.currency = invoice.studio.currency.lower()
            assign_number(invoice)
            invoice = recalculate(super().save_instance())
            build_schedule(invoice)  # deposit and balance when the invoice is for a booking
            return invoice


class InvoiceEditView(ScopedObject, generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        invoice = getattr(self, "object", None) or self.get_object()
        if invoice.status != Invoice.Status.DRAFT:
            return redirect("billing_invoice:inspect", invoice.pk)
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        with transaction.atomic():
            invoice = recalculate(super().save_instance())
            build_schedule(invoice)
            return invoice


class InvoiceDeleteView(ScopedObject, generic.DeleteView):
    pass


class InvoiceInspectView(ScopedObject, generic.InspectView):
    template_name = "billing/admin/invoice_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            invoice=self.object,
            lines=self.object.lines.all(),
            schedule=schedule_with_status(self.object),
            payments=self.object.payments.all(),
            refunds=[r for p in self.object.payments.prefetch_related("refunds") for r in p.refunds.all()],
        )
        return context


class InvoiceHistoryView(ScopedObject, history.HistoryView):
    pass


class InvoiceUsageView(ScopedObject, usage.UsageView):
    pass


class InvoiceAdminForm(WagtailAdminModelForm):
    """Clients and bookings to choose from are the photographer's own."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        studios = studios_for_user(for_user) if for_user is not None else []
        studio = studios[0] if studios else None
        self.fields["client"].queryset = Client.objects.for_studio(studio)
        self.fields["booking"].queryset = Booking.objects.for_studio(studio).select_related("client", "session_type")

    def is_valid(self):
        # The lines are formsets, validated after the form's own clean(): check the total once both are.
        if not super().is_valid():
            return False
        total = 0
        for form in self.formsets["lines"].forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE") and data.get("unit_amount") is not None:
                sign = -1 if data.get("kind") == InvoiceLine.Kind.DISCOUNT else 1
                total += sign * data["unit_amount"] * (data.get("quantity") or 0)
        if total < 0:
            self.add_error(None, "Discounts are larger than the invoice; the total cannot be negative.")
            return False
        return True

    def clean(self):
        cleaned = super().clean()
        booking, client = cleaned.get("booking"), cleaned.get("client")
        if booking and client and booking.client_id != client.pk:
            self.add_error("booking", "This booking is for another client.")
        return cleaned


class InvoiceViewSet(ModelViewSet):
    model = Invoice
    icon = "doc-full"
    menu_label = "Invoices"
    menu_order = 310
    add_to_admin_menu = True
    url_prefix = "billing/invoices"
    name = "billing_invoice"
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "number",
        "client",
        Column("total_display", label="Total"),
        "status",
        "due_date",
    ]
    list_filter = {"status": ["exact"], "due_date": ["gte", "lte"]}
    search_fields = ["number", "client__name", "client__email"]
    ordering = ["-sequence"]
    index_view_class = InvoiceIndexView
    add_view_class = InvoiceCreateView
    edit_view_class = InvoiceEditView
    delete_view_class = InvoiceDeleteView
    inspect_view_class = InvoiceInspectView
    history_view_class = InvoiceHistoryView
    usage_view_class = InvoiceUsageView
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("client"), FieldPanel("booking")]),
            FieldRowPanel([FieldPanel("due_date"), FieldPanel("tax_rate_bps")]),
            InlinePanel(
                "lines",
                label="Lines",
                min_num=1,
                panels=[
                    FieldPanel("kind"),
                    FieldPanel("description"),
                    FieldPanel("quantity"),
                    FieldPanel("unit_amount"),
                ],
            ),
            FieldPanel("notes"),
        ],
        base_form_class=InvoiceAdminForm,
    )


class PlatformStaffPolicy(BasePermissionPolicy):
    """The Stripe event ledger is the platform's, not a studio's: superusers may look, nobody edits."""

    def user_has_permission(self, user, action):
        return user.is_active and user.is_superuser and action == "view"

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class StripeEventViewSet(ModelViewSet):
    model = StripeEvent
    icon = "list-ul"
    menu_label = "Stripe events"
    menu_order = 900
    add_to_settings_menu = True
    url_prefix = "billing/stripe-events"
    name = "billing_stripe_event"
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["event_id", "type", "account", "status", "created", "attempts"]
    list_filter = ["status", "type"]
    search_fields = ["event_id", "type", "account", "error"]
    inspect_view_fields = ["event_id", "type", "account", "status", "error", "attempts", "created", "payload"]
    form_fields = ["status"]  # never editable: the policy allows viewing only


register_permission_policy(Invoice, StudioMemberPolicy(Invoice))
register_permission_policy(StripeEvent, PlatformStaffPolicy(StripeEvent))
invoice_viewset = InvoiceViewSet()


@hooks.register("register_admin_viewset")
def register_invoice_viewset():
    return invoice_viewset


@hooks.register("register_admin_viewset")
def register_stripe_event_viewset():
    return StripeEventViewSet()


@hooks.register("register_admin_urls")
def billing_admin_urls():
    return [
        path("billing/plan/", admin_views.PlanAndUsageView.as_view(), name="billing_plan_usage"),
        path("billing/plan/subscribe/", admin_views.SubscribeView.as_view(), name="billing_subscribe"),
        path("billing/plan/portal/", admin_views.BillingPortalView.as_view(), name="billing_portal"),
        path("billing/connect/", admin_views.ConnectOnboardingView.as_view(), name="billing_connect"),
        path("billing/connect/return/", admin_views.ConnectReturnView.as_view(), name="billing_connect_return"),
        path("billing/invoices/<int:pk>/send/", admin_views.SendInvoiceView.as_view(), name="billing_invoice_send"),
        path("billing/invoices/<int:pk>/void/", admin_views.VoidInvoiceView.as_view(), name="billing_invoice_void"),
        path(
            "billing/invoices/<int:pk>/refund/", admin_views.RefundInvoiceView.as_view(), name="billing_invoice_refund"
        ),
        path("billing/revenue/", admin_views.RevenueView.as_view(), name="billing_revenue"),
        path("billing/revenue.csv", admin_views.RevenueCsvView.as_view(), name="billing_revenue_csv"),
    ]


@hooks.register("register_admin_menu_item")
def revenue_menu_item():
    return StudioMenuItem("Revenue", reverse("billing_revenue"), icon_name="table", order=320)


@hooks.register("register_settings_menu_item")
def plan_menu_item():
    return StudioMenuItem("Plan and usage", reverse("billing_plan_usage"), icon_name="cogs", order=50)


def _refuse_when_lapsed(request, page):
    """A lapsed subscription makes the studio read-only in the admin too: pages can be viewed, not changed."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from studios.models import Studio

    from .limits import is_read_only

    if request.method != "POST":
        return None
    studio = Studio.objects.for_page(page).first()
    if studio is None or not is_read_only(studio):
        return None
    messages.error(
        request,
        "Your FocusFlow subscription has lapsed, so your studio is read-only: everything is kept, but nothing "
        "can be changed. Renew it under Settings → Plan and usage.",
    )
    return redirect(request.get_full_path())


@hooks.register("before_edit_page")
def read_only_edit(request, page):
    return _refuse_when_lapsed(request, page)


@hooks.register("before_create_page")
def read_only_create(request, parent_page, page_class):
    return _refuse_when_lapsed(request, parent_page)


@hooks.register("before_delete_page")
def read_only_delete(request, page):
    return _refuse_when_lapsed(request, page)


@hooks.register("register_studio_dashboard_panel")
def unpaid_invoices_panel(request, studio):
    from .dashboard import UnpaidInvoicesPanel

    return UnpaidInvoicesPanel(studio, request)


@hooks.register("register_studio_dashboard_panel")
def revenue_this_month_panel(request, studio):
    from .dashboard import RevenueThisMonthPanel

    return RevenueThisMonthPanel(studio, request)


@hooks.register("register_studio_dashboard_panel")
def plan_usage_panel(request, studio):
    from .dashboard import PlanUsagePanel

    return PlanUsagePanel(studio, request)


# After contracts' "sign your contract" (order=10) in the booking e-mail.
hooks.register("booking_next_steps", booking_next_steps, order=20)
