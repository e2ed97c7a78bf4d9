"""Settings → E-mail templates: the studio's wording of every e-mail the platform sends in its name
(studios.emails), edited in a studio-scoped viewset, previewed with a sample client.

A row per registered e-mail is made when the studio first opens the list, so the list is always complete;
rows are never added or deleted by hand. A row the studio has not changed `follows_default`: what is sent is
the platform's current default (studios.emails.wording), and the list and the form show it. Saving a wording
that differs from the default makes it the studio's own; saving the default as it is, or "Reset to default",
makes the row follow the default again. Another studio's row is 404 (StudioModelViewSet)."""

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
    """A row for every registered e-mail the studio has none for, following the platform's default; rows that
    follow the default get its current wording (the default changed since they were shown)."""
    specs = email_specs()
    rows = list(EmailTemplate.objects.for_studio(studio).only("pk", "key", "subject", "body", "follows_default"))
    have = {row.key for row in rows}
    missing = [spec for key, spec in specs.items() if key not in have]
    if missing:
        EmailTemplate.objects.bulk_create(
            [
                EmailTemplate(studio=studio, key=s.key, subject=s.subject, body=s.body, follows_default=True)
                for s in missing
            ],
            ignore_conflicts=True,
        )
    stale = [row for row in rows if row.follows_default and follow_default(row)]
    if stale:
        EmailTemplate.objects.bulk_update(stale, ["subject", "body"])


def follow_default(row: EmailTemplate) -> bool:
    """Give a row that follows the default the default's current wording (unsaved); True if it changed."""
    spec = email_spec(row.key)
    if spec is None or not row.follows_default or (row.subject, row.body) == (spec.subject, spec.body):
        return False
    row.subject, row.body = spec.subject, spec.body
    return True


class EmailTemplateForm(StudioOwnedAdminForm):
    """Subject and body must pass the sandbox with this e-mail's variables. A row that follows the default
    shows the default's current wording; saved, it stays the default's unless its wording differs."""

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and instance.pk:
            follow_default(instance)
        super().__init__(*args, instance=instance, **kwargs)

    def save(self, commit=True):
        spec = email_spec(self.instance.key)
        self.instance.follows_default = spec is not None and (self.instance.subject, self.instance.body) == (
            spec.subject,
            spec.body,
        )
        return super().save(commit=commit)

    def clean(self):
        cleaned = super().clean()
        spec = email_spec(self.instance.key)
        if spec is None:
            raise forms.ValidationError("This e-mail is no longer sent by the platform.")
        if cleaned.get("body") is not None:
            cleaned["body"] = cleaned["body"].replace("\r\n", "\n")  # a browser's line breaks
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


class WordingColumn(Column):
    def get_value(self, instance):
        return "Platform default" if instance.follows_default else "Your own"


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
    follow_default(row)
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
        row.subject, row.body, row.follows_default = spec.subject, spec.body, True
        row.save(update_fields=["subject", "body", "follows_default", "updated_at"])
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
        WordingColumn("follows_default", label="Wording"),
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
