"""Settings → Studio settings and Settings → Team."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from billing.limits import is_read_only
from galleries.tasks import rerender_studio
from studios.dashboard import studio_site_url
from studios.models import Membership, StudioDomain
from studios.tenancy import admin_studio

from . import team
from .domains import AddDomainForm, remove_domain, verification_record
from .profile import StudioProfileForm
from .summary import settings_summary

# --- Settings → Studio settings ------------------------------------------------------------------


class StudioSettingsMixin:
    """The photographer's own studio; an admin user who belongs to none has nothing to set."""

    def dispatch(self, request, *args, **kwargs):
        self.studio = admin_studio(request)
        if self.studio is None:
            raise PermissionDenied("Studio settings are for members of a studio.")
        return super().dispatch(request, *args, **kwargs)


class StudioSettingsView(StudioSettingsMixin, WagtailAdminTemplateMixin, TemplateView):
    """One page: profile, branding and region (a form), custom domains, and cards for the other settings."""

    page_title = "Studio settings"
    header_icon = "site"
    template_name = "cms/admin/studio_settings.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, profile_form=None, domain_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        domains = StudioDomain.objects.for_studio(self.studio).order_by("hostname")
        context.update(
            studio=self.studio,
            profile_form=profile_form or StudioProfileForm(studio=self.studio),
            domain_form=domain_form or AddDomainForm(studio=self.studio),
            domains=[(d, verification_record(d)) for d in domains],
            summary=settings_summary(self.studio),
            site_url=studio_site_url(self.studio, self.request),
        )
        context["media"] = context["profile_form"].media
        return context

    def post(self, request):
        form = StudioProfileForm(request.POST, studio=self.studio)
        if not form.is_valid():
            messages.error(request, "The studio settings could not be saved: see the errors below.")
            return self.render_to_response(self.get_context_data(profile_form=form), status=400)
        form.save()
        if "keep_copyright_metadata" in form.changed_data:
            # Every client file changes (galleries.renditions): the galleries' photos are made again.
            rerender_studio(self.studio)
        messages.success(request, "Studio settings saved. Your site shows the changes now.")
        return redirect("cms_studio_settings")


class AddStudioDomainView(StudioSettingsView):
    def get(self, request):
        return redirect("cms_studio_settings")

    def post(self, request):
        form = AddDomainForm(request.POST, studio=self.studio)
        domain = form.save() if form.is_valid() else None
        if domain is None:
            messages.error(request, "The domain was not added: see the reason under Custom domains.")
            return self.render_to_response(self.get_context_data(domain_form=form), status=400)
        messages.success(request, f"{domain.hostname} added. Add the DNS record shown to have it verified.")
        return redirect(reverse("cms_studio_settings") + "#domains")


class RemoveStudioDomainView(StudioSettingsMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Remove domain"
    header_icon = "bin"
    template_name = "cms/admin/remove_domain.html"

    def get_breadcrumbs_items(self):
        settings_page = {"url": reverse("cms_studio_settings"), "label": "Studio settings"}
        return self.breadcrumbs_items + [settings_page, {"url": "", "label": self.page_title}]

    def domain(self, pk) -> StudioDomain:
        return get_object_or_404(StudioDomain.objects.for_studio(self.studio), pk=pk)

    def get(self, request, pk):
        return self.render_to_response(self.get_context_data(domain=self.domain(pk), studio=self.studio))

    def post(self, request, pk):
        domain = self.domain(pk)
        try:
            remove_domain(self.studio, domain)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{domain.hostname} removed: your site no longer answers there.")
        return redirect(reverse("cms_studio_settings") + "#domains")


# --- Settings → Team ---------------------------------------------------------------------------


def only_owners(request):
    # A plain 403: Wagtail turns PermissionDenied into a redirect to the dashboard, which hides the refusal.
    return HttpResponseForbidden("Only the studio's owners can change its team.")


class TeamMixin(StudioSettingsMixin):
    """Every member sees the team; only owners may change it (a staff member's POST is 403)."""

    def dispatch(self, request, *args, **kwargs):
        studio = admin_studio(request)
        if request.method == "POST" and studio is not None and not team.may_manage_team(studio, request.user):
            return only_owners(request)
        return super().dispatch(request, *args, **kwargs)

    def member(self, pk) -> Membership:
        try:
            return team.team_member(self.studio, pk)
        except Membership.DoesNotExist:
            raise Http404("No such team member.") from None

    def get_breadcrumbs_items(self):
        crumbs = [{"url": reverse("cms_team"), "label": "Team"}] if self.page_title != "Team" else []
        return self.breadcrumbs_items + crumbs + [{"url": "", "label": self.page_title}]


class TeamView(TeamMixin, WagtailAdminTemplateMixin, TemplateView):
    """The studio's members with their roles, the seats the plan includes, and (for owners) invite / change / remove."""

    page_title = "Team"
    header_icon = "group"
    template_name = "cms/admin/team.html"

    def get_context_data(self, invite_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        may_manage = team.may_manage_team(self.studio, self.request.user)
        context.update(
            studio=self.studio,
            members=team.team_members(self.studio),
            seats=team.seats(self.studio),
            may_manage=may_manage,
            read_only=is_read_only(self.studio),
            invite_form=invite_form or team.InviteMemberForm(studio=self.studio, invited_by=self.request.user),
            roles=Membership.Role.choices,
        )
        return context

    def post(self, request):
        form = team.InviteMemberForm(request.POST, studio=self.studio, invited_by=request.user)
        membership = form.save() if form.is_valid() else None
        if membership is None:
            messages.error(request, "Nobody was invited: see the reason below.")
            return self.render_to_response(self.get_context_data(invite_form=form), status=400)
        messages.success(
            request, f"{membership.user.email} is now {membership.get_role_display().lower()} and has been e-mailed."
        )
        return redirect("cms_team")


class ChangeTeamRoleView(TeamMixin, View):
    def post(self, request, pk):
        membership = self.member(pk)
        form = team.ChangeRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose owner or staff.")
            return redirect("cms_team")
        try:
            membership = team.change_role(self.studio, membership, form.cleaned_data["role"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{membership.user.email} is now {membership.get_role_display().lower()}.")
        return redirect("cms_team")


class RemoveTeamMemberView(TeamMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Remove team member"
    header_icon = "bin"
    template_name = "cms/admin/team_remove.html"

    def get(self, request, pk):
        if not team.may_manage_team(self.studio, request.user):
            return only_owners(request)
        return self.render_to_response(self.get_context_data(membership=self.member(pk), studio=self.studio))

    def post(self, request, pk):
        membership = self.member(pk)
        try:
            team.remove_from_team(self.studio, membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{membership.user.email} no longer has access to {self.studio.name}.")
        return redirect("cms_team")
