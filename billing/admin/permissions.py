"""Who may do what with invoices and Stripe events in the admin."""

from wagtail.permission_policies.base import BasePermissionPolicy

from studios.admin_viewsets import StudioMemberPermissionPolicy

from ..models import Invoice


class InvoicePermissionPolicy(StudioMemberPermissionPolicy):
    """Any member of a studio manages that studio's invoices; a draft is the only kind you edit or delete."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not super().user_has_permission_for_instance(user, action, instance):
            return False
        return action not in ("change", "delete") or instance.status == Invoice.Status.DRAFT

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)


class PlatformStaffPolicy(BasePermissionPolicy):
    """The Stripe event ledger is the platform's, not a studio's: superusers may look, nobody edits."""

    def user_has_permission(self, user, action):
        return user.is_active and user.is_superuser and action == "view"

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
