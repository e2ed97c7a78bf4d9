"""Money as photographers write it: prices and invoice lines typed in pounds (or yen), tax as a percentage,
stored as before in minor units and basis points. A photographer typing 250 charges £250, not £2.50."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Invoice
from bookings.models import SessionType
from studios.formatting import format_amount, format_money
from studios.money import to_major, to_minor
from tests.factories import ClientFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db

SESSION_TYPE = {
    "name": "Wedding", "description": "", "duration": "08:00:00", "slot_interval": "00:30:00", "price": "250",
    "deposit_amount": "0", "deposit_percent": "0", "buffer_before": "0", "buffer_after": "0",
    "minimum_notice": "1 00:00:00", "booking_horizon": "90 00:00:00", "max_per_day": "", "location": "",
    "contract_template": "", "is_active": "on",
    "client_change_hours": "48", "reschedule_limit": "1", "cancellation_deposit": "kept", "full_refund_hours": "0",
}  # fmt: skip


@pytest.fixture
def a_admin(admin_client_for, photographer):
    client = admin_client_for(photographer)
    client.defaults["HTTP_HOST"] = "localhost"
    return client


def in_yen(studio):
    studio.currency = "JPY"
    studio.save()


def field_value(html, name):
    start = html.index(f'name="{name}"')
    tag = html[html.rindex("<", 0, start) : html.index(">", start)]
    return tag.split('value="')[1].split('"')[0] if 'value="' in tag else ""


@pytest.mark.parametrize(
    "minor, currency, major",
    [(24999, "GBP", "249.99"), (25000, "gbp", "250.00"), (5000, "JPY", "5000"), (12345, "KWD", "12.345")],
)
def test_minor_and_major_units_round_trip_without_float(minor, currency, major):
    assert to_major(minor, currency) == Decimal(major)
    assert to_minor(Decimal(major), currency) == minor


def test_more_decimals_than_the_currency_has_are_refused():
    with pytest.raises(ValueError):
        to_minor(Decimal("10.5"), "JPY")
    with pytest.raises(ValueError):
        to_minor(Decimal("10.001"), "GBP")


def test_yen_is_shown_without_decimals_everywhere():
    assert format_money(5000, "JPY") == "JPY 5,000"
    assert format_amount(5000, "jpy") == "5,000 JPY"
    assert format_amount(24999, "gbp") == "249.99 GBP"


def test_a_price_typed_as_250_is_250_pounds(a_admin, studio):
    form = a_admin.get("/admin/session_types/new/").content.decode()
    assert "Price (GBP)" in form and "e.g. 250 or 249.99" in form

    response = a_admin.post("/admin/session_types/new/", SESSION_TYPE)

    assert response.status_code == 302, response.content.decode()[-2000:]
    wedding = SessionType.objects.get(name="Wedding")
    assert wedding.price == 25_000  # minor units, as stored before
    listing = a_admin.get("/admin/session_types/").content.decode()
    assert "£250.00" in listing and "25000" not in listing
    edit = a_admin.get(f"/admin/session_types/edit/{wedding.pk}/").content.decode()
    assert field_value(edit, "price") == "250.00"


def test_pennies_are_kept_and_a_third_decimal_is_a_clear_error(a_admin, studio):
    a_admin.post("/admin/session_types/new/", {**SESSION_TYPE, "price": "249.99"})
    assert SessionType.objects.get(name="Wedding").price == 24_999

    response = a_admin.post("/admin/session_types/new/", {**SESSION_TYPE, "name": "Mini", "price": "9.999"})
    assert response.status_code == 200
    assert "no more than 2 decimal places" in response.content.decode()
    assert not SessionType.objects.filter(name="Mini").exists()
    response = a_admin.post("/admin/session_types/new/", {**SESSION_TYPE, "name": "Mini", "price": "-5"})
    assert "greater than or equal to 0" in response.content.decode()


def test_a_yen_studio_types_whole_yen(a_admin, studio):
    in_yen(studio)
    a_admin.post("/admin/session_types/new/", {**SESSION_TYPE, "price": "50000"})
    assert SessionType.objects.get(name="Wedding").price == 50_000

    response = a_admin.post("/admin/session_types/new/", {**SESSION_TYPE, "name": "Mini", "price": "500.5"})
    assert "no more than 0 decimal places" in response.content.decode()


def invoice_data(client, **overrides):
    return {
        "client": client.pk, "booking": "", "due_date": (timezone.now() + timedelta(days=10)).date().isoformat(),
        "tax_rate_bps": "20", "notes": "", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "1000", "lines-0-kind": "package",
        "lines-0-description": "Wedding", "lines-0-quantity": "2", "lines-0-unit_amount": "1250.50",
        "lines-0-ORDER": "1", **overrides,
    }  # fmt: skip


def test_an_invoice_in_pounds_with_20_percent_tax(a_admin, studio):
    emma = ClientFactory(studio=studio, name="Emma Client")
    form = a_admin.get("/admin/billing/invoices/new/").content.decode()
    assert "Tax rate (%)" in form and "2000 = 20" not in form and "Unit amount (GBP)" in form

    response = a_admin.post("/admin/billing/invoices/new/", invoice_data(emma))

    assert response.status_code == 302, response.content.decode()[-2000:]
    invoice = Invoice.objects.get()
    assert (invoice.tax_rate_bps, invoice.subtotal, invoice.tax_amount, invoice.total) == (
        2000,
        250_100,
        50_020,
        300_120,
    )
    edit = a_admin.get(f"/admin/billing/invoices/edit/{invoice.pk}/").content.decode()
    assert field_value(edit, "tax_rate_bps") == "20"
    assert field_value(edit, "lines-0-unit_amount") == "1250.50"
    inspect = a_admin.get(f"/admin/billing/invoices/inspect/{invoice.pk}/").content.decode()
    assert "Tax (20 %)" in inspect and " bp)" not in inspect  # it read "Tax (2000 bp)"
    due = invoice.due_date
    assert f"due {due.day} {due:%b %Y}" in inspect


def test_tax_can_have_a_fraction_but_not_exceed_100_percent(a_admin, studio):
    emma = ClientFactory(studio=studio)
    a_admin.post("/admin/billing/invoices/new/", invoice_data(emma, tax_rate_bps="12.5"))
    assert Invoice.objects.get().tax_rate_bps == 1250
    inspect = a_admin.get(f"/admin/billing/invoices/inspect/{Invoice.objects.get().pk}/").content.decode()
    assert "Tax (12.5 %)" in inspect

    response = a_admin.post("/admin/billing/invoices/new/", invoice_data(emma, tax_rate_bps="2000"))
    assert "less than or equal to 100" in response.content.decode() and Invoice.objects.count() == 1


def test_a_yen_invoice_is_whole_yen_end_to_end(a_admin, studio):
    in_yen(studio)
    emma = ClientFactory(studio=studio)
    a_admin.post("/admin/billing/invoices/new/", invoice_data(emma, **{"lines-0-unit_amount": "30000"}))
    invoice = Invoice.objects.get()
    assert (invoice.currency, invoice.subtotal, invoice.total) == ("jpy", 60_000, 72_000)
    assert "72,000 JPY" in a_admin.get(f"/admin/billing/invoices/inspect/{invoice.pk}/").content.decode()

    refused = a_admin.post("/admin/billing/invoices/new/", invoice_data(emma, **{"lines-0-unit_amount": "99.5"}))
    assert "no more than 0 decimal places" in refused.content.decode() and Invoice.objects.count() == 1


def test_session_type_listing_costs_one_query_whatever_the_count(a_admin, studio, django_assert_max_num_queries):
    for n in range(3):
        SessionTypeFactory(studio=studio, name=f"Type {n}")
    a_admin.get("/admin/session_types/")
    for n in range(3, 12):
        SessionTypeFactory(studio=studio, name=f"Type {n}")
    with django_assert_max_num_queries(25) as few:
        a_admin.get("/admin/session_types/")
    for n in range(12, 30):
        SessionTypeFactory(studio=studio, name=f"Type {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        a_admin.get("/admin/session_types/")


def test_a_refund_is_typed_in_the_invoices_currency():
    from billing.admin.invoice_actions import parse_amount
    from billing.invoicing import InvoiceError

    assert parse_amount("120.50", "gbp") == 12_050
    assert parse_amount("5,000", "jpy") == 5_000  # not 500,000 yen
    with pytest.raises(InvoiceError, match="at most 0 decimal places"):
        parse_amount("50.5", "jpy")
    with pytest.raises(InvoiceError, match="as a number"):
        parse_amount("ten pounds", "gbp")


def test_the_invoice_page_gives_payment_times_in_the_studios_zone(a_admin, studio):
    """A New York studio's payment at 21:30 on 3 March there (02:30 on the 4th in UTC) reads 3 Mar 21:30."""
    from datetime import datetime  # noqa: PLC0415
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from billing.models import Payment  # noqa: PLC0415
    from tests.billing.factories import invoice_for  # noqa: PLC0415

    studio.time_zone = "America/New_York"
    studio.save()
    invoice = invoice_for(studio)
    payment = Payment.objects.create(studio=studio, invoice=invoice, amount=5_000, currency=invoice.currency)
    at = datetime(2026, 3, 3, 21, 30, tzinfo=ZoneInfo("America/New_York"))
    Payment.objects.filter(pk=payment.pk).update(created_at=at)

    inspect = a_admin.get(f"/admin/billing/invoices/inspect/{invoice.pk}/").content.decode()
    assert "3 Mar 2026 21:30" in inspect and "4 Mar 2026 02:30" not in inspect
