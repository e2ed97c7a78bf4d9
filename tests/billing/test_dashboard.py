"""Billing's dashboard panels: unpaid and overdue invoices, this month's revenue, plan usage — own studio only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing import revenue
from billing.dashboard import PlanUsagePanel, RevenueThisMonthPanel, UnpaidInvoicesPanel
from billing.invoicing import Line
from billing.models import Payment
from tests.billing.factories import invoice_for
from tests.factories import ClientFactory, photographer_for
from tests.galleries.factories import make_gallery

pytestmark = pytest.mark.django_db


def dashboard(client):
    return client.get("/admin/", HTTP_HOST="localhost").content.decode()


def paid(invoice, amount: int):
    return Payment.objects.create(
        studio=invoice.studio,
        invoice=invoice,
        amount=amount,
        currency=invoice.currency,
        status=Payment.Status.SUCCEEDED,
        stripe_account_id="acct_test",
        paid_at=timezone.now(),
    )


@pytest.fixture
def invoices(studio, other_studio):
    today = revenue.today_in(studio)
    overdue = invoice_for(
        studio,
        Line("Wedding balance", 120_000),
        client=ClientFactory(studio=studio, name="Olive Overdue"),
        due_date=today - timedelta(days=3),
    )
    due = invoice_for(
        studio,
        Line("Portrait session", 25_000),
        client=ClientFactory(studio=studio, name="Dan Due"),
        due_date=today + timedelta(days=10),
    )
    invoice_for(studio, Line("Draft", 9_900), client=ClientFactory(studio=studio, name="Drafty Dee"), send=False)
    invoice_for(
        other_studio,
        Line("Harbour work", 77_700),
        client=ClientFactory(studio=other_studio, name="Harbour Secret"),
        due_date=today - timedelta(days=30),
    )
    return overdue, due


def test_photographer_sees_what_their_clients_owe_and_what_is_overdue(invoices, photographer, admin_client_for):
    overdue, due = invoices

    html = dashboard(admin_client_for(photographer))

    assert "studio-unpaid-invoices" in html
    assert "1,450.00 GBP</strong> owed on 2 invoices" in html
    assert "1,200.00 GBP overdue</strong> on 1" in html
    assert "3 days overdue" in html
    assert overdue.number in html and due.number in html
    assert "Olive Overdue" in html and "Dan Due" in html
    assert "Drafty Dee" not in html  # not sent: nothing owed yet
    assert "Harbour Secret" not in html and "777.00" not in html


def test_the_other_photographer_sees_only_harbours_invoices(invoices, other_photographer, admin_client_for):
    html = dashboard(admin_client_for(other_photographer))

    assert "777.00 GBP</strong> owed on 1 invoice" in html and "Harbour Secret" in html
    assert "Olive Overdue" not in html


def test_this_months_revenue_counts_own_payments_in_the_studio_zone(
    invoices, studio, other_studio, photographer, admin_client_for
):
    overdue, due = invoices
    paid(due, 25_000)
    other = invoice_for(other_studio, Line("Harbour", 50_000), client=ClientFactory(studio=other_studio))
    paid(other, 50_000)

    html = dashboard(admin_client_for(photographer))

    month = revenue.today_in(studio).strftime("%B %Y")
    assert f"{month}, in {studio.time_zone}" in html
    assert '<tr data-revenue="paid"><td>Received (net of refunds)</td><td><strong>250.00 GBP</strong>' in html
    assert "500.00 GBP" not in html  # Harbour's payment


def test_plan_usage_counts_only_the_studios_own_galleries(studio, other_studio, photographer, admin_client_for):
    make_gallery(studio, title="Emma & Jonah")
    for n in range(3):
        make_gallery(other_studio, title=f"Harbour {n}")
    # a second seat taken on Professional, then the studio went back to Starter (one seat)
    from billing.models import Plan, StudioSubscription

    professional = StudioSubscription.objects.create(
        studio=studio, plan=Plan.objects.get(code="professional"), status="active"
    )
    photographer_for(studio, email="second@northlight.test", role="staff")
    professional.delete()

    html = dashboard(admin_client_for(photographer))

    assert "You are on the <strong>Starter</strong> plan." in html
    assert '<tr data-plan-meter="galleries">\n        <td>Active galleries</td>\n        <td>1 of 10</td>' in html
    assert '<tr data-plan-meter="seats">\n        <td>Staff seats</td>\n        <td>2 of 1</td>' in html
    assert "Over the limit" in html


@pytest.mark.parametrize(
    "panel_class, most", [(UnpaidInvoicesPanel, 2), (RevenueThisMonthPanel, 3), (PlanUsagePanel, 8)]
)
def test_panel_queries_do_not_grow_with_invoices(panel_class, most, studio, rf, django_assert_max_num_queries):
    for n in range(12):
        invoice = invoice_for(
            studio, Line("Session", 10_000 + n), due_date=revenue.today_in(studio) - timedelta(days=n)
        )
        paid(invoice, 5_000)
        make_gallery(studio, title=f"Gallery {n}")
    panel = panel_class(studio, rf.get("/admin/"))

    with django_assert_max_num_queries(most):
        context = panel.get_panel_context()
        [invoice.client.name for invoice in context.get("invoices", [])]
