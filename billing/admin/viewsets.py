"""Invoices (a studio-scoped viewset on the shared base: another studio's invoice is a 404 on every URL,
docs/architecture.md) and the platform's Stripe event ledger (Settings → Stripe events)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from studios.admin_viewsets import (
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    StudioModelViewSet,
)

from ..invoicing import assign_number, build_schedule, recalculate, schedule_with_status
from ..limits import is_read_only
from ..models import Invoice, StripeEvent
from .base import studio_or_404
from .forms import InvoiceAdminForm
from .permissions import InvoicePermissionPolicy, PlatformStaffPolicy


class InvoiceIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("client")


class InvoiceCreateView(ScopedCreateView):
    def dispatch(self, request, *args, **kwargs):
        if is_read_only(studio_or_404(request)):
            messages.error(
                request, "Your subscription has lapsed: renew it under Settings → Plan and usage to add invoices."
            )
            return redirect("billing_invoice:index")
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        with transaction.atomic():
            invoice = self.form.instance
            invoice.studio = studio_or_404(self.request)
            invoice.currency = invoice.studio.currency.lower()
            assign_number(invoice)
            invoice = recalculate(super().save_instance())
            build_schedule(invoice)  # deposit and balance when the invoice is for a booking
            return invoice


class InvoiceEditView(ScopedEditView):
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


class InvoiceInspectView(ScopedInspectView):
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


class InvoiceViewSet(StudioModelViewSet):
    model = Invoice
    icon = "doc-full"
    menu_label = "Invoices"
    menu_order = 310
    add_to_admin_menu = True
    url_prefix = "billing/invoices"
    name = "billing_invoice"
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
    inspect_view_class = InvoiceInspectView
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

    @cached_property
    def permission_policy(self):
        return InvoicePermissionPolicy(Invoice)


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
    list_display = ["event_id", "type", "account", "status", "created", "attempts", "next_attempt_at"]
    list_filter = ["status", "type"]
    search_fields = ["event_id", "type", "account", "error"]
    inspect_view_fields = [
        "event_id", "type", "account", "status", "error", "attempts", "next_attempt_at", "created", "payload"
    ]  # fmt: skip
    form_fields = ["status"]  # never editable: the policy allows viewing only

    @cached_property
    def permission_policy(self):
        return PlatformStaffPolicy(StripeEvent)

    def register_permissions(self):
        # Registered before Wagtail's own registration, which would otherwise warn and fall back.
        register_permission_policy(self.model, self.permission_policy, exact_class=True)
        super().register_permissions()
