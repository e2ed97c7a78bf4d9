"""Studio-scoped Wagtail admin viewsets for tenant-owned models (CRM, bookings, contracts, developers).

Wagtail scopes a viewset's listing only (wagtail#10746): edit, delete, inspect, history, usage and copy
URLs load any row by primary key. Every view class here checks the object's studio, forms offer only the
studio's rows in their choice fields, new rows are stamped with the studio, and membership of a studio is
the permission (no per-model Django permissions to provision). Platform superusers see every studio."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from .tenancy import admin_studio, studios_for_user


def user_studio_ids(user) -> list[int]:
    return [s.pk for s in studios_for_user(user)] if user.is_authenticated else []


def user_owns(user, obj) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or obj.studio_id in user_studio_ids(user)))


def scope_queryset(queryset: QuerySet, user) -> QuerySet:
    if user.is_superuser:
        return queryset
    return queryset.filter(studio_id__in=user_studio_ids(user))


def _is_studio_owned(model) -> bool:
    return any(f.name == "studio" for f in model._meta.get_fields())


class StudioMenuItem(MenuItem):
    """A menu item for screens about one studio: shown to whoever is working in one."""

    def is_shown(self, request):
        return admin_studio(request) is not None


class StudioMemberPermissionPolicy(BasePermissionPolicy):
    """Members of a studio may do everything (or the given `actions`) with their studio's rows, nothing with others'."""

    def __init__(self, model, actions: tuple[str, ...] | None = None):
        super().__init__(model)
        self.actions = actions

    def _allows(self, action) -> bool:
        return self.actions is None or action in self.actions

    def user_has_permission(self, user, action):
        return bool(self._allows(action) and user.is_active and (user.is_superuser or user_studio_ids(user)))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(memberships__isnull=False), is_active=True)
            .distinct()
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return self._allows(action) and user_owns(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self._allows(action) for action in actions) and user_owns(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        return scope_queryset(self.model._default_manager.all(), user)

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions).filter(
            Q(is_superuser=True) | Q(memberships__studio_id=instance.studio_id)
        )


def scope_choice_fields(form, studio_ids) -> None:
    """Choice fields over studio-owned models offer only these studios' rows."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and _is_studio_owned(field.queryset.model):
            field.queryset = field.queryset.filter(studio_id__in=studio_ids)


class StudioOwnedAdminForm(WagtailAdminModelForm):
    """Puts a new row in the photographer's studio and offers only that studio's rows in choosers;
    `self.studio_id` is there for per-studio validation (unique names, e-mails)."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        studio_ids = user_studio_ids(for_user) if for_user is not None else []
        if self.instance.studio_id is None and studio_ids:
            self.instance.studio_id = studio_ids[0]
        self.studio_id = self.instance.studio_id
        scope_choice_fields(self, [self.studio_id])

    def clean(self):
        cleaned = super().clean()
        if self.studio_id is None:
            raise forms.ValidationError("Your account does not belong to a studio.")
        return cleaned


class ScopedFormMixin:
    """For views whose form is a plain ModelForm: choice fields still list only the studio's rows."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.request.user.is_superuser:
            scope_choice_fields(form, user_studio_ids(self.request.user))
        return form


class OwnObjectMixin:
    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if obj is not None and not user_owns(self.request.user, obj):
            raise Http404
        return obj


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scope_queryset(super().get_base_queryset(), self.request.user)


class ScopedCreateView(ScopedFormMixin, generic.CreateView):
    def save_instance(self):
        if self.form.instance.studio_id is None:  # a plain ModelForm: the studio the user is working in
            studio = admin_studio(self.request)
            if studio is None:
                raise PermissionDenied("Choose a studio first: you are not a member of any.")
            self.form.instance.studio = studio
        return super().save_instance()


class ScopedEditView(OwnObjectMixin, ScopedFormMixin, generic.EditView):
    pass


class ScopedDeleteView(OwnObjectMixin, generic.DeleteView):
    pass


class ScopedInspectView(OwnObjectMixin, generic.InspectView):
    pass


class ScopedCopyView(OwnObjectMixin, generic.CopyView):
    pass


class ScopedHistoryView(OwnObjectMixin, history.HistoryView):
    pass


class ScopedUsageView(OwnObjectMixin, usage.UsageView):
    pass


class StudioModelViewSet(ModelViewSet):
    """A ModelViewSet whose every URL is limited to the signed-in photographer's studio."""

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    copy_view_class = ScopedCopyView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    add_to_admin_menu = False

    # None: every action; e.g. ("view", "change") for rows made only by services.
    allowed_actions: tuple[str, ...] | None = None

    @cached_property
    def permission_policy(self):
        return StudioMemberPermissionPolicy(self.model, self.allowed_actions)

    def register_permissions(self):
        # Registered before Wagtail's own registration, which would otherwise warn and fall back.
        register_permission_policy(self.model, self.permission_policy, exact_class=True)
        super().register_permissions()


def user_may_browse(user, page) -> bool:
    """May this admin user see `page` in the page chooser?"""
    if user.is_superuser or page.depth == 1:
        return True
    return any(s.home_page_id and page.path.startswith(s.home_page.path) for s in studios_for_user(user))
