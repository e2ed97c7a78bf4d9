"""Settings → Studio settings: a photographer edits their studio's profile, branding, region and
custom domains in the admin, and sees the other settings at a glance. Only ever their own studio."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.models import Collection

from galleries.models import StudioImage
from studios.demo_images import landscape_jpeg
from studios.models import Studio, StudioDomain
from tests.factories import BookingFactory, UserFactory
from tests.frontend_api.conftest import on_plan

pytestmark = pytest.mark.django_db

PAGE = "/admin/studio-settings/"
ADD_DOMAIN = "/admin/studio-settings/domains/add/"
ADMIN_HOST = {"HTTP_HOST": "localhost"}


def remove_url(domain):
    return f"/admin/studio-settings/domains/{domain.pk}/remove/"


@pytest.fixture
def a_admin(admin_client_for, photographer):
    return admin_client_for(photographer)


def profile_data(studio, **changes):
    """The form as the page sends it: every field with its current value, then the changes."""
    data = {
        "name": studio.name,
        "contact_email": studio.contact_email,
        "tagline": studio.tagline,
        "logo": studio.logo_id or "",
        "primary_color": studio.primary_color,
        "accent_color": studio.accent_color,
        "font_family": studio.font_family,
        "preview_url": studio.preview_url,
        "time_zone": studio.time_zone,
        "currency": studio.currency,
    }
    if studio.white_label:
        data["white_label"] = "on"
    if studio.keep_copyright_metadata:
        data["keep_copyright_metadata"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def save_profile(client, studio, **changes):
    return client.post(PAGE, profile_data(studio, **changes), **ADMIN_HOST)


def errors_of(response, field):
    return response.context["profile_form"].errors.get(field, [])


def image_of(studio, title):
    # Re-read the collection: adding another studio's collection re-sorts the tree by name.
    return StudioImage.objects.create(
        title=title,
        collection=Collection.objects.get(pk=studio.collection_id),
        file=ImageFile(io.BytesIO(landscape_jpeg(1, 64, 48)), name="logo.jpg"),
    )


# --- Access ---------------------------------------------------------------------------------------


def test_settings_menu_offers_studio_settings_to_a_studio_member(a_admin):
    response = a_admin.get("/admin/", **ADMIN_HOST)
    assert response.status_code == 200
    assert PAGE.encode() in response.content


def test_anonymous_visitor_is_sent_to_the_login(client, studio):
    response = client.get(PAGE, **ADMIN_HOST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_user_without_a_studio_gets_no_studio_settings(client, studio):
    editor = UserFactory(email="loner@example.test")
    group = Group.objects.create(name="Editors without a studio")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    client.force_login(editor)

    assert PAGE.encode() not in client.get("/admin/", **ADMIN_HOST).content
    # Wagtail turns the refusal into a redirect to the dashboard with "you do not have permission".
    for response in (
        client.get(PAGE, **ADMIN_HOST),
        client.post(PAGE, profile_data(studio, name="Taken over"), **ADMIN_HOST),
    ):
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or response["Location"] == "/admin/"
    studio.refresh_from_db()
    assert studio.name == "Northlight Photography"


def test_page_shows_only_the_photographers_own_studio(a_admin, studio, other_studio):
    on_plan(other_studio, "studio")
    StudioDomain.objects.create(studio=other_studio, hostname="photos.harbour.example")
    StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example")

    html = a_admin.get(PAGE, **ADMIN_HOST).content.decode()

    assert "Northlight Photography" in html and "photos.northlight.example" in html
    assert "Harbour Studio" not in html
    assert "harbour.example" not in html and "harbour.localhost" not in html


# --- Profile, branding, region -------------------------------------------------------------------


def test_profile_and_branding_changes_show_on_the_studios_site(a_admin, client, studio):
    response = save_profile(
        a_admin,
        studio,
        name="Northlight Weddings",
        tagline="Weddings in the north",
        contact_email="hello@northlight.example",
        primary_color="#23313F",
        accent_color="#b08d57",
        font_family="'Cormorant Garamond', Georgia, serif",
    )
    assert response.status_code == 302

    client.logout()
    html = client.get("/", HTTP_HOST=studio.hostname).content.decode()
    assert "Northlight Weddings" in html
    assert "Weddings in the north" in html
    assert "hello@northlight.example" in html
    assert "--brand:#23313f;--accent:#b08d57;--font:'Cormorant Garamond', Georgia, serif;" in html


def test_logo_is_one_of_the_studios_own_images(a_admin, client, studio, other_studio):
    own = image_of(studio, "Northlight logo")
    theirs = image_of(other_studio, "Harbour logo")

    refused = save_profile(a_admin, studio, logo=theirs.pk)
    assert refused.status_code == 400 and errors_of(refused, "logo")

    assert save_profile(a_admin, studio, logo=own.pk).status_code == 302
    studio.refresh_from_db()
    assert studio.logo == own
    assert 'class="brand-logo"' in client.get("/", HTTP_HOST=studio.hostname).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("primary_color", "red"),
        ("primary_color", "#12345g"),
        ("accent_color", "#abcd"),
        ("font_family", "x}</style><script>alert(1)</script>"),
        ("font_family", "Georgia; color: red"),
        ("time_zone", "Mars/Olympus_Mons"),
        ("currency", "EURO"),
        ("name", ""),
    ],
)
def test_invalid_profile_values_are_form_errors_and_nothing_is_saved(a_admin, studio, field, value):
    before = Studio.objects.values().get(pk=studio.pk)

    response = save_profile(a_admin, studio, tagline="Should not be saved", **{field: value})

    assert response.status_code == 400
    assert errors_of(response, field)
    assert Studio.objects.values().get(pk=studio.pk) == before


def test_region_offers_every_time_zone_and_common_currencies(a_admin, studio):
    form = a_admin.get(PAGE, **ADMIN_HOST).context["profile_form"]
    zones = {value for value, _ in form.fields["time_zone"].choices}
    currencies = {value for value, _ in form.fields["currency"].choices}

    assert {"Europe/London", "America/New_York", "Pacific/Auckland", "UTC"} <= zones
    assert {"GBP", "USD", "EUR", "AUD"} <= currencies


def test_changing_the_time_zone_keeps_bookings_at_the_same_moment(a_admin, studio):
    booking = BookingFactory(studio=studio)
    start, end = booking.start, booking.end

    response = save_profile(a_admin, studio, time_zone="America/New_York", currency="USD")

    assert response.status_code == 302
    studio.refresh_from_db()
    booking.refresh_from_db()
    assert (studio.time_zone, studio.currency) == ("America/New_York", "USD")
    assert (booking.start, booking.end) == (start, end)


def test_white_label_needs_a_plan_that_includes_it(a_admin, client, studio):
    on_plan(studio, "professional")

    refused = save_profile(a_admin, studio, white_label="on")

    assert refused.status_code == 400
    assert "does not include removing “Powered by FocusFlow”" in " ".join(errors_of(refused, "white_label"))
    studio.refresh_from_db()
    assert studio.white_label is False

    on_plan(studio, "studio")
    assert save_profile(a_admin, studio, white_label="on").status_code == 302
    assert "Powered by" not in client.get("/", HTTP_HOST=studio.hostname).content.decode()


def test_lapsed_studio_can_read_its_settings_but_not_save_them(a_admin, studio):
    on_plan(studio, "studio", status="cancelled")

    page = a_admin.get(PAGE, **ADMIN_HOST)
    assert page.status_code == 200 and "read-only" in page.content.decode()

    refused = save_profile(a_admin, studio, name="Renamed while lapsed")
    assert refused.status_code == 400
    assert "subscription has lapsed" in " ".join(refused.context["profile_form"].non_field_errors())
    studio.refresh_from_db()
    assert studio.name == "Northlight Photography"


# --- Custom domains ---------------------------------------------------------------------------------


def add_domain(client, hostname):
    return client.post(ADD_DOMAIN, {"hostname": hostname}, **ADMIN_HOST)


def domain_errors(response):
    return " ".join(response.context["domain_form"].errors.get("hostname", []))


def test_adding_a_domain_shows_it_pending_with_the_dns_record_to_add(a_admin, studio):
    on_plan(studio, "professional")

    response = add_domain(a_admin, "https://Photos.Northlight.Example/")

    assert response.status_code == 302
    domain = StudioDomain.objects.for_studio(studio).get()
    assert domain.hostname == "photos.northlight.example" and not domain.is_verified
    html = a_admin.get(PAGE, **ADMIN_HOST).content.decode()
    assert "Pending verification" in html
    assert "_focusflow.photos.northlight.example" in html
    assert domain.verification_token in html


def test_a_verified_domain_shows_when_it_was_verified(a_admin, studio):
    StudioDomain.objects.create(
        studio=studio,
        hostname="photos.northlight.example",
        is_verified=True,
        verified_at=timezone.now().replace(year=2026, month=3, day=14),
    )
    html = a_admin.get(PAGE, **ADMIN_HOST).content.decode()
    assert "Verified" in html and "14 March 2026" in html


def test_a_domain_of_another_studio_is_refused_without_naming_it(a_admin, studio, other_studio):
    on_plan(studio, "professional")
    StudioDomain.objects.create(studio=other_studio, hostname="photos.harbour.example")

    response = add_domain(a_admin, "PHOTOS.harbour.example")

    assert response.status_code == 400
    assert "already connected to another FocusFlow studio" in domain_errors(response)
    assert "Harbour Studio" not in response.content.decode()
    assert not StudioDomain.objects.for_studio(studio).exists()


def test_a_plan_without_custom_domains_refuses_one(a_admin, studio):
    on_plan(studio, "starter")

    response = add_domain(a_admin, "photos.northlight.example")

    assert response.status_code == 400
    assert "does not include a custom domain" in domain_errors(response)
    assert not StudioDomain.objects.exists()


@pytest.mark.parametrize(
    "hostname", ["not a domain", "localhost", "192.168.1.10", "-bad.example.com", "northlight.localhost", ""]
)
def test_only_real_domain_names_of_ones_own_can_be_added(a_admin, studio, hostname):
    on_plan(studio, "professional")

    response = add_domain(a_admin, hostname)

    assert response.status_code == 400 and domain_errors(response)
    assert not StudioDomain.objects.exists()


def test_the_same_domain_cannot_be_added_twice(a_admin, studio):
    on_plan(studio, "professional")
    add_domain(a_admin, "photos.northlight.example")

    response = add_domain(a_admin, "photos.northlight.example")

    assert response.status_code == 400 and "already one of your domains" in domain_errors(response)
    assert StudioDomain.objects.count() == 1


def test_removing_a_domain_asks_first_then_removes_it(a_admin, studio):
    domain = StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example", is_verified=True)

    confirm = a_admin.get(remove_url(domain), **ADMIN_HOST)
    assert confirm.status_code == 200 and "stops answering" in confirm.content.decode()
    assert StudioDomain.objects.filter(pk=domain.pk).exists()

    assert a_admin.post(remove_url(domain), **ADMIN_HOST).status_code == 302
    assert not StudioDomain.objects.filter(pk=domain.pk).exists()


def test_another_studios_domain_cannot_be_seen_or_removed(admin_client_for, other_photographer, studio):
    domain = StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example", is_verified=True)
    b_admin = admin_client_for(other_photographer)

    assert "photos.northlight.example" not in b_admin.get(PAGE, **ADMIN_HOST).content.decode()
    assert b_admin.get(remove_url(domain), **ADMIN_HOST).status_code == 404
    assert b_admin.post(remove_url(domain), **ADMIN_HOST).status_code == 404
    assert StudioDomain.objects.filter(pk=domain.pk).exists()


def test_lapsed_studio_can_neither_add_nor_remove_domains(a_admin, studio):
    on_plan(studio, "studio", status="paused")
    domain = StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example")

    refused = add_domain(a_admin, "more.northlight.example")
    assert refused.status_code == 400 and "subscription has lapsed" in domain_errors(refused)

    response = a_admin.post(remove_url(domain), follow=True, **ADMIN_HOST)
    assert "subscription has lapsed" in response.content.decode()
    assert list(StudioDomain.objects.values_list("hostname", flat=True)) == ["photos.northlight.example"]


# --- The other settings at a glance ----------------------------------------------------------------


def summary_row(html, card):
    start = html.index(f'data-card="{card}"')
    return html[start : html.index("</tr>", start)]


def test_summary_links_to_the_other_settings_screens(a_admin, studio):
    on_plan(studio, "professional")

    html = a_admin.get(PAGE, **ADMIN_HOST).content.decode()

    assert "/admin/galleries/watermark/" in summary_row(html, "watermark")
    assert "Professional plan" in summary_row(html, "plan") and "of 250 GB" in summary_row(html, "plan")
    assert "/admin/billing/plan/" in summary_row(html, "plan")
    assert "/admin/developers/api-keys/" in summary_row(html, "api-keys")
    assert "/admin/developers/webhook-endpoints/" in summary_row(html, "webhooks")
    assert "1 of 3 seats used" in summary_row(html, "team") and "/admin/team/" in summary_row(html, "team")


@pytest.mark.parametrize(
    ("account", "label", "action"),
    [
        (None, "Not connected", "Connect Stripe"),
        ({"charges_enabled": False, "payouts_enabled": False}, "Onboarding incomplete", "Continue Stripe onboarding"),
        ({"charges_enabled": True, "payouts_enabled": True}, "Connected", "Details"),
    ],
)
def test_summary_shows_the_stripe_connection(a_admin, studio, account, label, action):
    from billing.models import ConnectedAccount

    if account is not None:
        ConnectedAccount.objects.create(studio=studio, stripe_account_id="acct_northlight", **account)

    row = summary_row(a_admin.get(PAGE, **ADMIN_HOST).content.decode(), "stripe")

    assert label in row and action in row
    assert ("/admin/billing/connect/" in row) == (action != "Details")


def test_summary_counts_the_studios_own_api_keys_and_failed_webhooks(a_admin, studio, other_studio):
    from frontend_api.models import ApiKey, WebhookDelivery, WebhookEndpoint

    for owner in (studio, other_studio):
        ApiKey.issue(studio=owner, name="Site")
        endpoint = WebhookEndpoint.objects.create(studio=owner, url="https://hooks.example/in")
        WebhookDelivery.objects.create(
            studio=owner, endpoint=endpoint, event_id="evt", event="booking.created", payload={}, status="failed"
        )
    revoked, _ = ApiKey.issue(studio=studio, name="Old site")
    revoked.revoke()
    old = WebhookDelivery.objects.create(
        studio=studio,
        endpoint=endpoint.__class__.objects.for_studio(studio).get(),
        event_id="old",
        event="x",
        payload={},
        status="failed",
    )
    WebhookDelivery.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))

    html = a_admin.get(PAGE, **ADMIN_HOST).content.decode()

    assert "1 active" in summary_row(html, "api-keys")
    assert "1 endpoint," in summary_row(html, "webhooks")
    assert "1 failed delivery in the last 7 days" in summary_row(html, "webhooks")


def test_the_verified_day_is_the_studios(a_admin, studio):
    studio.time_zone = "America/Los_Angeles"
    studio.save()
    StudioDomain.objects.create(
        studio=studio,
        hostname="photos.northlight.example",
        is_verified=True,
        verified_at=datetime(2026, 3, 15, 2, 0, tzinfo=UTC),  # 14 March, 19:00 in Los Angeles
    )
    html = a_admin.get(PAGE, **ADMIN_HOST).content.decode()
    assert "on 14 March 2026" in html
