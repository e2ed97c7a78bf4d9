"""A photographer writes an invoice in pounds with 20 % tax, then looks at the Business page's charts of the
demo year, in Chromium."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Invoice
from galleries.models import DownloadEvent, GalleryAccess
from tests.factories import ClientFactory, photographer_for
from tests.galleries.factories import make_gallery

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(open_page, live_server, studio):
    photographer_for(studio, email="demo@northlight.test")
    admin = live_server.url.replace("127.0.0.1", "localhost")
    page = open_page()
    page.goto(f"{admin}/admin/login/")
    page.locator("#id_username").fill("demo@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    return page, admin


def test_an_invoice_typed_in_pounds_with_20_percent_tax(signed_in, studio):
    page, admin = signed_in
    emma = ClientFactory(studio=studio, name="Emma Hart")

    page.goto(f"{admin}/admin/billing/invoices/new/")
    page.locator("#id_client").select_option(str(emma.pk))
    page.locator("#id_due_date").fill((timezone.now() + timedelta(days=14)).date().isoformat())
    page.keyboard.press("Escape")  # the date picker
    page.get_by_label("Tax rate (%)").fill("20")
    page.locator("#id_lines-0-description").fill("Wedding — full day")
    page.locator("#id_lines-0-quantity").fill("1")
    page.locator("#id_lines-0-unit_amount").fill("2400")
    page.screenshot("invoice-form")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/admin/billing/invoices/**")

    invoice = Invoice.objects.get(client=emma)
    # £2,400 typed is 240,000 pence; 20 % is 2,000 basis points; the total carries the tax.
    assert (invoice.subtotal, invoice.tax_rate_bps, invoice.tax_amount, invoice.total) == (
        240_000,
        2000,
        48_000,
        288_000,
    )
    page.goto(f"{admin}/admin/billing/invoices/inspect/{invoice.pk}/")
    text = page.locator("main").inner_text()
    assert "2,880.00" in text and "288000" not in text
    assert "Tax (20 %)" in text and "2000 bp" not in text
    page.screenshot("invoice-inspect")


def test_the_business_page_draws_the_demo_year(signed_in, studio):
    from cms.management.commands.seed_demo import app_seeders

    for seed in app_seeders():
        if seed.__module__ in {"crm.demo", "bookings.demo", "contracts.demo", "billing.demo"}:
            seed(studio, io.StringIO())
    # The demo gallery's photos are not needed for its activity: a client opened it and downloaded it.
    gallery = make_gallery(studio, title="Hart Wedding", access_code="HART2026")
    GalleryAccess.objects.create(
        gallery=gallery, email="emma@example.test", expires_at=timezone.now() + timedelta(days=1)
    )
    DownloadEvent.objects.create(gallery=gallery, kind="zip", email="emma@example.test")
    page, admin = signed_in

    page.goto(f"{admin}/admin/business/")
    charts = page.locator("svg.business-chart")
    assert charts.count() == 6
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 100  # drawn at a readable size, not collapsed
    # The demo's paid and partly paid invoices are this studio's revenue: bars with height, not an empty chart.
    revenue = page.locator('[data-chart="revenue-by-month"] svg')
    heights = revenue.locator("rect").evaluate_all("rects => rects.map(r => r.getBBox().height)")
    assert any(height > 1 for height in heights)
    owed = page.locator('[data-chart="owed"]').inner_text()
    assert "Overdue" in owed
    # Only what is late is drawn red.
    tones = page.locator('[data-chart="owed"] rect').evaluate_all("rects => rects.map(r => r.getAttribute('class'))")
    assert tones == ["bar bar-primary", "bar bar-critical"]
    # Twelve month names side by side never run into each other.
    spans = page.locator('[data-chart="bookings-by-month"] text.label').evaluate_all(
        "ts => ts.map(t => { const b = t.getBoundingClientRect(); return [b.left, b.right]; })"
    )
    assert len(spans) == 12 and all(left[1] <= right[0] for left, right in zip(spans, spans[1:]))
    csv = page.locator('[data-chart="owed"] a[href$=".csv"]')
    with page.expect_download() as download:
        csv.click()
    assert download.value.suggested_filename.endswith(".csv")
    assert not page.console_errors
    page.screenshot("business-charts")
