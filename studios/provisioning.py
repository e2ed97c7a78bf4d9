"""Creating a studio: its site, page tree, collection and permission group, in one transaction.

The home page's model comes from `STUDIOS_HOME_PAGE_MODEL` (the site app's, cms.StudioHomePage); the pages
under it come from each feature app's `studio_pages` Wagtail hook (unsaved pages, in hook order: portfolio,
client galleries, booking page), and the other objects a feature app gives a new studio from its
`studio_created` hook, so this core module imports no feature app. The pages and the collection are written
in a fixed number of queries (studios/site_tree.py)."""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from wagtail import hooks
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page, Site
from wagtail.signal_handlers import disable_reference_index_auto_update

from .models import Membership, Studio
from .site_tree import add_root_collection, add_site_root

STUDIO_PAGES_HOOK = "studio_pages"
STUDIO_CREATED_HOOK = "studio_created"

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "delete_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image", "delete_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document", "delete_document"],
}


@transaction.atomic
def create_studio(
    *, name: str, slug: str, owner=None, time_zone: str = "UTC", currency: str = "USD", contact_email: str = ""
) -> Studio:
    """33 queries whatever the number of studios (tests/studios/test_provisioning_scale.py, benchmarks/tenants).
    A new studio's pages are empty, so they reference nothing: Wagtail's reference index is not consulted."""
    with disable_reference_index_auto_update():
        return _create_studio(
            name=name, slug=slug, owner=owner, time_zone=time_zone, currency=currency, contact_email=contact_email
        )


def _create_studio(*, name, slug, owner, time_zone, currency, contact_email) -> Studio:
    studio = Studio(name=name, slug=slug, time_zone=time_zone, currency=currency, contact_email=contact_email)
    studio.full_clean(exclude=["site", "home_page", "collection", "group"])

    home_page_model = apps.get_model(settings.STUDIOS_HOME_PAGE_MODEL)
    children = [page for studio_pages in hooks.get_hooks(STUDIO_PAGES_HOOK) for page in studio_pages(studio)]
    home = add_site_root(home_page_model(title=name, slug=slug), children)

    studio.home_page = home
    studio.site = Site.objects.create(
        hostname=f"{slug}.{settings.BASE_DOMAIN}", port=80, root_page=home, site_name=name, is_default_site=False
    )
    studio.collection = add_root_collection(name)
    studio.group = _create_group(studio, home)
    studio.save()
    for add_studio_objects in hooks.get_hooks(STUDIO_CREATED_HOOK):
        add_studio_objects(studio, home)

    if owner is not None:
        add_member(studio, owner, Membership.Role.OWNER)
    return studio


def _permission_ids() -> dict[tuple[str, str], int]:
    """Every permission a studio's group gets, in one query."""
    wanted = {("wagtailadmin", "access_admin")} | {("wagtailcore", c) for c in PAGE_PERMISSIONS}
    wanted |= {(app, c) for app, codenames in COLLECTION_PERMISSIONS.items() for c in codenames}
    q = Q(pk__in=[])
    for app_label, codename in wanted:
        q |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.filter(q).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    missing = wanted - set(found)
    if missing:
        raise Permission.DoesNotExist(f"Permissions missing (run migrate): {sorted(missing)}")
    return found


def _create_group(studio: Studio, home: Page) -> Group:
    permissions = _permission_ids()
    group = Group.objects.create(name=f"Studio {studio.slug}")
    group.permissions.add(permissions["wagtailadmin", "access_admin"])
    GroupPagePermission.objects.bulk_create(
        GroupPagePermission(group=group, page=home, permission_id=permissions["wagtailcore", codename])
        for codename in PAGE_PERMISSIONS
    )
    GroupCollectionPermission.objects.bulk_create(
        GroupCollectionPermission(
            group=group, collection=studio.collection, permission_id=permissions[app_label, codename]
        )
        for app_label, codenames in COLLECTION_PERMISSIONS.items()
        for codename in codenames
    )
    return group


@transaction.atomic
def add_member(studio: Studio, user, role: str = Membership.Role.STAFF) -> Membership:
    """Give `user` a seat in the studio (or change their role). The plan's seat limit is checked by the
    team service that invites people (studio_settings.team.seat_member), not here in the core."""
    membership, _ = Membership.objects.update_or_create(studio=studio, user=user, defaults={"role": role})
    user.groups.add(studio.group)
    return membership


@transaction.atomic
def remove_member(studio: Studio, user) -> None:
    Membership.objects.filter(studio=studio, user=user).delete()
    user.groups.remove(studio.group)
