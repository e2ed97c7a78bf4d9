"""Contracts in the Wagtail admin: templates (StreamField content, variables checked at save time)
and issued contracts (read-only records: countersign, void, download the signed PDF)."""

import django_filters
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup

from bookings.admin.actions import BOOKING_ACTIONS_HOOK, BookingAction
from studios.admin_viewsets import ScopedInspectView, StudioModelViewSet, StudioOwnedAdminForm, user_owns
from studios.client_address import client_ip

from .dashboard import UnsignedContractsPanel
from .emails import SPECS as EMAIL_SPECS
from .issuing import issue_contract, void_contract
from .models import Contract, ContractTemplate
from .signing import SigningError, countersign
from .tasks import booking_next_steps


class ContractTemplateViewSet(StudioModelViewSet):
    model = ContractTemplate
    icon = "doc-full"
    menu_label = "Contract templates"
    list_display = ["title", "updated_at"]
    search_fields = ["title"]
    edit_handler = ObjectList(ContractTemplate.panels, base_form_class=StudioOwnedAdminForm)


class ContractFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=Contract.Status.choices)

    class Meta:
        model = Contract
        fields = ["status"]


class ContractInspectView(ScopedInspectView):
    template_name = "contracts/contract_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        context.update(
            contract=contract,
            signatures=contract.signatures.all(),
            blocks=contract.signed_blocks(),
            urls={
                name: reverse(f"contracts:{name}", args=[contract.pk])
                for name in ("countersign", "void", "new_version", "pdf")
            },
        )
        return context


class ContractViewSet(StudioModelViewSet):
    model = Contract
    icon = "doc-full-inverse"
    menu_label = "Contracts"
    # Issued by services only; a signed contract never changes.
    allowed_actions = ("view",)
    inspect_view_class = ContractInspectView
    inspect_view_enabled = True
    list_display = ["title", "client", "version", "status", "created_at"]
    search_fields = ["title", "client__name", "client__email"]
    filterset_class = ContractFilterSet
    form_fields = ["title"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(queryset=Contract.objects.select_related("client"), **kwargs)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "<int:pk>/countersign/",
                self.action(do_countersign, "Countersigned: the PDF is on its way to you both."),
                name="countersign",
            ),
            path(
                "<int:pk>/void/",
                self.action(lambda c, r: void_contract(c, user=r.user), "Contract voided."),
                name="void",
            ),
            path(
                "<int:pk>/new-version/", self.action(do_new_version, "New version issued and sent."), name="new_version"
            ),
            path("<int:pk>/pdf/", self.pdf_view, name="pdf"),
        ]

    def _get(self, request, pk) -> Contract:
        contract = get_object_or_404(Contract.objects.select_related("studio", "client", "booking"), pk=pk)
        if not user_owns(request.user, contract):
            raise Http404
        return contract

    def action(self, operation, success: str):
        @require_POST
        def view(request, pk):
            contract = self._get(request, pk)
            try:
                result = operation(contract, request)
            except (SigningError, ValueError) as exc:
                messages.error(request, getattr(exc, "message", str(exc)))
                return redirect("contracts:inspect", pk)
            messages.success(request, success)
            # A new version is a new contract; countersigning returns the signature, whose pk is not a contract's.
            return redirect("contracts:inspect", result.pk if isinstance(result, Contract) else pk)

        return view

    @property
    def pdf_view(self):
        def view(request, pk):
            contract = self._get(request, pk)
            if not contract.pdf:
                raise Http404("The PDF is made once both parties have signed.")
            return FileResponse(contract.pdf.open("rb"), as_attachment=True, filename=f"{contract}.pdf")

        return view


def do_countersign(contract, request):
    return countersign(
        contract,
        user=request.user,
        typed_name=request.POST.get("typed_name", ""),
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def do_new_version(contract, request):
    if contract.template is None:
        raise ValueError("This contract's template was deleted; issue a new one from the booking.")
    return issue_contract(contract.booking, contract.template, user=request.user)


# --- "Issue contract" on a booking's page (bookings' admin reads this hook; it imports no contracts code) ---


def do_issue_contract(booking, request):
    template = booking.session_type.contract_template
    if template is None:
        raise ValueError("Choose a contract template for this session type first.")
    issue_contract(booking, template, user=request.user)


def issue_contract_label(booking) -> str | None:
    if booking.session_type.contract_template is None:
        return None
    return "Issue a new version of the contract" if booking.contracts.exists() else "Issue contract"


@hooks.register(BOOKING_ACTIONS_HOOK)
def register_issue_contract_action():
    return [
        BookingAction(
            name="issue_contract",
            path="issue-contract",
            operation=do_issue_contract,
            success="Contract issued and sent.",
            label=issue_contract_label,
        )
    ]


class ContractsGroup(ViewSetGroup):
    menu_label = "Contracts"
    menu_icon = "doc-full"
    menu_order = 230
    items = (ContractViewSet("contracts"), ContractTemplateViewSet("contract_templates"))


@hooks.register("register_admin_viewset")
def register_contracts():
    return ContractsGroup()


@hooks.register("register_studio_dashboard_panel")
def unsigned_contracts_panel(request, studio):
    return UnsignedContractsPanel(studio, request)


# The booking e-mail lists "sign your contract" first, then billing's "pay your invoice" (order=20).
hooks.register("booking_next_steps", booking_next_steps, order=10)


@hooks.register("register_email_templates")
def contract_email_templates():
    return EMAIL_SPECS
