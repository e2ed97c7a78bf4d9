"""A studio's team (Settings → Team): who works in it, inviting someone by e-mail, changing roles, removing.

Only owners change the team, and a studio always keeps one owner. Seats are counted by the plan
(billing.limits); every function takes the photographer's studio and never looks one up by id."""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from billing import limits
from billing.limits import PlanLimitReached, check_limit, check_writable
from studios.models import Membership, Studio
from studios.provisioning import add_member, remove_member

from .invitations import send_invitation

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
    # Lower case: the username is the e-mail, and signing in matches it exactly on PostgreSQL.
    email = email.strip().lower()
    check_writable(studio)
    if team_members(studio).filter(user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {studio.name}.")
    with transaction.atomic():  # a refused seat takes the new account back with it
        user = _user_for_email(email)
        membership = seat_member(studio, user, role)
        send_invitation(membership, invited_by=invited_by)  # into the outbox, committed with the seat
    return membership


@transaction.atomic
def seat_member(studio: Studio, user, role: str = Membership.Role.STAFF) -> Membership:
    """Give `user` a seat in the studio (or change their role). A new seat must fit the plan's staff seats:
    billing.limits.PlanLimitReached says which plan has more."""
    _lock_team(studio)  # two invitations cannot share the last seat
    if not Membership.objects.filter(studio=studio, user=user).exists():
        check_limit(studio, "staff_seats")
    return add_member(studio, user, role)


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
