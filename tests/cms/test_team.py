"""Settings → Team: a studio owner invites people by e-mail, changes their role and removes them, within the
plan's seats; staff only look; nobody touches another studio's team."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import TestCase

from accounts.models import User
from studios.models import Membership
from tests.factories import UserFactory, photographer_for
from tests.frontend_api.conftest import on_plan

pytestmark = pytest.mark.django_db

TEAM = "/admin/team/"
ADMIN_HOST = {"HTTP_HOST": "localhost"}


def role_url(membership):
    return f"/admin/team/{membership.pk}/role/"


def remove_url(membership):
    return f"/admin/team/{membership.pk}/remove/"


def membership_of(studio, user):
    return Membership.objects.for_studio(studio).get(user=user)


def invite(client, email, role="staff"):
    # The invitation e-mail is queued on commit (studio_settings.tasks); run it as the commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(TEAM, {"email": email, "role": role}, **ADMIN_HOST)


def form_errors(response):
    form = response.context["invite_form"]
    return " ".join(form.non_field_errors() + form.errors.get("email", []))


@pytest.fixture
def a_admin(admin_client_for, photographer):
    return admin_client_for(photographer)


@pytest.fixture
def professional(studio):
    on_plan(studio, "professional")
    return studio


def test_owner_invites_a_new_person_who_sets_a_password_and_signs_in(professional, a_admin, client):
    response = invite(a_admin, "Maya@Example.test")

    assert response.status_code == 302
    maya = User.objects.get(email__iexact="maya@example.test")
    assert not maya.has_usable_password()
    assert membership_of(professional, maya).role == "staff"
    assert [m.to for m in mail.outbox] == [["maya@example.test"]]
    assert "Northlight Photography" in mail.outbox[0].subject
    link = re.search(r"http://localhost:8000(/admin/password_reset/confirm/\S+)", mail.outbox[0].body).group(1)

    client.logout()
    form_page = client.get(link, follow=True, **ADMIN_HOST)  # Django swaps the token for a session step
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-42", "new_password2": "a-long-new-pass-42"},
        **ADMIN_HOST,
    )
    assert done.status_code == 302

    signed_in = client.post(
        "/admin/login/", {"username": "maya@example.test", "password": "a-long-new-pass-42"}, **ADMIN_HOST
    )
    assert signed_in.status_code == 302
    dashboard = client.get("/admin/", **ADMIN_HOST).content.decode()
    assert "http://northlight.localhost/" in dashboard


def test_owner_invites_someone_who_already_has_an_account(professional, a_admin, other_photographer):
    response = invite(a_admin, "OWNER@harbour.test", role="owner")

    assert response.status_code == 302
    assert membership_of(professional, other_photographer).role == "owner"
    assert other_photographer.groups.filter(pk=professional.group_id).exists()
    assert User.objects.filter(email__iexact="owner@harbour.test").count() == 1
    assert "/password_reset/" not in mail.outbox[0].body  # they already have a password
    assert "Sign in at http://localhost:8000/admin/" in mail.outbox[0].body


def test_the_list_shows_members_and_seats_of_the_plan(professional, a_admin, photographer):
    photographer_for(professional, role="staff", email="assistant@northlight.test", first_name="Ada")

    html = a_admin.get(TEAM, **ADMIN_HOST).content.decode()

    assert "owner@northlight.test" in html and "assistant@northlight.test" in html and "Ada" in html
    assert "2 of 3 seats used" in html


def test_starter_plan_has_one_seat_the_owners(studio, a_admin):
    response = invite(a_admin, "maya@example.test")

    assert response.status_code == 400
    assert "Upgrade to Professional" in form_errors(response)
    assert not User.objects.filter(email="maya@example.test").exists()
    assert Membership.objects.for_studio(studio).count() == 1
    assert mail.outbox == []


def test_professional_plan_allows_three_seats(professional, a_admin):
    assert invite(a_admin, "one@example.test").status_code == 302
    assert invite(a_admin, "two@example.test").status_code == 302

    response = invite(a_admin, "three@example.test")

    assert response.status_code == 400
    assert "Your Professional plan includes 3 staff seats" in form_errors(response)
    assert "Upgrade to Studio" in form_errors(response)
    assert Membership.objects.for_studio(professional).count() == 3
    assert not User.objects.filter(email="three@example.test").exists()


def test_someone_already_in_the_team_cannot_be_invited_again(professional, a_admin):
    response = invite(a_admin, "OWNER@northlight.test")

    assert response.status_code == 400
    assert "already a member" in form_errors(response)
    assert Membership.objects.for_studio(professional).count() == 1
    assert mail.outbox == []


def test_a_lapsed_studio_cannot_invite(studio, a_admin):
    on_plan(studio, "professional", status="cancelled")

    response = invite(a_admin, "maya@example.test")

    assert response.status_code == 400
    assert "subscription has lapsed" in form_errors(response)
    assert not User.objects.filter(email="maya@example.test").exists()
    assert Membership.objects.for_studio(studio).count() == 1


def test_owner_changes_a_role_and_removes_a_member(professional, a_admin):
    staff = photographer_for(professional, role="staff", email="assistant@northlight.test")
    membership = membership_of(professional, staff)

    assert a_admin.post(role_url(membership), {"role": "owner"}, **ADMIN_HOST).status_code == 302
    assert membership_of(professional, staff).role == "owner"

    assert b"assistant@northlight.test" in a_admin.get(remove_url(membership), **ADMIN_HOST).content
    assert a_admin.post(remove_url(membership), **ADMIN_HOST).status_code == 302
    assert not Membership.objects.for_studio(professional).filter(user=staff).exists()
    assert not staff.groups.filter(pk=professional.group_id).exists()  # no admin access to the studio left


def test_the_last_owner_can_be_neither_demoted_nor_removed(professional, a_admin, photographer):
    membership = membership_of(professional, photographer)

    demoted = a_admin.post(role_url(membership), {"role": "staff"}, **ADMIN_HOST, follow=True)
    removed = a_admin.post(remove_url(membership), **ADMIN_HOST, follow=True)

    assert "at least one owner" in demoted.content.decode()
    assert "at least one owner" in removed.content.decode()
    assert membership_of(professional, photographer).role == "owner"


def test_an_owner_can_step_down_once_there_is_another(professional, a_admin, photographer):
    photographer_for(professional, role="owner", email="partner@northlight.test")
    membership = membership_of(professional, photographer)

    a_admin.post(role_url(membership), {"role": "staff"}, **ADMIN_HOST)

    assert membership_of(professional, photographer).role == "staff"


def test_staff_see_the_team_but_cannot_change_it(professional, admin_client_for, photographer):
    staff = photographer_for(professional, role="staff", email="assistant@northlight.test")
    owner_membership = membership_of(professional, photographer)
    client = admin_client_for(staff)

    html = client.get(TEAM, **ADMIN_HOST).content.decode()
    assert "owner@northlight.test" in html
    assert "data-invite-form" not in html and "Change role" not in html and "/remove/" not in html

    assert invite(client, "maya@example.test").status_code == 403
    assert client.post(role_url(owner_membership), {"role": "staff"}, **ADMIN_HOST).status_code == 403
    assert client.post(remove_url(owner_membership), **ADMIN_HOST).status_code == 403
    assert client.get(remove_url(owner_membership), **ADMIN_HOST).status_code == 403
    assert not User.objects.filter(email="maya@example.test").exists()
    assert membership_of(professional, photographer).role == "owner"


def test_another_studio_cannot_see_or_change_the_team(professional, other_studio, admin_client_for, photographer):
    on_plan(other_studio, "professional")
    staff = photographer_for(professional, role="staff", email="assistant@northlight.test")
    membership = membership_of(professional, staff)
    b_owner = admin_client_for(photographer_for(other_studio, email="owner@harbour.test"))

    html = b_owner.get(TEAM, **ADMIN_HOST).content.decode()
    assert "owner@harbour.test" in html
    assert "northlight" not in html.lower()

    assert b_owner.get(remove_url(membership), **ADMIN_HOST).status_code == 404
    assert b_owner.post(remove_url(membership), **ADMIN_HOST).status_code == 404
    assert b_owner.post(role_url(membership), {"role": "owner"}, **ADMIN_HOST).status_code == 404
    assert membership_of(professional, staff).role == "staff"
    assert staff.groups.filter(pk=professional.group_id).exists()


def test_team_is_in_the_settings_menu_of_studio_members_only(a_admin, client, studio):
    assert TEAM.encode() in a_admin.get("/admin/", **ADMIN_HOST).content

    loner = UserFactory(email="loner@example.test")
    group = Group.objects.create(name="Editors without a studio")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    loner.groups.add(group)
    client.force_login(loner)
    assert TEAM.encode() not in client.get("/admin/", **ADMIN_HOST).content
    assert client.get(TEAM, **ADMIN_HOST)["Location"] == "/admin/"  # Wagtail's "you do not have permission"


def test_since_is_the_day_in_the_studios_zone(professional, a_admin, photographer, studio):
    # 03:00 UTC on 3 January is still the evening of 2 January in Los Angeles.
    studio.time_zone = "America/Los_Angeles"
    studio.save()
    joined = datetime(2026, 1, 3, 3, 0, tzinfo=UTC)
    Membership.objects.for_studio(studio).filter(user=photographer).update(created_at=joined)
    html = a_admin.get(TEAM, **ADMIN_HOST).content.decode()
    assert "2 January 2026" in html and "3 January 2026" not in html
