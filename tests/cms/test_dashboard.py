"""The photographer's admin dashboard shows their studio's business, and only theirs."""

import pytest
from wagtail import hooks

from cms.models import StandardPage
from frontend_api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from studios.dashboard import StudioPanel
from tests.factories import StudioFactory, photographer_for

pytestmark = pytest.mark.django_db


def add_page(studio, title):
    page = StandardPage(title=title, slug=title.lower().replace(" ", "-"))
    studio.home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def failing_delivery(studio, event="booking.created"):
    endpoint = WebhookEndpoint.objects.create(studio=studio, url=f"https://{studio.slug}.example.test/hook")
    return WebhookDelivery.objects.create(
        studio=studio,
        endpoint=endpoint,
        event_id=f"evt_{studio.slug}",
        event=event,
        payload={},
        status=WebhookDelivery.Status.FAILED,
        attempts=8,
        response_code=500,
    )


@pytest.fixture
def both_studios(studio, other_studio):
    add_page(studio, "Northlight pricing")
    add_page(other_studio, "Harbour secret offers")
    ApiKey.issue(studio=studio, name="Northlight site")
    ApiKey.issue(studio=other_studio, name="Harbour site")
    failing_delivery(other_studio, event="invoice.paid")
    return studio, other_studio


def test_dashboard_shows_only_the_photographers_studio(both_studios, photographer, admin_client_for):
    client = admin_client_for(photographer)

    html = client.get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "data-studio-site-link><strong>http://northlight.localhost/</strong>" in html
    assert "Northlight pricing" in html
    assert "Harbour secret offers" not in html
    assert "Harbour" not in html
    assert "1</strong> active API key" in html
    # Harbour's failing delivery is not Northlight's problem
    assert "invoice.paid" not in html
    assert "All webhook deliveries in the last 7 days went through." in html


def test_failing_webhook_deliveries_are_flagged(both_studios, photographer, admin_client_for):
    studio, _ = both_studios
    failing_delivery(studio)
    client = admin_client_for(photographer)

    html = client.get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "1 webhook delivery failing" in html
    assert "booking.created" in html
    assert "invoice.paid" not in html


def test_other_photographer_sees_their_own_studio(both_studios, other_photographer, admin_client_for):
    html = admin_client_for(other_photographer).get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "http://harbour.localhost/" in html
    assert "Harbour secret offers" in html
    assert "Northlight pricing" not in html
    assert "1 webhook delivery failing" in html


def test_developers_panel_hidden_for_studios_without_the_api(admin_client_for):
    studio = StudioFactory(name="Quiet Studio", slug="quiet")
    html = admin_client_for(photographer_for(studio)).get("/admin/", HTTP_HOST="localhost").content.decode()

    assert "http://quiet.localhost/" in html
    assert "studio-developers" not in html


def test_site_link_uses_the_admin_port_in_development(studio, photographer, admin_client_for):
    html = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost:8000").content.decode()

    assert "http://northlight.localhost:8000/" in html


class UnpaidInvoicesPanel(StudioPanel):
    """What billing will register at merge; here a stand-in to prove the extension point."""

    name = "unpaid_invoices"
    order = 50

    def render_html(self, parent_context=None):
        return f"<section id='unpaid'>Unpaid invoices of {self.studio.slug}</section>"


def test_apps_add_panels_through_the_hook(both_studios, photographer, admin_client_for):
    seen = []

    def unpaid_invoices(request, studio):
        seen.append(studio)
        return UnpaidInvoicesPanel(studio, request)

    with hooks.register_temporarily("register_studio_dashboard_panel", unpaid_invoices):
        html = admin_client_for(photographer).get("/admin/", HTTP_HOST="localhost").content.decode()

    assert seen == [both_studios[0]]
    assert "Unpaid invoices of northlight" in html
    assert html.index("Recently edited pages") < html.index("Unpaid invoices") < html.index("studio-developers")


def test_dashboard_queries_do_not_grow_with_pages(
    studio, photographer, admin_client_for, django_assert_max_num_queries
):
    client = admin_client_for(photographer)
    for n in range(12):
        add_page(studio, f"Page {n}")
    client.get("/admin/", HTTP_HOST="localhost")  # warm Wagtail's caches

    with django_assert_max_num_queries(60):  # every app's panel, each a few queries
        response = client.get("/admin/", HTTP_HOST="localhost")
    assert response.status_code == 200
