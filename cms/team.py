"""A studio's team (Settings → Team): who works in it, inviting someone by e-mail, changing roles, removing.

Only owners change the team, and a studio always keeps one owner. Seats are counted by the plan
(billing.limits); every function takes the photographer's studio and never looks one up by id."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Membership, Studio
from .provisioning import add_member, remove_member

LAST_OWNER = (
    "A studio needs at least one owner, and this is the only one. Make someone else an owner first, "
    "then change or remove this member."
)


@dataclass(frozen=True)
class Seats:
    used: int
    included: int | None  # None: the plan has no limit

    @property
    def left(self) -> int | None:
        return None if self.included is None else max(self.included - self.used, 0)


def team_members(studio: Studio) -> QuerySet[Membership]:
    return Membership.objects.for_studio(studio).select_related("user").order_by("role", "created_at", "pk")


def team_member(studio: Studio, pk: int) -> Membership:
    """One of the studio's memberships; another studio's is Membership.DoesNotExist (a 404 in views)."""
    return team_members(studio).get(pk=pk)


def seats(studio: Studio) -> Seats:
    from billing import limits

    return Seats(used=limits.usage(studio).staff_seats, included=limits.plan_for(studio).staff_seats)


def may_manage_team(studio: Studio, user) -> bool:
    """Owners change the team; staff only see it. Platform superusers may help any studio."""
    if user.is_superuser:
        return True
    return Membership.objects.for_studio(studio).filter(user=user, role=Membership.Role.OWNER).exists()


def _user_for_email(email: str):
    """The platform user with this e-mail, or a new one who sets a password through the invitation link."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email, email=email)
        user.set_unusable_password()
        user.save()
    return user


def invite_member(studio: Studio, email: str, role: str, *, invited_by) -> Membership:
    """Give the person with `email` a seat (creating their account if need be) and e-mail them.

    Raises ValidationError if they are already in the team, billing.limits.PlanLimitReached when the plan's
    seats are all taken or the subscription has lapsed; nothing is created then."""
    from billing.limits import check_writable

    # Lower case: the username is the e-mail, and signing in matches it exactly on PostgreSQL.
    email = email.strip().lower()
    check_writable(studio)
    if team_members(studio).filter(user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {studio.name}.")
    with transaction.atomic():  # a refused seat takes the new account back with it
        user = _user_for_email(email)
        membership = add_member(studio, user, role)
    from .tasks import send_team_invitation

    transaction.on_commit(lambda: send_team_invitation.delay(membership.pk, invited_by.pk))
    return membership


def change_role(studio: Studio, membership: Membership, role: str) -> Membership:
    with transaction.atomic():
        _lock_team(studio)
        if role != Membership.Role.OWNER and _is_last_owner(studio, membership):
            raise ValidationError(LAST_OWNER)
        return add_member(studio, membership.user, role)


def remove_from_team(studio: Studio, membership: Membership) -> None:
    """Take the member's seat and their access to the studio (its permission group) away."""
    with transaction.atomic():
        _lock_team(studio)
        if _is_last_owner(studio, membership):
            raise ValidationError(LAST_OWNER)
        remove_member(studio, membership.user)


def _lock_team(studio: Studio) -> None:
    # Two owners demoting each other at once must not leave the studio with none.
    Studio.objects.select_for_update().filter(pk=studio.pk).first()


def _is_last_owner(studio: Studio, membership: Membership) -> bool:
    owners = Membership.objects.for_studio(studio).filter(role=Membership.Role.OWNER)
    return membership.role == Membership.Role.OWNER and not owners.exclude(pk=membership.pk).exists()


# --- The invitation e-mail ---------------------------------------------------------------------


def password_setup_link(user) -> str:
    """Wagtail's own password-reset page, with a one-time token: the invitee chooses their password there."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("wagtailadmin_password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    return settings.WAGTAILADMIN_BASE_URL + path


def send_invitation(membership: Membership, *, invited_by) -> None:
    """Someone who has never set a password gets a link to set one; others are told to sign in as usual."""
    user = membership.user
    context = {
        "studio": membership.studio,
        "role": membership.get_role_display(),
        "invited_by": invited_by.get_full_name() or invited_by.email,
        "email": user.email,
        "setup_link": None if user.has_usable_password() else password_setup_link(user),
        "admin_url": settings.WAGTAILADMIN_BASE_URL + reverse("wagtailadmin_home"),
    }
    subject = render_to_string("email/team_invite_subject.txt", context).strip()
    body = render_to_string("email/team_invite.txt", context)
    send_mail(subject, body, None, [user.email])


# --- Forms -------------------------------------------------------------------------------------


class InviteMemberForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="They sign in with this address. Someone new gets an e-mail to choose a password.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        choices=Membership.Role.choices,
        initial=Membership.Role.STAFF,
        help_text="Owners also manage the team; staff work on galleries, bookings and clients.",
    )

    def __init__(self, *args, studio: Studio, invited_by, **kwargs):
        super().__init__(*args, **kwargs)
        self.studio = studio
        self.invited_by = invited_by

    def save(self) -> Membership | None:
        """The new membership, or None with the reason on the form (already a member, no seat, lapsed)."""
        from billing.limits import PlanLimitReached

        try:
            return invite_member(
                self.studio, self.cleaned_data["email"], self.cleaned_data["role"], invited_by=self.invited_by
            )
        except ValidationError as exc:
            self.add_error("email", exc)
        except PlanLimitReached as exc:
            self.add_error(None, exc.message)
        return None


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
