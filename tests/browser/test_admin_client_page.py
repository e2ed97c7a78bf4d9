"""A photographer opens a client from the Clients list in Chromium: contact, stage, tags and the timeline, whose
lines link to the booking, the invoice and each e-mail sent (crm/wagtail_hooks.py, crm/client_emails.py)."""

import pytest
from django.utils import timezone

from crm.activity import record_activity
from crm.models import ClientTag
from studios.models import OutgoingEmail
from tests.billing.factories import invoice_for
from tests.factories import BookingFactory, ClientFactory, photographer_for

pytestmark = pytest.mark.browser


def test_photographer_opens_a_client_and_follows_the_timeline(studio, open_page, live_server):
    photographer_for(studio, email="demo@northlight.test")
    nora = ClientFactory(studio=studio, name="Nora Vale", email="nora@example.test", phone="+44 113 496 0000")
    nora.tags.add(ClientTag.objects.create(studio=studio, name="family"), through_defaults={"studio": studio})
    booking = BookingFactory(studio=studio, client=nora, session_type__name="Family portrait")
    record_activity(nora, "booking_made", "Family portrait", data={"booking": booking.pk})
    invoice = invoice_for(studio, client=nora)  # sent: "Invoice sent" on the timeline, and its e-mail
    OutgoingEmail.objects.create(
        studio=studio, key="test:ready", template="gallery_ready", to=["nora@example.test"],
        subject="Your photos are ready: Vale Family", body="Hello Nora,\n\nYour gallery is ready.",
        state="sent", sent_at=timezone.now(), next_attempt_at=timezone.now(),
    )  # fmt: skip
    admin = live_server.url.replace("127.0.0.1", "localhost")
    page = open_page()
    page.goto(f"{admin}/admin/login/")
    page.get_by_label("E-mail").fill("demo@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")

    page.goto(f"{admin}/admin/clients/")
    page.get_by_role("link", name="Nora Vale").click()
    page.wait_for_url(f"**/admin/clients/inspect/{nora.pk}/")
    main = page.locator("main")
    address = main.get_by_role("link", name="nora@example.test", exact=True)
    assert address.get_attribute("href") == "mailto:nora@example.test"
    assert "family" in main.inner_text()
    timeline = page.locator("ol.crm-timeline")
    assert "E-mail sent: Your photos are ready: Vale Family" in timeline.inner_text()
    page.screenshot("client-page")

    timeline.locator("li", has_text="Invoice sent").get_by_role("link", name="Invoice").click()
    page.wait_for_url(f"**/admin/billing/invoices/inspect/{invoice.pk}/")
    page.go_back()
    timeline.locator("li", has_text="Your photos are ready").get_by_role("link", name="E-mail").click()
    page.wait_for_url(f"**/admin/clients/{nora.pk}/emails/*/")
    assert "Your gallery is ready." in page.locator("main").inner_text()
    page.screenshot("client-email")
    assert not page.console_errors
