"""Creating a studio: its site, page tree, collection and permission group, in one transaction."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from bookings.models import BookingPage
from galleries.models import ClientGalleryIndexPage

from .models import Membership, PortfolioIndexPage, Studio, StudioHomePage

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "delete_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image", "delete_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document", "delete_document"],
}


@transaction.atomic
def create_studio(
    *, name: str, slug: str, owner=None, time_zone: str = "UTC", currency: str = "USD", contact_email: str = ""
) -> Studio:
    studio = Studio(name=name, slug=slug, time_zone=time_zone, currency=currency, contact_email=contact_email)
    studio.full_clean(exclude=["site", "home_page", "collection", "group"])

    root = Page.get_first_root_node()
    home = root.add_child(instance=StudioHomePage(title=name, slug=slug))
    home.add_child(instance=PortfolioIndexPage(title="Portfolio", slug="portfolio", show_in_menus=True))
    home.add_child(instance=ClientGalleryIndexPage(title="Client galleries", slug="galleries", show_in_menus=False))
    home.add_child(instance=BookingPage(title="Book a session", slug="book", show_in_menus=True))

    studio.home_page = home
    studio.site = Site.objects.create(
        hostname=f"{slug}.{settings.BASE_DOMAIN}", port=80, root_page=home, site_name=name, is_default_site=False
    )
    studio.collection = Collection.get_first_root_node().add_child(name=name)
    studio.group = _create_group(studio, home)
    studio.save()

    if owner is not None:
        add_member(studio, owner, Membership.Role.OWNER)
    return studio


def _create_group(studio: Studio, home: Page) -> Group:
    group = Group.objects.create(name=f"Studio {studio.slug}")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.create(
            group=group,
            page=home,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )
    for app_label, codenames in COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.create(
                group=group,
                collection=studio.collection,
                permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
            )
    return group


@transaction.atomic
def add_member(studio: Studio, user, role: str = Membership.Role.STAFF) -> Membership:
    """Give `user` a seat in the studio (or change their role). A new seat must fit the plan's staff seats:
    billing.limits.PlanLimitReached says which plan has more."""
    from billing.limits import check_limit

    Studio.objects.select_for_update().filter(pk=studio.pk).first()  # two invitations cannot share the last seat
    if not Membership.objects.filter(studio=studio, user=user).exists():
        check_limit(studio, "staff_seats")
    membership, _ = Membership.objects.update_or_create(studio=studio, user=user, defaults={"role": role})
    user.groups.add(studio.group)
    return membership


@transaction.atomic
def remove_member(studio: Studio, user) -> None:
    Membership.objects.filter(studio=studio, user=user).delete()
    user.groups.remove(studio.group)
