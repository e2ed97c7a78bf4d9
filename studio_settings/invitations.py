"""The e-mail that invites someone to a studio's team."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from studios.models import Membership
from studios.outbox import queue_studio_mail


def password_setup_link(user) -> str:
    """Wagtail's own password-reset page, with a one-time token: the invitee chooses their password there."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("wagtailadmin_password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    return settings.WAGTAILADMIN_BASE_URL + path


def send_invitation(membership: Membership, *, invited_by) -> None:
    """Someone who has never set a password gets a link to set one; others are told to sign in as usual.
    Queued in the outbox (sent after commit, retried on failure), once per seat."""
    user = membership.user
    context = {
        "studio": membership.studio,
        "role": membership.get_role_display(),
        "invited_by": invited_by.get_full_name() or invited_by.email,
        "email": user.email,
        "setup_link": None if user.has_usable_password() else password_setup_link(user),
        "admin_url": settings.WAGTAILADMIN_BASE_URL + reverse("wagtailadmin_home"),
    }
    key = f"membership:{membership.pk}:team_invite"
    queue_studio_mail(membership.studio, [user.email], "team_invite", context, key=key)
