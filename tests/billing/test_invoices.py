"""Invoices: numbers in sequence per studio, totals with tax and discounts, payment schedules."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from billing.invoicing import (
    InvoiceError,
    Line,
    create_invoice,
    invoice_for_booking,
    next_payment_amount,
    send_invoice,
    today_for,
    void_invoice,
)
from billing.models import Invoice, InvoiceLine
from tests.factories import BookingFactory, ClientFactory, SessionTypeFactory

from .factories import invoice_for

pytestmark = pytest.mark.django_db


def test_numbers_run_in_sequence_per_studio(studio, other_studio):
    a1 = invoice_for(studio, send=False)
    a2 = invoice_for(studio, send=False)
    b1 = invoice_for(other_studio, send=False)
    assert (a1.number, a2.number, b1.number) == ("NORTHL-0001", "NORTHL-0002", "HARBOU-0001")
    assert (a1.sequence, a2.sequence, b1.sequence) == (1, 2, 1)


def test_totals_with_addons_discount_and_half_up_tax(studio):
    invoice = invoice_for(
        studio,
        Line("Wedding — full day", 250_000),
        Line("Extra hour", 15_000, quantity=2, kind=InvoiceLine.Kind.ADDON),
        Line("Returning client", 10_001, kind=InvoiceLine.Kind.DISCOUNT),
        tax_rate_bps=2000,
        send=False,
    )
    assert invoice.subtotal == 250_000 + 30_000 - 10_001
    assert invoice.tax_amount == 54_000  # 269 999 × 20 % = 53 999.8
    assert invoice.total == 323_999
    assert invoice.currency == "gbp"


def test_tax_rounds_half_up(studio):
    assert invoice_for(studio, Line("a", 2_5), tax_rate_bps=1000, send=False).tax_amount == 3  # 2.5 → 3
    assert invoice_for(studio, Line("b", 2_4), tax_rate_bps=1000, send=False).tax_amount == 2  # 2.4 → 2
    assert invoice_for(studio, Line("c", 333), tax_rate_bps=1250, send=False).tax_amount == 42  # 41.625 → 42


def test_discounts_larger_than_the_invoice_are_refused_and_nothing_is_saved(studio):
    client = ClientFactory(studio=studio)
    with pytest.raises(ValidationError, match="cannot be negative"):
        create_invoice(studio, client, [Line("a", 100), Line("too much", 200, kind=InvoiceLine.Kind.DISCOUNT)])
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_client_of_another_studio_is_refused(studio, other_studio):
    with pytest.raises(InvoiceError, match="belong to this studio"):
        create_invoice(studio, ClientFactory(studio=other_studio), [Line("a", 100)])
    assert not Invoice.objects.exists()


def test_booking_invoice_has_deposit_now_and_balance_before_the_session(studio, settings):
    settings.BILLING_BALANCE_DAYS_BEFORE_SESSION = 14
    package = SessionTypeFactory(studio=studio, name="Family portrait", price=40_000, deposit_percent=25)
    booking = BookingFactory(studio=studio, session_type=package)
    booking.start = booking.start + timedelta(days=30)
    booking.end = booking.start + timedelta(hours=1)
    booking.save()
    invoice = invoice_for_booking(booking, extra_lines=[Line("Album", 5_000, kind="addon")])
    steps = list(invoice.installments.all())
    assert [(s.kind, s.amount) for s in steps] == [("deposit", 11_250), ("balance", 33_750)]
    assert steps[0].due_date == today_for(studio)
    assert steps[1].due_date == booking.start.astimezone(studio.tz).date() - timedelta(days=14)
    assert invoice.due_date == steps[1].due_date
    invoice.status = Invoice.Status.SENT
    assert next_payment_amount(invoice) == 11_250


def test_fixed_deposit_and_a_session_too_soon_for_the_balance_date(studio):
    package = SessionTypeFactory(studio=studio, price=20_000, deposit_amount=5_000, deposit_percent=0)
    booking = BookingFactory(studio=studio, session_type=package)  # 14 days away
    invoice = invoice_for_booking(booking)
    steps = list(invoice.installments.all())
    assert [(s.kind, s.amount) for s in steps] == [("deposit", 5_000), ("balance", 15_000)]
    assert steps[1].due_date >= today_for(studio)


def test_send_and_void_rules(studio, mailoutbox, django_capture_on_commit_callbacks):
    invoice = invoice_for(studio, send=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_invoice(invoice, link="http://northlight.localhost/invoices/x/")
    assert invoice.status == "sent" and invoice.issued_at
    assert mailoutbox[0].to == [invoice.client.email]
    assert "250.00 GBP" in mailoutbox[0].body and "http://northlight.localhost/invoices/x/" in mailoutbox[0].body
    with pytest.raises(InvoiceError, match="already sent"):
        send_invoice(invoice, link="x")
    void_invoice(invoice)
    assert Invoice.objects.get(pk=invoice.pk).status == "void"


def test_an_empty_invoice_cannot_be_sent(studio):
    invoice = create_invoice(studio, ClientFactory(studio=studio), [])
    with pytest.raises(InvoiceError, match="Add at least one line"):
        send_invoice(invoice, link="x")
    assert Invoice.objects.get(pk=invoice.pk).status == "draft"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_invoices_get_distinct_numbers_without_gaps(studio):
    client = ClientFactory(studio=studio)
    errors = []

    def make():
        try:
            for _ in range(5):
                create_invoice(studio, client, [Line("a", 100)])
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(Invoice.objects.for_studio(studio).values_list("sequence", flat=True)) == list(range(1, 21))
