"""Per-recipient share links (issue 17's share panel): each person the photographer adds gets a link of their own,
e-mailed to them, that opens the gallery without the code, with its own expiry and download allowance, revocable;
the photographer sees when it was opened and how many downloads were used. QR codes of the links."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from galleries import sharing
from galleries.models import DownloadAllowance, Gallery, GalleryAccess, ShareLink

from .factories import make_gallery

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_admin(photographer):
    client = Client(HTTP_HOST="localhost")
    client.force_login(photographer)
    return client


@pytest.fixture
def b_admin(other_photographer):
    client = Client(HTTP_HOST="localhost")
    client.force_login(other_photographer)
    return client


def add(admin, gallery, name="Grandma Rose", email="rose@example.test", **extra):
    return admin.post(f"/admin/galleries/{gallery.pk}/share/recipients/", {"name": name, "email": email, **extra})


def link_token(admin, gallery) -> str:
    """The recipient's link as the manager page shows it once after it is made."""
    html = admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()
    found = re.search(r'value="https://[^"]+/galleries/\?code=([A-Za-z0-9_-]{43})"', html)
    assert found, "the new link is shown"
    return found.group(1)


def unlock_with(client, studio, token):
    return client.post(
        "/api/client/galleries/unlock/", {"code": token}, content_type="application/json", HTTP_HOST=studio.hostname
    )


def download(api, studio, token, photo):
    return api("get", f"/api/client/photos/{photo.pk}/download/", studio, token)


def test_a_recipient_gets_their_own_link_by_email_and_it_opens_the_gallery(
    a_admin, client, studio, gallery, photos, mailoutbox
):
    Gallery.objects.filter(pk=gallery.pk).update(download_pin="2468")
    assert add(a_admin, gallery).status_code == 302
    token = link_token(a_admin, gallery)

    (mail,) = mailoutbox
    assert mail.to == ["rose@example.test"]
    assert f"https://northlight.localhost/galleries/?code={token}" in mail.body
    assert "Hello Grandma Rose" in mail.body
    assert "WEDDING24" not in mail.body and "2468" not in mail.body  # no code or PIN past the link's limits

    opened = unlock_with(client, studio, token)
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["gallery"]["id"] == gallery.pk
    assert body["gallery"]["permissions"]["pin_required"] is False  # the link is the grant
    access = GalleryAccess.objects.get(share_link__isnull=False)
    assert access.email == "rose@example.test"
    link = ShareLink.objects.get()
    assert link.studio == studio and link.token_hash != token and token not in link.token_hash
    assert link.opened_at is not None

    # shown once: the manager page does not show it again
    assert token not in a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()


def test_the_allowance_is_the_recipients_own(a_admin, client, api, studio, gallery, photos, unlock):
    Gallery.objects.filter(pk=gallery.pk).update(download_limit=10)
    add(a_admin, gallery, download_limit="2")
    rose = unlock_with(client, studio, link_token(a_admin, gallery)).json()["token"]
    add(a_admin, gallery, name="Uncle Bob", email="bob@example.test", download_limit="1")
    bob = unlock_with(client, studio, link_token(a_admin, gallery)).json()["token"]

    assert [download(api, studio, rose, p).status_code for p in photos[:2]] == [200, 200]
    refused = download(api, studio, rose, photos[2])
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "download_limit_reached"
    assert "used all 2 downloads with your link" in refused.json()["error"]["message"]
    zip_refused = api("get", f"/api/client/galleries/{gallery.pk}/download/", studio, rose)
    assert zip_refused.status_code == 403

    # Bob's and the gallery's own allowances are untouched
    assert api("get", f"/api/client/galleries/{gallery.pk}/", studio, bob).json()["permissions"]["downloads_left"] == 1
    assert api("get", f"/api/client/galleries/{gallery.pk}/download/", studio, bob).status_code == 200  # a ZIP
    assert download(api, studio, bob, photos[0]).status_code == 403
    code_holder = unlock(studio)
    detail = api("get", f"/api/client/galleries/{gallery.pk}/", studio, code_holder).json()
    assert detail["permissions"]["downloads_left"] == 10

    # The photographer sees each recipient's use
    html = a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()
    rows = {r.name: r for r in sharing.recipients(gallery)}
    assert rows["Grandma Rose"].used == 2 and rows["Uncle Bob"].used == 1
    assert "2 of 2" in html and "1 of 1" in html
    assert DownloadAllowance.objects.filter(share_link__isnull=True).count() == 0  # nothing counted for the gallery


def test_an_expired_link_is_refused_clearly_also_in_an_open_browser(a_admin, client, api, studio, gallery, photos):
    add(a_admin, gallery, expires_on=(timezone.localdate() + timedelta(days=3)).isoformat())
    token = link_token(a_admin, gallery)
    session = unlock_with(client, studio, token).json()["token"]
    link = ShareLink.objects.get()
    assert link.expires_at > timezone.now() + timedelta(days=2)

    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    again = unlock_with(client, studio, token)
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "share_link_expired"
    assert "expired on" in again.json()["error"]["message"]
    refused = download(api, studio, session, photos[0])
    assert refused.status_code == 410 and refused.json()["error"]["code"] == "share_link_expired"


def test_an_expiry_in_the_past_is_refused(a_admin, gallery):
    response = add(a_admin, gallery, expires_on=(timezone.localdate() - timedelta(days=1)).isoformat())
    assert response.status_code == 302
    assert ShareLink.objects.count() == 0
    assert "Choose an expiry date in the future." in a_admin.get(response.url).content.decode()


def test_a_revoked_link_stops_at_once_and_a_new_link_replaces_it(
    a_admin, client, api, studio, gallery, photos, mailoutbox
):
    add(a_admin, gallery)
    old = link_token(a_admin, gallery)
    session = unlock_with(client, studio, old).json()["token"]
    link = ShareLink.objects.get()

    assert a_admin.post(f"/admin/galleries/{gallery.pk}/share/recipients/{link.pk}/revoke/").status_code == 302
    refused = unlock_with(client, studio, old)
    assert refused.status_code == 410 and refused.json()["error"]["code"] == "share_link_revoked"
    assert api("get", f"/api/client/galleries/{gallery.pk}/photos/", studio, session).status_code == 410
    assert "Revoked" in a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()

    assert a_admin.post(f"/admin/galleries/{gallery.pk}/share/recipients/{link.pk}/new-link/").status_code == 302
    new = link_token(a_admin, gallery)
    assert new != old
    assert unlock_with(client, studio, old).status_code == 404  # the old token opens nothing now
    assert unlock_with(client, studio, new).status_code == 201
    assert len(mailoutbox) == 2 and new in mailoutbox[1].body


def test_another_studios_link_on_this_host_is_unknown(a_admin, b_admin, client, studio, other_studio, gallery):
    b_gallery = make_gallery(other_studio, title="Harbour wedding", slug="harbour-wedding", access_code="HARBOUR1")
    add(b_admin, b_gallery)
    b_token = link_token(b_admin, b_gallery)
    answer = unlock_with(client, studio, b_token)  # studio B's link on studio A's site
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "invalid_code"
    assert unlock_with(client, other_studio, b_token).status_code == 201

    # studio A's photographer cannot see, revoke or renew B's link, nor add to B's gallery
    b_link = ShareLink.objects.get(gallery=b_gallery)
    assert a_admin.post(f"/admin/galleries/{b_gallery.pk}/share/recipients/{b_link.pk}/revoke/").status_code == 404
    assert a_admin.post(f"/admin/galleries/{gallery.pk}/share/recipients/{b_link.pk}/revoke/").status_code == 404
    assert a_admin.post(f"/admin/galleries/{gallery.pk}/share/recipients/{b_link.pk}/new-link/").status_code == 404
    assert add(a_admin, b_gallery).status_code == 404
    assert a_admin.get(f"/admin/galleries/{b_gallery.pk}/share/qr.svg").status_code == 404
    b_link.refresh_from_db()
    assert b_link.revoked_at is None


def test_link_tokens_are_never_reused_across_galleries(a_admin, client, api, studio, gallery):
    second = make_gallery(studio, title="Engagement", slug="engagement", access_code="ENGAGE25")
    tokens = set()
    for target in (gallery, second, gallery, second):
        add(a_admin, target)
        tokens.add(link_token(a_admin, target))
    assert len(tokens) == 4
    assert ShareLink.objects.values("token_hash").distinct().count() == 4

    # a link of the first gallery opens only the first
    first_link = ShareLink.objects.filter(gallery=gallery).first()
    token = next(t for t in tokens if sharing.hash_token(t) == first_link.token_hash)
    session = unlock_with(client, studio, token).json()["token"]
    assert api("get", f"/api/client/galleries/{second.pk}/", studio, session).status_code == 404


def test_markup_in_the_recipient_name_is_escaped(a_admin, client, studio, gallery, mailoutbox):
    add(a_admin, gallery, name='<img src=x onerror="alert(1)">Rose')
    html = a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Rose" in html
    (mail,) = mailoutbox
    assert "<img src=x" not in mail.alternatives[0][0]
    assert "&lt;img src=x" in mail.alternatives[0][0]


def test_bad_recipient_input_is_refused_clearly(a_admin, gallery):
    response = add(a_admin, gallery, email="not an address", download_limit="-1")
    assert response.status_code == 302
    page = a_admin.get(response.url).content.decode()
    assert "The recipient was not added." in page and "E-mail" in page
    assert ShareLink.objects.count() == 0


def test_qr_codes_of_the_gallery_link(a_admin, gallery):
    svg = a_admin.get(f"/admin/galleries/{gallery.pk}/share/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    png = a_admin.get(f"/admin/galleries/{gallery.pk}/share/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG") and "attachment" in png["Content-Disposition"]
    html = a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()
    assert f"/admin/galleries/{gallery.pk}/share/qr.svg" in html


def test_a_new_recipient_link_is_shown_with_its_qr_code(a_admin, gallery):
    add(a_admin, gallery)
    html = a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()
    fresh = html[html.index("data-fresh-link") :]
    assert "<svg" in fresh[:20000] and 'href="data:image/png;base64,' in fresh


def test_the_recipients_table_reads_in_the_studios_time_zone(a_admin, client, studio, gallery):
    """A Los Angeles studio's link "expires on 10 March" ends that evening there, which is 11 March in UTC: the
    table showed the UTC date (and opened times), a day after the one the photographer chose."""
    studio.time_zone = "America/Los_Angeles"
    studio.save()
    day = timezone.now().astimezone(studio.tz).date() + timedelta(days=30)
    add(a_admin, gallery, expires_on=day.isoformat())
    token = link_token(a_admin, gallery)
    unlock_with(client, studio, token)
    opened = ShareLink.objects.get().opened_at.astimezone(studio.tz)

    html = a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()
    row = html[html.index("<tr data-recipient=") : html.index("</tr>", html.index("<tr data-recipient="))]
    cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td.*?</td>", row, re.S)]
    assert cells[2] == f"{day.day} {day:%b %Y}"
    assert cells[3] == f"{opened.day} {opened:%b %Y, %H:%M}"


# --- "E-mail your gallery is ready": to the client, or to several people at once ----------------------------


def send_ready(admin, gallery, to):
    return admin.post(f"/admin/galleries/{gallery.pk}/send-ready/", {"to": to, "back": "share"})


def test_the_ready_email_goes_to_several_addresses_each_their_own(a_admin, studio, gallery, mailoutbox):
    from tests.factories import ClientFactory  # noqa: PLC0415

    emma = ClientFactory(studio=studio, name="Emma Stone", email="emma@example.test")
    Gallery.objects.filter(pk=gallery.pk).update(client=emma)
    html = a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()
    to = html[html.index('name="to"') : html.index("</textarea>", html.index('name="to"'))]
    assert to.endswith(">emma@example.test")  # the client's address, to add others to

    typed = "emma@example.test, Jonah@Example.test;\nmum@example.test\nemma@example.test"
    response = send_ready(a_admin, gallery, typed)

    assert response.status_code == 302 and response.url == f"/admin/galleries/{gallery.pk}/photos/#share"
    assert sorted(m.to[0] for m in mailoutbox) == ["emma@example.test", "jonah@example.test", "mum@example.test"]
    assert all(len(m.to) == 1 for m in mailoutbox)  # nobody sees the others' addresses
    by_address = {m.to[0]: m for m in mailoutbox}
    assert "Hello Emma Stone" in by_address["emma@example.test"].body
    assert "Hello Emma" not in by_address["mum@example.test"].body  # not greeted by the client's name
    for mail in mailoutbox:
        assert "https://northlight.localhost/galleries/?code=WEDDING24" in mail.body
    told = a_admin.get(response.url).content.decode()
    assert "Sent “your gallery is ready” to emma@example.test, jonah@example.test and mum@example.test." in told


def test_a_bad_address_sends_nothing_and_says_which(a_admin, gallery, mailoutbox):
    response = send_ready(a_admin, gallery, "emma@example.test, emma at example")

    assert response.status_code == 302 and mailoutbox == []
    told = a_admin.get(response.url).content.decode()
    assert "Nothing was sent: “emma at example” is not an e-mail address." in told


def test_no_address_and_no_client_is_a_clear_error(a_admin, gallery, mailoutbox):
    told = a_admin.get(send_ready(a_admin, gallery, "  ").url).content.decode()
    assert "Give an e-mail address to send the gallery to." in told and mailoutbox == []


def test_a_draft_gallery_is_not_shared_by_email(a_admin, gallery, mailoutbox):
    """Its link opens nothing until it is published: e-mailing it would send a dead link."""
    Gallery.objects.filter(pk=gallery.pk).update(live=False)

    told = a_admin.get(send_ready(a_admin, gallery, "emma@example.test").url).content.decode()
    assert "Publish the gallery first" in told

    add(a_admin, gallery)
    assert ShareLink.objects.count() == 0 and mailoutbox == []
    assert "Publish the gallery first" in a_admin.get(f"/admin/galleries/{gallery.pk}/photos/").content.decode()
