"""Proposals in the Wagtail admin: make one (client, package, time or "client picks", contract, note, expiry),
then Send it from its page; the e-mail is registered so studios can reword it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList

from studios.admin_viewsets import ScopedInspectView, StudioModelViewSet, StudioOwnedAdminForm, user_owns

from .emails import SPECS as EMAIL_SPECS
from .models import Proposal
from .sending import ProposalError, proposal_link, send_proposal, void_proposal


class ProposalInspectView(ScopedInspectView):
    template_name = "proposals/proposal_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        proposal = self.object
        context.update(
            proposal=proposal,
            link=proposal_link(proposal) if proposal.status != Proposal.Status.DRAFT else "",
            send_url=reverse("proposals:send", args=[proposal.pk]),
            void_url=reverse("proposals:void", args=[proposal.pk]),
        )
        return context


class ProposalViewSet(StudioModelViewSet):
    model = Proposal
    icon = "mail"
    menu_label = "Proposals"
    menu_order = 225
    add_to_admin_menu = True
    inspect_view_enabled = True
    inspect_view_class = ProposalInspectView
    list_display = ["__str__", "client", "status", "start", "expires_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["client__name", "client__email", "session_type__name"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("client"), FieldPanel("session_type")]),
            FieldRowPanel([FieldPanel("start"), FieldPanel("expires_at")]),
            FieldPanel("contract_template"),
            FieldPanel("message"),
        ],
        base_form_class=StudioOwnedAdminForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/send/", self.send_view, name="send"),
            path("<int:pk>/void/", self.void_view, name="void"),
        ]

    @property
    def send_view(self):
        @require_POST
        def view(request, pk):
            proposal = get_object_or_404(Proposal.objects.select_related("studio", "client"), pk=pk)
            if not user_owns(request.user, proposal):
                raise Http404
            try:
                send_proposal(proposal, by=request.user)
            except ProposalError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Proposal sent to {proposal.client.email}.")
            return redirect("proposals:inspect", pk)

        return view

    @property
    def void_view(self):
        """ "Withdraw": the client's link then says so and accepting is refused (proposals.sending.void_proposal)."""

        @require_POST
        def view(request, pk):
            proposal = get_object_or_404(Proposal.objects.select_related("studio", "client"), pk=pk)
            if not user_owns(request.user, proposal):
                raise Http404
            try:
                void_proposal(proposal)
            except ProposalError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Proposal withdrawn; {proposal.client.name}'s link now says so.")
            return redirect("proposals:inspect", pk)

        return view


@hooks.register("register_admin_viewset")
def register_proposals():
    return ProposalViewSet("proposals")


@hooks.register("register_email_templates")
def proposal_email_templates():
    return EMAIL_SPECS
