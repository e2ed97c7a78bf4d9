"""Settings → E-mail templates: the studio's wording of every e-mail the platform sends in its name
(studios.emails), edited in a studio-scoped viewset, previewed with a sample client.

A row per registered e-mail is made when the studio first opens the list (with the platform's default), so
the list is always complete; rows are never added or deleted by hand, and "Reset to default" puts the
platform's wording back. Another studio's row is 404 (StudioModelViewSet)."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail.admin.panels import FieldPanel, HelpPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn, UpdatedAtColumn

from . import sandbox
from .admin_viewsets import ScopedIndexView, StudioModelViewSet, StudioOwnedAdminForm, scope_queryset
from .emails import email_spec, email_specs, preview
from .models import EmailTemplate, Studio
from .tenancy import admin_studio


def ensure_templates(studio: Studio) -> None:
    """A row for every registered e-mail the studio has none for, with the platform's default wording."""
    have = set(EmailTemplate.objects.for_studio(studio).values_list("key", flat=True))
    missing = [spec for key, spec in email_specs().items() if key not in have]
    if missing:
        EmailTemplate.objects.bulk_create(
            [EmailTemplate(studio=studio, key=s.key, subject=s.subject, body=s.body) for s in missing],
            ignore_conflicts=True,
        )


class EmailTemplateForm(StudioOwnedAdminForm):
    """Subject and body must pass the sandbox with this e-mail's variables."""

    def clean(self):
        cleaned = super().clean()
        spec = email_spec(self.instance.key)
        if spec is None:
            raise forms.ValidationError("This e-mail is no longer sent by the platform.")
        for name in ("subject", "body"):
            text = cleaned.get(name)
            if text is not None:
                for error in sandbox.check(text, spec.all_variables):
                    self.add_error(name, error)
        return cleaned


class EmailTemplateIndexView(ScopedIndexView):
    def get(self, request, *args, **kwargs):
        studio = admin_studio(request)
        if studio is not None:
            ensure_templates(studio)
        return super().get(request, *args, **kwargs)


def label(row: EmailTemplate) -> str:
    spec = email_spec(row.key)
    return spec.label if spec else row.key


class LabelColumn(TitleColumn):
    def get_value(self, instance):
        return label(instance)


def _variables_help(instance) -> str:
    spec = email_spec(instance.key) if instance is not None else None
    if spec is None:
        return ""
    listed = "".join(f"<li><code>{{{{ {name} }}}}</code> — {text}</li>" for name, text in spec.all_variables.items())
    kind = (
        "Marketing-type: clients can unsubscribe with one click."
        if spec.marketing
        else "Transactional: always sent (except to addresses that bounced)."
    )
    buttons = ""
    if instance.pk:
        preview_url = reverse("email_templates:preview", args=[instance.pk])
        reset_url = reverse("email_templates:reset", args=[instance.pk])
        buttons = (
            f'<p><button type="submit" class="button button-secondary" formaction="{preview_url}" '
            f'formtarget="_blank" formnovalidate>Preview with a sample client</button> '
            f'<button type="submit" class="button button-secondary no" formaction="{reset_url}" '
            f"formnovalidate>Reset to default</button></p>"
        )
    return (
        f"<p>{kind} A line whose variables are all empty is left out. A blank line starts a new paragraph; "
        f"web addresses become links in the HTML part.</p><ul>{listed}</ul>{buttons}"
    )


class VariablesPanel(HelpPanel):
    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # Names and descriptions come from the code's registry, not from anyone's input.
            self.content = _variables_help(self.instance)
            self.heading = "Variables"


def preview_view(request, pk: int):
    """The e-mail as a sample client gets it: the saved wording (GET) or the form's unsaved one (POST)."""
    row = get_object_or_404(scope_queryset(EmailTemplate.objects.select_related("studio"), request.user), pk=pk)
    spec = email_spec(row.key)
    if spec is None:
        raise Http404
    subject, body = row.subject, row.body
    if request.method == "POST":
        subject, body = request.POST.get("subject", subject), request.POST.get("body", body)
    errors = sandbox.check_all([subject, body], spec.all_variables)
    rendered = None if errors else preview(row.studio, spec, subject=subject, body=body)
    context = {
        "row": row,
        "spec": spec,
        "errors": errors,
        "rendered": rendered,
        "header_title": f"Preview: {label(row)}",
    }
    return TemplateResponse(request, "studios/admin/email_preview.html", context)


def reset_view(request, pk: int):
    row = get_object_or_404(scope_queryset(EmailTemplate.objects.all(), request.user), pk=pk)
    spec = email_spec(row.key)
    if request.method != "POST" or spec is None:
        raise Http404
    with transaction.atomic():
        row.subject, row.body = spec.subject, spec.body
        row.save(update_fields=["subject", "body", "updated_at"])
    messages.success(request, f"“{label(row)}” is back to the platform's wording.")
    return redirect(reverse("email_templates:edit", args=[row.pk]))


class EmailTemplateViewSet(StudioModelViewSet):
    model = EmailTemplate
    name = "email_templates"
    url_prefix = "email-templates"
    icon = "mail"
    menu_label = "E-mail templates"
    menu_order = 47
    add_to_settings_menu = True
    # Rows come from the registry (ensure_templates): edited, never added or deleted by hand.
    allowed_actions = ("view", "change")
    index_view_class = EmailTemplateIndexView
    list_display = [
        LabelColumn("key", label="E-mail", url_name="email_templates:edit"),
        Column("subject"),
        UpdatedAtColumn(),
    ]
    search_fields = ["subject", "body"]
    edit_handler = ObjectList(
        [FieldPanel("subject"), FieldPanel("body"), VariablesPanel()], base_form_class=EmailTemplateForm
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/preview/", preview_view, name="preview"),
            path("<int:pk>/reset/", reset_view, name="reset"),
        ]
