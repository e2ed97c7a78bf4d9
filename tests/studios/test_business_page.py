"""Business: the studio's numbers as charts a photographer can read at a glance, each with its CSV; drawn on the
server (no chart library, no CDN); only ever the signed-in studio's numbers."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Payment, Refund
from billing.payments import record_succeeded
from galleries.models import DownloadEvent, GalleryAccess
from tests.billing.factories import invoice_for
from tests.factories import BookingFactory, ClientFactory, SessionTypeFactory, photographer_for
from tests.galleries.factories import make_gallery

pytestmark = pytest.mark.django_db

PAGE = "/admin/business/"


@pytest.fixture
def a_admin(admin_client_for, photographer):
    client = admin_client_for(photographer)
    client.defaults["HTTP_HOST"] = "localhost"
    return client


def pay(invoice, at, amount=None):
    payment = Payment.objects.create(
        studio=invoice.studio, invoice=invoice, amount=amount or invoice.total, currency=invoice.currency
    )
    record_succeeded(payment, payment_intent_id=f"pi_{payment.pk}", amount=payment.amount, currency=invoice.currency)
    Payment.objects.filter(pk=payment.pk).update(paid_at=at)
    return payment


def chart_csv(admin, name):
    response = admin.get(f"/admin/business/{name}.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def business(studio):
    """Northlight's year: a wedding paid this month, the same month last year a portrait, a refund, an overdue
    invoice, two sessions and a gallery that was opened and downloaded."""
    now = timezone.now()
    wedding = SessionTypeFactory(studio=studio, name="Wedding")
    emma = ClientFactory(studio=studio, name="Emma <b>Stone</b>")
    booking = BookingFactory(studio=studio, client=emma, session_type=wedding, start=now + timedelta(days=3))
    this_year = invoice_for(studio, client=emma, booking=booking)  # £250.00
    payment = pay(this_year, now)
    Refund.objects.create(studio=studio, payment=payment, amount=5_000, stripe_refund_id="re_1")
    last_year = invoice_for(studio, client=ClientFactory(studio=studio, name="Olly Old"))
    pay(last_year, now.replace(year=now.year - 1, day=min(now.day, 28)))
    overdue = invoice_for(studio, due_date=(now - timedelta(days=5)).date())
    BookingFactory(studio=studio, session_type=wedding, start=now + timedelta(days=5), status="cancelled")
    gallery = make_gallery(studio, title="Stone Wedding", access_code="STONE001")
    GalleryAccess.objects.create(gallery=gallery, email="emma@example.test", expires_at=now + timedelta(days=1))
    DownloadEvent.objects.create(gallery=gallery, kind="zip", email="emma@example.test")
    return {"emma": emma, "overdue": overdue}


def test_the_business_page_draws_every_chart_with_its_numbers(a_admin, studio, business):
    page = a_admin.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("revenue-by-month", "revenue-by-package", "owed", "bookings-by-month", "client-lifetime-value",
                 "gallery-activity"):  # fmt: skip
        assert f'data-chart="{name}"' in html
        assert f'href="/admin/business/{name}.csv"' in html
    assert html.count('<svg class="business-chart"') == 6
    # Client text is escaped inside the SVG, never markup.
    assert "Emma &lt;b&gt;Stone&lt;/b&gt;" in html and "<b>Stone</b>" not in html
    assert "cdn" not in html.lower().split("business-charts")[1]


def test_revenue_by_month_compares_with_last_year_net_of_refunds(a_admin, studio, business):
    rows = chart_csv(a_admin, "revenue-by-month")
    month = timezone.now().astimezone(studio.tz).month
    year = timezone.now().astimezone(studio.tz).year
    assert rows[0] == ["", f"{year} (GBP)", f"{year - 1} (GBP)"]
    assert rows[month] == [rows[month][0], "200.00", "250.00"]  # £250 less the £50 refund; last year's £250
    assert sum(1 for row in rows[1:] if row[1] != "0.00") == 1


def test_packages_owed_lifetime_bookings_and_galleries(a_admin, studio, business):
    packages = chart_csv(a_admin, "revenue-by-package")
    assert packages[0] == ["", "Revenue (GBP)"] and packages[1] == ["Wedding", "200.00"]  # net of the refund
    assert chart_csv(a_admin, "owed")[1:] == [["Outstanding", "0.00"], ["Overdue", "250.00"]]
    ltv = chart_csv(a_admin, "client-lifetime-value")[1:]
    assert ltv[0] == ["Olly Old", "250.00"] and ltv[1] == ["Emma <b>Stone</b>", "200.00"]
    bookings = chart_csv(a_admin, "bookings-by-month")
    assert sum(int(row[1]) for row in bookings[1:]) == 1  # the cancelled one is left out
    activity = chart_csv(a_admin, "gallery-activity")
    assert activity[-1][1:] == ["1", "1"]


def test_a_formula_in_a_client_name_is_not_a_formula_in_the_spreadsheet(a_admin, studio):
    evil = ClientFactory(studio=studio, name='=HYPERLINK("http://evil.example")')
    pay(invoice_for(studio, client=evil), timezone.now())
    names = [row[0] for row in chart_csv(a_admin, "client-lifetime-value")[1:]]
    assert names == ['\'=HYPERLINK("http://evil.example")']


def test_another_studio_sees_only_its_own_numbers(admin_client_for, studio, other_studio, business):
    b_admin = admin_client_for(photographer_for(other_studio, email="owner@harbour.test"))
    b_admin.defaults["HTTP_HOST"] = "localhost"
    html = b_admin.get(PAGE).content.decode()
    assert "Stone" not in html and "Olly Old" not in html and "Wedding" not in html
    assert chart_csv(b_admin, "client-lifetime-value")[1:] == []
    assert b_admin.get("/admin/business/nothing-like-this.csv").status_code == 404


def test_an_empty_studio_says_so(a_admin, studio):
    html = a_admin.get(PAGE).content.decode()
    assert "Nothing to show yet." in html


def test_queries_do_not_grow_with_the_business(a_admin, studio, business, django_assert_max_num_queries):
    a_admin.get(PAGE)
    with django_assert_max_num_queries(60) as few:
        a_admin.get(PAGE)
    for i in range(10):
        pay(invoice_for(studio, client=ClientFactory(studio=studio)), timezone.now())
        # A day apart: the studio's no-overlap constraint refuses two at once.
        BookingFactory(studio=studio, start=timezone.now() + timedelta(days=9 + i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        a_admin.get(PAGE)
