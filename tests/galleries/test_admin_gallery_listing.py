"""The "Galleries" admin menu item: a flat list of the studio's galleries with photo, status, expiry and
selection columns, filters and search; studio B's photographer never sees studio A's galleries."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.admin.ui.tables import DateColumn
from wagtail.models import PageViewRestriction

from galleries.admin_listing import UpdatedColumn
from galleries.models import ClientGalleryIndexPage, Gallery, Selection, StudioImage
from tests.factories import ClientFactory

from .conftest import bulk_ready_photos
from .factories import make_gallery

pytestmark = pytest.mark.django_db

LISTING = "/admin/galleries/"


def admin_as(user):
    """A separate browser per photographer (the admin lives on the platform host)."""
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(user)
    return browser


@pytest.fixture
def a_admin(photographer):
    return admin_as(photographer)


@pytest.fixture
def b_admin(other_photographer):
    return admin_as(other_photographer)


def submit_selection(gallery, email="emma@example.test"):
    return Selection.objects.create(gallery=gallery, email=email, submitted_at=timezone.now(), locked=True)


def unpublish(gallery):
    gallery.unpublish()
    gallery.refresh_from_db()


@pytest.fixture
def a_galleries(studio):
    """Studio A: a live gallery for Emma with photos (one failed) and a submitted selection, a draft,
    and an expired one."""
    emma = ClientFactory(studio=studio, name="Emma Stone", email="emma@stone.test")
    wedding = make_gallery(studio, title="Stone Wedding", access_code="WEDDING01", client=emma)
    photos = bulk_ready_photos(wedding, 3)
    StudioImage.objects.filter(pk=photos[0].image_id).update(status=StudioImage.Status.FAILED)
    submit_selection(wedding)
    Selection.objects.create(gallery=wedding, email="friend@example.test")  # not submitted: not counted
    draft = make_gallery(studio, title="Baker Newborn", access_code="NEWBORN01")
    unpublish(draft)
    expired = make_gallery(
        studio, title="Old Portraits", access_code="EXPIRED01", expires_at=timezone.now() - timedelta(days=1)
    )
    return {"wedding": wedding, "draft": draft, "expired": expired}


@pytest.fixture
def b_gallery(other_studio):
    harbour = ClientFactory(studio=other_studio, name="Harbour Secret Client", email="secret@harbour.test")
    gallery = make_gallery(other_studio, title="Harbour Secret Gallery", access_code="HARBOUR01", client=harbour)
    submit_selection(gallery)
    return gallery


def listing(response) -> dict[str, str]:
    """The listing's rows, in order: gallery title -> the row's text (cells separated by " | ") and links."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    start = html.find('<table class="listing')
    if start == -1:
        return {}  # "No galleries match your query."
    body = html[html.find("<tbody>", start) : html.find("</table>", start)]
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        title = re.search(r'id="page_\d+_title">\s*(.*?)\s*</span>', row, re.S).group(1)
        links = " ".join(re.findall(r'href="([^"]+)"', row))
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        found[unescape(title)] = " | ".join(cells) + " || " + links
    return found


def rows(response) -> list[str]:
    return list(listing(response))


def test_menu_shows_galleries_for_a_studio_photographer(a_admin):
    page = a_admin.get("/admin/").content.decode()
    assert '"Galleries"' in page and LISTING in page


def test_listing_shows_own_galleries_with_their_numbers(a_admin, a_galleries):
    found = listing(a_admin.get(LISTING))
    assert set(found) == {"Stone Wedding", "Baker Newborn", "Old Portraits"}
    wedding = a_galleries["wedding"]
    # title | client | photos ready / total (one failed) | status | expires | submitted selections (the open
    # one is not counted) | updated
    cells = found["Stone Wedding"].split(" || ")[0].split(" | ")
    assert cells[2:6] == ["Emma Stone", "2 / 3", "live", "Never"]
    assert cells[6] == "1"
    links = found["Stone Wedding"].split(" || ")[1]
    assert f"/admin/pages/{wedding.pk}/edit/" in links
    assert f"/admin/galleries/{wedding.pk}/photos/#upload" in links  # the manager's drop zone, not the old page
    assert f"/admin/galleries/{wedding.pk}/activity/" in links
    assert found["Old Portraits"].split(" | ")[4] == "expired"
    assert found["Baker Newborn"].split(" | ")[4] == "draft"


def test_expiry_reads_as_a_date_in_the_studios_zone_with_how_far_off_it_is(a_admin, studio):
    # Wagtail's DateColumn says "time since", which read "Just now" for any future date.
    studio.time_zone = "Europe/London"
    studio.save()
    make_gallery(studio, title="Autumn Wedding", access_code="AUTUMN01", expires_at=timezone.now() + timedelta(days=95))
    make_gallery(studio, title="Old Portraits", access_code="OLD01", expires_at=timezone.now() - timedelta(days=3))

    found = listing(a_admin.get(LISTING))
    future = found["Autumn Wedding"].split(" | ")[5]
    past = found["Old Portraits"].split(" | ")[5]

    day = timezone.localtime(timezone.now() + timedelta(days=95), studio.tz).strftime("%a %d %b %Y")
    assert future == f"{day} (in 3 months)"
    assert "Just now" not in future
    assert past.startswith("Expired ") and past.endswith("(3 days ago)")


def test_most_recently_updated_first(a_admin, a_galleries):
    a_galleries["draft"].save_revision()
    assert rows(a_admin.get(LISTING))[0] == "Baker Newborn"
    a_galleries["expired"].save_revision()
    assert rows(a_admin.get(LISTING))[0] == "Old Portraits"
    assert rows(a_admin.get(LISTING, {"ordering": "title"})) == ["Baker Newborn", "Old Portraits", "Stone Wedding"]


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"status": "live"}, {"Stone Wedding"}),
        ({"status": "draft"}, {"Baker Newborn"}),
        ({"status": "expired"}, {"Old Portraits"}),
        ({"has_submitted_selection": "yes"}, {"Stone Wedding"}),
        ({"has_submitted_selection": "no"}, {"Baker Newborn", "Old Portraits"}),
        ({"q": "newborn"}, {"Baker Newborn"}),
        ({"q": "Emma"}, {"Stone Wedding"}),  # the client's name
        ({"q": "stone.test"}, {"Stone Wedding"}),  # the client's e-mail
        ({"q": "portraits", "status": "expired"}, {"Old Portraits"}),
        ({"q": "portraits", "status": "live"}, set()),
    ],
)
def test_filters_and_search(a_admin, a_galleries, b_gallery, query, expected):
    page = a_admin.get(LISTING).content.decode()
    assert "Has a submitted selection" in page and 'name="status"' in page and 'name="q"' in page
    assert set(rows(a_admin.get(LISTING, query))) == expected
    assert set(rows(a_admin.get(LISTING + "results/", query))) == expected


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "Harbour"},
        {"q": "secret@harbour.test"},
        {"status": "live"},
        {"has_submitted_selection": "yes"},
        {"ordering": "client__name"},
    ],
)
@pytest.mark.parametrize("url", [LISTING, LISTING + "results/"])
def test_other_studios_galleries_never_show(b_admin, a_galleries, url, query):
    response = b_admin.get(url, query)
    assert response.status_code == 200
    for title in ("Stone Wedding", "Baker Newborn", "Old Portraits", "Emma Stone"):
        assert title not in response.content.decode()


def test_a_photographer_sees_only_their_own_among_both_studios(a_admin, b_admin, a_galleries, b_gallery):
    assert "Harbour Secret" not in a_admin.get(LISTING, {"q": "Harbour"}).content.decode()
    assert set(rows(b_admin.get(LISTING))) == {"Harbour Secret Gallery"}


def test_superuser_sees_every_studio_and_chooses_where_to_add(django_user_model, a_galleries, b_gallery):
    root = admin_as(django_user_model.objects.create_superuser("root@focusflow.test", "root@focusflow.test", "x"))
    assert {"Stone Wedding", "Harbour Secret Gallery"} <= set(rows(root.get(LISTING)))
    assert root.get("/admin/galleries/choose_parent/").status_code == 200  # two studios: a parent to choose


def test_add_gallery_goes_to_own_client_galleries_page(a_admin, b_admin, studio, other_studio):
    page = a_admin.get(LISTING).content.decode()
    assert 'href="/admin/galleries/choose_parent/"' in page and "Add gallery" in page
    own_index = ClientGalleryIndexPage.objects.child_of(studio.home_page).get()
    response = a_admin.get("/admin/galleries/choose_parent/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/add/galleries/gallery/{own_index.pk}/"
    b_index = ClientGalleryIndexPage.objects.child_of(other_studio.home_page).get()
    assert b_admin.get("/admin/galleries/choose_parent/")["Location"].endswith(f"/{b_index.pk}/")


def test_choose_parent_refuses_another_studios_index(b_admin, studio):
    a_index = ClientGalleryIndexPage.objects.child_of(studio.home_page).get()
    response = b_admin.post("/admin/galleries/choose_parent/", {"parent_page": a_index.pk})
    assert response.status_code == 200  # the form again, with an error; no redirect to A's add page
    assert f"/{a_index.pk}/" not in response.get("Location", "")
    assert "Northlight" not in response.content.decode()


def add_galleries(studio, client, start, count):
    for i in range(start, start + count):
        gallery = make_gallery(studio, title=f"Gallery {i}", slug=f"bulk-{i}", access_code=f"BULKCODE{i:02d}")
        Gallery.objects.filter(pk=gallery.pk).update(client=client)
        bulk_ready_photos(gallery, 2)
        submit_selection(gallery)


def test_listing_query_count_does_not_grow_with_galleries(a_admin, studio, django_assert_max_num_queries):
    client = ClientFactory(studio=studio)
    add_galleries(studio, client, 0, 3)
    a_admin.get(LISTING)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as for_three:
        assert len(rows(a_admin.get(LISTING))) == 3

    add_galleries(studio, client, 3, 27)
    with django_assert_max_num_queries(len(for_three)):
        response = a_admin.get(LISTING)
    assert len(rows(response)) == 30
    assert set(listing(response)["Gallery 29"].split(" | ")[2:4]) == {client.name, "2 / 2"}


def row_actions(html: str, gallery) -> list[tuple[str, str]]:
    """The "more" dropdown of a gallery's row: (label, link) in order."""
    start = html.find(f'id="page_{gallery.pk}_title"')
    assert start != -1, gallery.title
    menu = html[html.find("w-dropdown__content", start) : html.find("</div>", html.find("w-dropdown__content", start))]
    return [
        (" ".join(re.sub(r"<[^>]+>", " ", label).split()), unescape(href))
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', menu, re.S)
    ]


def test_each_row_offers_what_wagtails_page_explorer_offers_for_the_gallery(a_admin, a_galleries, studio):
    """The list's light title cell (galleries/admin_listing.py) keeps every action of Wagtail's page listing for a
    gallery, with the gallery tools after Edit; only "Sort menu order" (a gallery has no child pages) is left out."""
    index = ClientGalleryIndexPage.objects.child_of(studio.home_page).get()
    ours = a_admin.get(LISTING).content.decode()
    wagtails = a_admin.get(f"/admin/pages/{index.pk}/").content.decode()
    for gallery in a_galleries.values():
        expected = [
            (label, href.replace(f"next=%2Fadmin%2Fpages%2F{index.pk}%2F", "next=%2Fadmin%2Fgalleries%2F"))
            for label, href in row_actions(wagtails, gallery)
            if label != "Sort menu order"
        ]
        assert row_actions(ours, gallery) == expected, gallery.title

    wedding, draft = a_galleries["wedding"], a_galleries["draft"]
    labels = [label for label, _ in row_actions(ours, wedding)]
    assert labels[:4] == ["Edit", "Photos", "Upload photos", "Activity"]
    assert {"View live", "Move", "Copy", "Delete", "Unpublish", "History"} <= set(labels)
    assert "Unpublish" not in [label for label, _ in row_actions(ours, draft)]
    assert f'<a href="/admin/pages/{wedding.pk}/edit/" title="Edit this page">' in ours


def test_a_locked_gallery_shows_its_lock(a_admin, a_galleries, photographer):
    Gallery.objects.filter(pk=a_galleries["draft"].pk).update(locked=True, locked_by=photographer)
    html = a_admin.get(LISTING).content.decode()
    row = html[html.find(f'id="page_{a_galleries["draft"].pk}_title"') :]
    assert "locked, by you" in row[: row.find("</td>")]


def test_a_password_protected_gallery_shows_its_privacy_indicator_and_escaped_title(a_admin, a_galleries):
    """The title cell is written in one pass (galleries/admin_listing.py): Wagtail's privacy indicator still shows
    on a gallery with a view restriction, only there, and a title is escaped wherever the cell writes it."""
    wedding, draft = a_galleries["wedding"], a_galleries["draft"]
    PageViewRestriction.objects.create(page=wedding, restriction_type="password", password="x")
    Gallery.objects.filter(pk=draft.pk).update(title="O'Brien <b>&</b>", draft_title="O'Brien <b>&</b>")
    html = a_admin.get(LISTING).content.decode()

    def cell(gallery):
        row = html[html.find(f'id="page_{gallery.pk}_title"') :]
        return row[: row.find("</td>")]

    assert "This page is protected from public view" in cell(wedding)
    assert "protected from public view" not in cell(draft)
    assert "O&#x27;Brien &lt;b&gt;&amp;&lt;/b&gt;" in cell(draft) and "<b>" not in cell(draft)
    assert "More options for &#x27;O&#x27;Brien &lt;b&gt;&amp;&lt;/b&gt;&#x27;" in cell(draft)


@pytest.mark.parametrize("age", [timedelta(0), timedelta(hours=3, minutes=20), timedelta(days=400)])
def test_the_updated_cell_reads_as_wagtails_date_cell(age, settings):
    """The "Updated" column writes Wagtail's DateColumn cell itself (one pass, no templates): the same text,
    tooltip and machine-readable date, in the admin's time zone."""
    settings.TIME_ZONE = "Pacific/Auckland"
    gallery = Gallery(latest_revision_created_at=timezone.now() - age)
    ours, wagtails = (
        column("latest_revision_created_at", label="Updated", classname="updated")
        for column in (UpdatedColumn, DateColumn)
    )
    context = {"row": None, "table": None, "request": None}

    def shown(html):  # what a browser shows: whitespace around tags is not
        return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html)

    assert shown(ours.render_cell_html(gallery, context)) == shown(wagtails.render_cell_html(gallery, context))
    assert "ago" in shown(ours.render_cell_html(gallery, context)) or not age
    never = Gallery(latest_revision_created_at=None)
    assert shown(ours.render_cell_html(never, context)) == shown(wagtails.render_cell_html(never, context))
