"""The billing demo: a plan with visible usage, a connected account, paid / partly paid / overdue invoices."""

import io

import pytest
from django.core.management import call_command

from billing import limits
from billing.models import ConnectedAccount, Invoice, Payment, StudioSubscription
from studios.models import Studio

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_the_same_billing_demo(client, settings):
    settings.STRIPE_SECRET_KEY = ""  # proves the demo never needs Stripe
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    studio = Studio.objects.get(slug="northlight")
    assert limits.plan_for(studio).code == "studio"  # the demo shows every feature
    assert StudioSubscription.objects.get(studio=studio).status == "active"
    assert ConnectedAccount.objects.get(studio=studio).charges_enabled
    assert limits.usage(studio).storage_bytes > 0 and limits.usage(studio).staff_seats == 1

    invoices = {i.token: i for i in Invoice.objects.for_studio(studio)}
    assert invoices["demo-northlight-paid"].status == "paid"
    assert invoices["demo-northlight-partly-paid"].status == "partially_paid"
    overdue = invoices["demo-northlight-overdue"]
    assert overdue.status == "sent" and overdue.is_overdue()
    assert Invoice.objects.count() == 6 and Payment.objects.count() == 4

    body = client.get("/api/client/invoices/demo-northlight-partly-paid/", HTTP_HOST="northlight.localhost").json()
    assert body["amount_paid"] == body["total"] // 4 and body["next_payment"] == body["amount_due"]

    # The admin shows it to the demo login.
    signed_in = client.post(
        "/admin/login/", {"username": "demo@northlight.test", "password": "northlight-demo"}, HTTP_HOST="localhost"
    )
    assert signed_in.status_code == 302  # the sign-in form, as a person uses it (django-axes needs the request)
    page = client.get("/admin/billing/plan/", HTTP_HOST="localhost").content.decode()
    assert "Your plan: Studio — Active" in page and "acct_demo_northlight" in page
    revenue = client.get("/admin/billing/revenue.csv", HTTP_HOST="localhost").content.decode()
    assert revenue.count("\n") == 13
