"""`StudioModelViewSet`: a Wagtail ModelViewSet whose every view starts from the studio.

Scoping a viewset's listing is not enough (wagtail#10746): edit, delete, inspect,
history and usage URLs open any row by id. Here every view class narrows its
queryset to the photographer's studios, forms only offer the studio's rows in
their choice fields, and new rows are stamped with the studio. Members of a
studio may manage its rows; platform superusers see every studio."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.shortcuts import get_object_or_404
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from .tenancy import admin_studio, studios_for_user


def scope_to_user(queryset: QuerySet, user) -> QuerySet:
    if user.is_superuser:
        return queryset
    return queryset.filter(studio__in=studios_for_user(user))


def _has_studio_field(model) -> bool:
    return any(f.name == "studio" for f in model._meta.get_fields())


class StudioMemberPermissionPolicy(BasePermissionPolicy):
    """Any member of a studio may manage that studio's rows of this model."""

    def user_has_permission(self, user, action):
        return user.is_active and (user.is_superuser or bool(studios_for_user(user)))

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_active=True, memberships__isnull=False).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return user.is_superuser or instance.studio_id in {s.pk for s in studios_for_user(user)}

    def instances_user_has_permission_for(self, user, action):
        return scope_to_user(self.model._default_manager.all(), user)

    def users_with_permission_for_instance(self, action, instance):
        return self.users_with_any_permission([action]).filter(memberships__studio_id=instance.studio_id)


class StudioFormMixin:
    """Choice fields list only the studio's rows; new rows belong to the studio."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            if isinstance(field, ModelChoiceField) and _has_studio_field(field.queryset.model):
                field.queryset = scope_to_user(field.queryset, self.request.user)
        return form


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scope_to_user(super().get_base_queryset(), self.request.user)


class ScopedCreateView(StudioFormMixin, generic.CreateView):
    def save_instance(self):
        studio = admin_studio(self.request)
        if studio is None:
            raise PermissionDenied("Choose a studio first: you are not a member of any.")
        instance = self.form.save(commit=False)
        instance.studio = studio
        instance.save()
        self.form.save_m2m()
        return instance


class ScopedEditView(StudioFormMixin, generic.EditView):
    def get_queryset(self):
        return scope_to_user(self.model._default_manager.all(), self.request.user)


class ScopedDeleteView(generic.DeleteView):
    def get_queryset(self):
        return scope_to_user(self.model._default_manager.all(), self.request.user)


class ScopedInspectView(generic.InspectView):
    # Wagtail's InspectView fetches by pk from the model, not from get_queryset.
    def get_object(self, queryset=None):
        return get_object_or_404(scope_to_user(self.model._default_manager.all(), self.request.user), pk=self.pk)


class ScopedHistoryView(history.HistoryView):
    def get_base_object_queryset(self):
        return scope_to_user(super().get_base_object_queryset(), self.request.user)


class ScopedUsageView(usage.UsageView):
    def get_base_object_queryset(self):
        return scope_to_user(super().get_base_object_queryset(), self.request.user)


class StudioModelViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False

    def register_permissions(self):
        register_permission_policy(self.model, StudioMemberPermissionPolicy(self.model), exact_class=True)
        super().register_permissions()
