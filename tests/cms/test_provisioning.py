"""Creating a studio provisions its site, pages, collection and permissions in one go."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from bookings.models import BookingPage
from cms.models import PortfolioIndexPage, StudioHomePage
from galleries.models import ClientGalleryIndexPage
from studios.models import Membership, Studio
from studios.provisioning import create_studio, remove_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_studio_provisions_site_pages_collection_and_group(settings):
    settings.BASE_DOMAIN = "focusflow.test"
    owner = UserFactory(email="owner@example.test")

    studio = create_studio(name="Northlight Photography", slug="northlight", owner=owner)

    site = Site.objects.get(hostname="northlight.focusflow.test")
    assert studio.site == site and not site.is_default_site
    home = site.root_page.specific
    assert isinstance(home, StudioHomePage) and home.title == "Northlight Photography"
    children = [type(p.specific) for p in home.get_children()]
    assert children == [PortfolioIndexPage, ClientGalleryIndexPage, BookingPage]
    assert studio.collection.get_parent() == Collection.get_first_root_node()

    page_perms = set(
        GroupPagePermission.objects.filter(group=studio.group).values_list("page_id", "permission__codename")
    )
    assert {pid for pid, _ in page_perms} == {home.pk}
    assert {c for _, c in page_perms} == {
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
        "delete_page",
    }
    coll_perms = GroupCollectionPermission.objects.filter(group=studio.group)
    assert {p.collection_id for p in coll_perms} == {studio.collection_id}
    assert {p.permission.codename for p in coll_perms} == {
        "add_image",
        "change_image",
        "choose_image",
        "delete_image",
        "add_document",
        "change_document",
        "choose_document",
        "delete_document",
    }
    assert list(studio.group.permissions.values_list("codename", flat=True)) == ["access_admin"]
    assert Membership.objects.get(studio=studio, user=owner).role == "owner"
    assert owner.groups.filter(pk=studio.group.pk).exists()


def test_two_studios_share_nothing(studio, other_studio):
    assert studio.home_page.path != other_studio.home_page.path
    assert not other_studio.home_page.path.startswith(studio.home_page.path)
    assert studio.collection != other_studio.collection
    assert studio.group != other_studio.group
    assert Studio.objects.for_page(other_studio.home_page.get_children().first()).get() == other_studio


def test_duplicate_slug_is_refused_and_nothing_is_left_behind(studio):
    pages, sites, groups, collections = (
        Page.objects.count(),
        Site.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
    )

    with pytest.raises(Exception, match="slug"):
        create_studio(name="Another Northlight", slug="northlight")

    assert (Page.objects.count(), Site.objects.count(), Group.objects.count(), Collection.objects.count()) == (
        pages,
        sites,
        groups,
        collections,
    )


def test_bad_time_zone_is_refused():
    with pytest.raises(Exception, match="time zone"):
        create_studio(name="Nowhere", slug="nowhere", time_zone="Mars/Olympus")
    assert not Studio.objects.filter(slug="nowhere").exists()


def test_removing_a_member_takes_away_their_admin_access(studio, photographer):
    remove_member(studio, photographer)

    photographer.refresh_from_db()
    assert not photographer.groups.filter(pk=studio.group.pk).exists()
    assert not photographer.has_perm("wagtailadmin.access_admin")


def test_a_new_member_needs_a_free_seat_on_the_plan(studio, photographer):
    from billing.limits import PlanLimitReached
    from studio_settings.team import seat_member
    from studios.models import Membership

    # the default Starter plan has one seat, and the photographer holds it
    newcomer = UserFactory()
    with pytest.raises(PlanLimitReached, match="Upgrade to Professional"):
        seat_member(studio, newcomer)
    assert not Membership.objects.filter(user=newcomer).exists() and not newcomer.groups.exists()
    # a member already seated can still change role
    assert seat_member(studio, photographer, Membership.Role.STAFF).role == "staff"
