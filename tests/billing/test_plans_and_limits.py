"""Plans as data, their sync to Stripe, and the limits they put on a studio."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from billing import limits
from billing.models import Plan, StudioSubscription
from billing.plans import lookup_key_for
from billing.stripe_gateway import client as stripe_client
from galleries.models import StudioImage
from studios.provisioning import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def subscribe(studio, plan, status=StudioSubscription.Status.ACTIVE):
    return StudioSubscription.objects.update_or_create(studio=studio, defaults={"plan": plan, "status": status})[0]


def test_the_four_plans_exist_with_their_limits_and_fees(plans):
    assert list(Plan.objects.values_list("code", flat=True)) == ["starter", "professional", "studio", "enterprise"]
    assert [p.transaction_fee_bps for p in Plan.objects.all()] == [300, 200, 100, 50]
    assert not plans["starter"].custom_domain and plans["professional"].custom_domain
    assert plans["studio"].white_label and plans["studio"].api_access and not plans["professional"].api_access
    assert plans["enterprise"].staff_seats is None and plans["studio"].active_galleries is None


def test_application_fee_is_rounded_half_up_in_minor_units(plans):
    assert plans["professional"].application_fee(12_345) == 247  # 246.9
    assert plans["enterprise"].application_fee(101) == 1  # 0.505 rounds up
    assert plans["enterprise"].application_fee(99) == 0  # 0.495 rounds down
    assert plans["starter"].application_fee(10_000) == 300


def test_sync_stripe_plans_creates_products_and_prices_once(stripe_api, plans, capsys):
    call_command("sync_stripe_plans")
    first = {p.code: p.stripe_price_id for p in Plan.objects.all()}
    assert all(price.startswith("price_") for price in first.values())

    api = stripe_client()
    product = api.v1.products.retrieve("focusflow_professional")
    assert product["name"] == "FocusFlow Professional"
    price = api.v1.prices.retrieve(first["professional"])
    assert (price["unit_amount"], price["currency"], price["recurring"]["interval"]) == (4900, "usd", "month")

    capsys.readouterr()
    call_command("sync_stripe_plans")  # nothing changes the second time
    assert {p.code: p.stripe_price_id for p in Plan.objects.all()} == first
    assert capsys.readouterr().out.count("already in step") == 4
    assert len(api.v1.prices.list({"limit": 100})["data"]) == 4


def test_a_new_price_takes_over_the_lookup_key(stripe_api, plans):
    call_command("sync_stripe_plans")
    old = Plan.objects.get(code="starter").stripe_price_id
    Plan.objects.filter(code="starter").update(monthly_price=2400)
    call_command("sync_stripe_plans")
    starter = Plan.objects.get(code="starter")
    assert starter.stripe_price_id != old
    found = stripe_client().v1.prices.list({"lookup_keys": [lookup_key_for(starter)]})["data"]
    assert [p["id"] for p in found] == [starter.stripe_price_id]


def test_sync_without_stripe_configured_says_so(settings, plans):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(CommandError, match="STRIPE_SECRET_KEY"):
        call_command("sync_stripe_plans")


def test_a_studio_that_never_subscribed_is_on_the_default_plan(studio, plans):
    assert limits.plan_for(studio) == plans["starter"]
    subscribe(studio, plans["studio"], status=StudioSubscription.Status.INCOMPLETE)
    assert limits.plan_for(studio) == plans["starter"]  # an abandoned checkout gives nothing away
    subscribe(studio, plans["studio"], status=StudioSubscription.Status.TRIALING)
    assert limits.plan_for(studio) == plans["studio"]


def test_features_name_the_plan_that_lifts_them(studio, plans):
    with pytest.raises(limits.PlanLimitReached) as raised:
        limits.check_limit(studio, "custom_domain")
    assert raised.value.upgrade_to == plans["professional"]
    assert (
        str(raised.value) == "Your Starter plan does not include a custom domain. Upgrade to Professional to lift it."
    )

    with pytest.raises(limits.PlanLimitReached, match="API keys. Upgrade to Studio"):
        limits.check_limit(studio, "api_access")

    subscribe(studio, plans["studio"])
    limits.check_limit(studio, "api_access")  # allowed now
    limits.check_limit(studio, "white_label")


def test_staff_seats_are_counted(studio, photographer, plans):
    subscribe(studio, plans["starter"])
    with pytest.raises(
        limits.PlanLimitReached, match="1 staff seats, and they are all in use. Upgrade to Professional"
    ):
        limits.check_limit(studio, "staff_seats")
    subscribe(studio, plans["professional"])
    limits.check_limit(studio, "staff_seats", adding=2)
    add_member(studio, UserFactory())
    add_member(studio, UserFactory())
    with pytest.raises(limits.PlanLimitReached, match="Upgrade to Studio"):
        limits.check_limit(studio, "staff_seats")


def test_storage_quota_and_usage(studio, other_studio, plans):
    assert limits.storage_quota_bytes(studio) == 25 * limits.GB
    Plan.objects.filter(code="starter").update(storage_gb=2)  # image sizes are 32-bit on PostgreSQL
    mb = 1024**2
    StudioImage.objects.create(title="a", studio=studio, file="a.jpg", width=1, height=1, file_size=1500 * mb)
    StudioImage.objects.create(title="b", studio=other_studio, file="b.jpg", width=1, height=1, file_size=2000 * mb)
    assert limits.usage(studio).storage_bytes == 1500 * mb
    limits.check_limit(studio, "storage", adding=548 * mb)
    with pytest.raises(limits.PlanLimitReached, match="over the 2 GB of storage on your Starter plan. Upgrade to Pro"):
        limits.check_limit(studio, "storage", adding=548 * mb + 1)


def test_active_galleries_count_live_gallery_pages(studio, plans):
    from cms.models import StandardPage
    from galleries.models import ClientGalleryIndexPage

    index = ClientGalleryIndexPage.objects.descendant_of(studio.home_page).get()
    index.add_child(instance=StandardPage(title="Draft gallery", slug="draft", live=False))
    for i in range(10):
        index.add_child(instance=StandardPage(title=f"Gallery {i}", slug=f"g{i}"))
    assert limits.usage(studio).active_galleries == 10
    with pytest.raises(limits.PlanLimitReached, match="10 active galleries"):
        limits.check_limit(studio, "active_galleries")


def test_a_lapsed_subscription_is_read_only_and_keeps_everything(studio, plans):
    StudioImage.objects.create(title="kept", studio=studio, file="k.jpg", width=1, height=1, file_size=10)
    sub = subscribe(studio, plans["professional"], status=StudioSubscription.Status.PAST_DUE)
    assert not limits.is_read_only(studio)  # Stripe is still retrying the card
    sub.status = StudioSubscription.Status.CANCELLED
    sub.save()
    assert limits.is_read_only(studio)
    with pytest.raises(limits.StudioReadOnly, match="read-only: everything is kept"):
        limits.check_limit(studio, "active_galleries")
    with pytest.raises(limits.StudioReadOnly):
        limits.check_writable(studio)
    assert StudioImage.objects.for_studio(studio).count() == 1


def test_unknown_limit_is_a_programming_error(studio, plans):
    with pytest.raises(ValueError):
        limits.check_limit(studio, "teleport")


def test_limit_errors_become_api_errors_in_the_one_shape(studio, plans):
    from frontend_api.errors import ApiError, api_error

    with pytest.raises(limits.PlanLimitReached) as raised:
        limits.check_limit(studio, "api_access")
    error = api_error(raised.value)
    assert isinstance(error, ApiError) and error.status_code == 403
    assert (error.error_code, str(error.detail)) == ("plan_limit", str(raised.value))


def test_a_lapsed_studio_cannot_change_pages_in_the_admin(studio, photographer, admin_client_for):
    from billing.models import Plan, StudioSubscription
    from cms.models import PortfolioPage

    index = studio.home_page.get_children().first()
    page = index.add_child(instance=PortfolioPage(title="Weddings", slug="weddings"))
    StudioSubscription.objects.update_or_create(
        studio=studio, defaults={"plan": Plan.objects.get(code="professional"), "status": "cancelled"}
    )
    admin = admin_client_for(photographer)

    response = admin.post(
        f"/admin/pages/{page.pk}/edit/", {"title": "Changed", "slug": "weddings"}, HTTP_HOST="localhost", follow=True
    )
    deleted = admin.post(f"/admin/pages/{page.pk}/delete/", HTTP_HOST="localhost", follow=True)

    page.refresh_from_db()
    assert page.title == "Weddings" and PortfolioPage.objects.filter(pk=page.pk).exists()
    assert "read-only" in response.content.decode() and "read-only" in deleted.content.decode()
    assert admin.get(f"/admin/pages/{page.pk}/edit/", HTTP_HOST="localhost").status_code == 200  # still viewable
