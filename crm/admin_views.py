"""To-dos and questionnaires in the Wagtail admin: studio-scoped listings (StudioModelViewSet), the
"Done" button of the dashboard's to-do panel and the "Send a questionnaire" button of the client page."""

from datetime import UTC

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn

from studios.admin_viewsets import (
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    StudioModelViewSet,
    StudioOwnedAdminForm,
    user_owns,
)
from studios.errors import DomainError
from studios.tenancy import admin_studio

from .models import Client, Questionnaire, Todo
from .questionnaires import send_questionnaire
from .todos import complete_todo


class InStudioZoneMixin:
    """Dates typed and shown in the studio's time zone (stored in UTC): the response is rendered inside."""

    def dispatch(self, request, *args, **kwargs):
        studio = admin_studio(request)
        with timezone.override(studio.tz if studio else UTC):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response


class TodoIndexView(InStudioZoneMixin, ScopedIndexView):
    pass


class TodoCreateView(InStudioZoneMixin, ScopedCreateView):
    pass


class TodoEditView(InStudioZoneMixin, ScopedEditView):
    pass


class TodoAdminForm(StudioOwnedAdminForm):
    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Write what has to be done.")
        return title


class DoneColumn(Column):
    def get_value(self, instance):
        return f"Done {timezone.localtime(instance.done_at):%d %b %Y %H:%M}" if instance.done_at else "Open"


class DueColumn(Column):
    def get_value(self, instance):
        if not instance.due_at:
            return "—"
        overdue = " (overdue)" if instance.is_overdue else ""
        return f"{timezone.localtime(instance.due_at):%a %d %b %Y %H:%M}{overdue}"


class TodoViewSet(StudioModelViewSet):
    model = Todo
    icon = "tasks"
    menu_label = "To-dos"
    index_view_class = TodoIndexView
    add_view_class = TodoCreateView
    edit_view_class = TodoEditView
    list_display = [
        TitleColumn("title", label="To-do", url_name="todos:edit"),
        "client",
        DueColumn("due_at", label="Due", sort_key="due_at"),
        DoneColumn("done_at", label="Status", sort_key="done_at"),
    ]
    list_filter = ["done_at"]
    search_fields = ["title", "notes", "client__name"]
    ordering = ["done_at", "due_at"]
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldRowPanel([FieldPanel("client"), FieldPanel("due_at")]), FieldPanel("notes")],
        base_form_class=TodoAdminForm,
    )

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<int:pk>/done/", done_view, name="done")]


@require_POST
def done_view(request, pk):
    """The dashboard's "Done" button: only for a to-do of the photographer's own studio (else 404)."""
    todo = get_object_or_404(Todo, pk=pk)
    if not user_owns(request.user, todo):
        raise Http404
    complete_todo(todo, by=request.user)
    messages.success(request, f"Done: {todo.title}")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "wagtailadmin_home"
    return redirect(target)


class QuestionnaireAdminForm(StudioOwnedAdminForm):
    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        taken = Questionnaire.objects.filter(studio_id=self.studio_id, name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("You already have a questionnaire with this name.")
        return name


class QuestionnaireViewSet(StudioModelViewSet):
    model = Questionnaire
    icon = "form"
    menu_label = "Questionnaires"
    list_display = [
        TitleColumn("name", label="Name", url_name="questionnaires:edit"),
        Column("question_count", label="Questions", accessor="question_count"),
        "updated_at",
    ]
    search_fields = ["name", "intro"]
    ordering = ["name"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("intro"), FieldPanel("questions")],
        base_form_class=QuestionnaireAdminForm,
    )


@require_POST
def send_questionnaire_view(request, pk):
    """The client page's "Send a questionnaire": the studio's questionnaire to the studio's client."""
    client = get_object_or_404(Client, pk=pk)
    if not user_owns(request.user, client):
        raise Http404
    chosen = request.POST.get("questionnaire", "")
    questionnaire = (
        Questionnaire.objects.filter(studio_id=client.studio_id, pk=int(chosen)).first()
        if chosen.isdigit() and len(chosen) < 18
        else None
    )
    if questionnaire is None:
        messages.error(request, "Choose one of your questionnaires.")
    else:
        try:
            send_questionnaire(client.studio, client, questionnaire, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"“{questionnaire.name}” sent to {client.email}.")
    return redirect("clients:inspect", client.pk)
