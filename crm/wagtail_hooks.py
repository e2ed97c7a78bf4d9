"""CRM in the Wagtail admin: clients (listing, search, filters, CSV export, a detail page with the timeline)."""

import contextlib

import django_filters
from django import forms
from django.apps import apps
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_GET, require_POST
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup

from studios import suppression
from studios.admin_viewsets import (
    ScopedInspectView,
    StudioModelViewSet,
    StudioOwnedAdminForm,
    scope_queryset,
    user_owns,
)
from studios.models import EmailRecipient

from . import client_emails, lifecycle, portal
from .activity import add_note
from .admin_views import QuestionnaireViewSet, TodoViewSet, send_questionnaire_view
from .dashboard import TodoPanel
from .emails import SPECS as EMAIL_SPECS
from .models import Activity, Client, ClientTag, Questionnaire
from .questionnaires import create_session_planning


def parse_tag_names(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())[:60]
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


class ClientAdminForm(StudioOwnedAdminForm):
    tag_names = forms.CharField(
        label="Tags", required=False, help_text="Separate tags with commas, e.g. wedding 2027, referral"
    )

    marketing_emails = forms.BooleanField(
        label="Marketing e-mails",
        required=False,
        initial=True,
        help_text="Reminders and offers (e.g. “gallery closing soon”). Bookings, contracts and invoices always go. "
        "The client can also unsubscribe with one click from any such e-mail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())
            studio = self.instance.studio
            self.fields["marketing_emails"].initial = not suppression.is_unsubscribed(studio, self.instance.email)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        taken = Client.objects.filter(studio_id=self.studio_id, email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Another client of your studio already has this e-mail address.")
        return email

    def save(self, commit=True):
        old_stage = self.initial.get("stage") if self.instance.pk else None
        client = super().save(commit=commit)
        if commit:
            self.save_tags(client)
            self.save_preference(client)
            if old_stage:  # set by hand: on the timeline, and "stage changed" workflows hear it
                lifecycle.stage_was_set(client, old_stage, because="hand", user=getattr(self, "for_user", None))
        return client

    def save_preference(self, client):
        """The client's wish, per studio and address (studios.suppression); a change lands on the timeline."""
        wants = self.cleaned_data.get("marketing_emails", True)
        if wants:
            suppression.resubscribe(client.studio, client.email)
        else:
            suppression.unsubscribe(client.studio, client.email)

    def save_tags(self, client):
        tags = []
        for name in parse_tag_names(self.cleaned_data.get("tag_names", "")):
            tag = ClientTag.objects.filter(studio_id=client.studio_id, name__iexact=name).first()
            tags.append(tag or ClientTag.objects.create(studio_id=client.studio_id, name=name))
        client.tags.set(tags, through_defaults={"studio_id": client.studio_id})


def own_tags(request):
    if request is None:
        return ClientTag.objects.none()
    return scope_queryset(ClientTag.objects.all(), request.user)


class ClientFilterSet(WagtailFilterSet):
    stage = django_filters.ChoiceFilter(choices=Client.Stage.choices)
    tags = django_filters.ModelChoiceFilter(queryset=own_tags, label="Tag")
    created_at = django_filters.DateFromToRangeFilter(label="Added", widget=DateRangePickerWidget)

    class Meta:
        model = Client
        fields = ["stage", "tags", "created_at"]


class TagsColumn(Column):
    def get_value(self, instance):
        return ", ".join(t.name for t in instance.tags.all())


class ClientInspectView(ScopedInspectView):
    """The client page: details, timeline, bookings, contracts, and invoices/galleries when those apps exist."""

    template_name = "crm/client_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client = self.object
        context["client"] = client
        activities = list(client.activities.select_related("created_by")[:200])
        for activity in activities:
            activity.links = activity_links(activity.data or {})
            if activity.kind == Activity.Kind.QUESTIONNAIRE_ANSWERED:
                activity.answers = [a for a in (activity.data or {}).get("answers", []) if isinstance(a, dict)]
        context["activities"] = client_emails.timeline(client, activities)
        context["edit_url"] = reverse("clients:edit", args=[client.pk])
        context["bookings"] = client.bookings.select_related("session_type").order_by("-start")
        context["contracts"] = related_rows("contracts", "Contract", client)
        context["invoices"] = related_rows("billing", "Invoice", client)
        context["galleries"] = related_rows("galleries", "Gallery", client)
        context["note_url"] = reverse("clients:note", args=[client.pk])
        context["portal_link_url"] = reverse("clients:portal_link", args=[client.pk])
        context["questionnaire_requests"] = list(client.questionnaire_requests.all()[:50])
        context["questionnaires"] = list(Questionnaire.objects.for_studio(client.studio).only("pk", "name"))
        context["send_questionnaire_url"] = reverse("clients:send_questionnaire", args=[client.pk])
        context["open_todos"] = list(client.todos.filter(done_at__isnull=True).order_by("due_at", "pk")[:20])
        recipients = EmailRecipient.objects.for_studio(client.studio)
        context["email_status"] = recipients.filter(address=client.email.lower()).first()
        context["client_sections"] = client_page_sections(self.request, client)
        return context


# Higher apps add a section to the client's page (crm imports none of them): `fn(request, client)` returns the
# section's HTML, or "" for none (workflows: the client's automation runs).
CLIENT_SECTIONS_HOOK = "register_client_page_section"


def client_page_sections(request, client) -> list[str]:
    return [html for fn in hooks.get_hooks(CLIENT_SECTIONS_HOOK) if (html := fn(request, client))]


# What a timeline line links to, by the key its event recorded (crm imports none of these apps: URL names only).
ACTIVITY_LINKS = [
    ("booking", "Booking", "bookings:inspect"),
    ("contract", "Contract", "contracts:inspect"),
    ("invoice", "Invoice", "billing_invoice:inspect"),
    ("gallery", "Gallery", "wagtailadmin_pages:edit"),
]


def activity_links(data: dict) -> list[tuple[str, str]]:
    links = []
    for key, label, url_name in ACTIVITY_LINKS:
        pk = data.get(key)
        if isinstance(pk, int):
            with contextlib.suppress(NoReverseMatch):  # that app is not installed
                links.append((label, reverse(url_name, args=[pk])))
    return links


def related_rows(app_label: str, model_name: str, client) -> list | None:
    """Another app's rows for this client, or None when that app (or its model) is not there yet."""
    if not apps.is_installed(app_label):
        return None
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    if not any(f.name == "client" for f in model._meta.get_fields()):
        return None
    return list(model.objects.filter(client=client, studio_id=client.studio_id)[:50])


class ClientViewSet(StudioModelViewSet):
    model = Client
    icon = "user"
    menu_label = "Clients"
    inspect_view_class = ClientInspectView
    inspect_view_enabled = True
    # The name opens the client's page (details and timeline); editing is a button there.
    list_display = [
        TitleColumn("name", label="Name", url_name="clients:inspect", sort_key="name"),
        "email",
        "stage",
        TagsColumn("tags", label="Tags"),
        "created_at",
    ]
    list_export = [
        "name",
        "email",
        "phone",
        "address",
        "get_stage_display",
        "tag_list",
        "source",
        "notes",
        "created_at",
    ]
    export_headings = {"get_stage_display": "Stage", "tag_list": "Tags", "created_at": "Added"}
    export_filename = "clients"
    search_fields = ["name", "email", "phone", "notes"]
    filterset_class = ClientFilterSet
    ordering = ["name"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("email")]),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("stage")]),
            FieldPanel("address"),
            FieldPanel("tag_names"),
            FieldPanel("marketing_emails"),
            FieldPanel("source"),
            FieldPanel("notes"),
        ],
        base_form_class=ClientAdminForm,
    )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(queryset=Client.objects.prefetch_related("tags"), **kwargs)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/note/", self.note_view, name="note"),
            path("<int:pk>/portal-link/", self.portal_link_view, name="portal_link"),
            path("<int:pk>/questionnaire/", send_questionnaire_view, name="send_questionnaire"),
            path("<int:pk>/emails/<int:email_id>/", self.email_view, name="email"),
        ]

    @property
    def email_view(self):
        """One message the studio sent the client, as it was sent (the timeline's "E-mail" links)."""

        @require_GET
        def view(request, pk, email_id):
            client = get_object_or_404(Client.objects.select_related("studio"), pk=pk)
            if not user_owns(request.user, client):
                raise Http404
            email = client_emails.email_of(client, email_id)
            if email is None:
                raise Http404
            context = {
                "client": client,
                "email": email,
                "client_url": reverse(self.get_url_name("inspect"), args=[client.pk]),
                "page_title": email.subject,
                "header_icon": "mail",
            }
            return TemplateResponse(request, "crm/client_email.html", context)

        return view

    @property
    def portal_link_view(self):
        """ "Send portal link": e-mails the client a one-time sign-in link to their portal (crm.portal)."""

        @require_POST
        def view(request, pk):
            client = get_object_or_404(Client, pk=pk)
            if not user_owns(request.user, client):
                raise Http404
            with transaction.atomic():
                link = portal.invite(client, by=request.user, via="admin")
            minutes = int((link.expires_at - link.created_at).total_seconds() // 60)
            messages.success(
                request, f"Portal sign-in link sent to {client.email} (it works once, for {minutes} minutes)."
            )
            return redirect(self.get_url_name("inspect"), pk)

        return view

    @property
    def note_view(self):
        @require_POST
        def view(request, pk):
            client = get_object_or_404(Client, pk=pk)
            if not user_owns(request.user, client):
                raise Http404
            text = request.POST.get("text", "").strip()
            if text:
                add_note(client, text[:300], user=request.user)
                messages.success(request, "Note added to the timeline.")
            else:
                messages.error(request, "Write something before adding a note.")
            return redirect(self.get_url_name("inspect"), pk)

        return view


class ClientTagAdminForm(StudioOwnedAdminForm):
    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = ClientTag.objects.filter(studio_id=self.studio_id, name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("You already have a tag with this name.")
        return name


class ClientTagViewSet(StudioModelViewSet):
    model = ClientTag
    icon = "tag"
    menu_label = "Client tags"
    list_display = ["name"]
    search_fields = ["name"]
    form_fields = ["name"]

    def get_form_class(self, for_update=False):
        return forms.modelform_factory(ClientTag, form=ClientTagAdminForm, fields=["name"])


class CrmGroup(ViewSetGroup):
    menu_label = "Clients"
    menu_icon = "group"
    menu_order = 210
    items = (
        ClientViewSet("clients"),
        ClientTagViewSet("client_tags"),
        TodoViewSet("todos"),
        QuestionnaireViewSet("questionnaires"),
    )


@hooks.register("register_admin_viewset")
def register_crm():
    return CrmGroup()


@hooks.register("register_email_templates")
def crm_email_templates():
    return EMAIL_SPECS


@hooks.register("register_studio_dashboard_panel")
def todo_panel(request, studio):
    return TodoPanel(studio, request)


@hooks.register("studio_created", order=40)
def add_session_planning_questionnaire(studio, home):
    create_session_planning(studio)  # a new studio has none: no look-up (tests/studios/test_provisioning_scale.py)
