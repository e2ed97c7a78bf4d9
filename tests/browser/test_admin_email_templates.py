"""A photographer rewrites an e-mail under Settings → E-mail templates in Chromium, previews it with a sample
client (a name with an apostrophe and an ampersand), sees the change in the subject, the HTML part and the plain
text part (which never shows HTML entities), then saves it: it is their own wording from then on."""

import pytest

from studios.models import EmailTemplate
from tests.factories import photographer_for

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

SUBJECT = "Lovely to hear from you, {{ client.name }}!"
BODY = "Dear {{ client.name }},\n\nThank you & see you soon at {{ studio.name }}.\n\nWe reply within a day."
SAMPLE = "Siobhán O'Brien & Sons"


def test_photographer_edits_and_previews_an_email_template(studio, open_page, live_server):
    photographer_for(studio, email="owner@northlight.test")
    page = open_page()
    admin = live_server.url.replace("127.0.0.1", "localhost")
    page.goto(f"{admin}/admin/")
    page.locator("#id_username").fill("owner@northlight.test")
    page.locator("#id_password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{admin}/admin/")

    page.goto(f"{admin}/admin/email-templates/")  # the list makes the rows (more than one page of them)
    page.get_by_role("link", name="Booking confirmed").first.wait_for()
    row = EmailTemplate.objects.get(studio=studio, key="workflow_inquiry_reply")
    page.goto(f"{admin}/admin/email-templates/edit/{row.pk}/")
    page.locator("#id_subject").wait_for()
    assert page.locator("#id_subject").input_value() == "Thank you for your inquiry, {{ client.name }}"
    page.locator("#id_subject").fill(SUBJECT)
    page.locator("#id_body").fill(BODY)

    with page.page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview with a sample client").click()
    preview = opened.value
    preview.wait_for_load_state()
    subject = preview.locator("[data-email-subject]").inner_text()
    assert subject == f"Lovely to hear from you, {SAMPLE}!"
    text = preview.locator("[data-email-text]").inner_text()
    assert text.startswith(f"Dear {SAMPLE},")
    assert "Thank you & see you soon at Northlight Photography." in text
    assert "&amp;" not in text and "&#x27;" not in text and "&#39;" not in text
    # The HTML part (a sandboxed srcdoc iframe) has the name escaped once.
    html_part = preview.locator("iframe[title='HTML part']").get_attribute("srcdoc")
    assert "Dear Siobhán O&#x27;Brien &amp; Sons," in html_part
    preview.set_viewport_size({"width": 1280, "height": 1100})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    preview.screenshot(path=str(SCREENSHOTS / f"{page.test_name}-preview.png"), full_page=True)
    preview.close()

    # Nothing is saved by previewing; saving makes it the studio's own wording.
    row.refresh_from_db()
    assert row.follows_default and row.subject != SUBJECT
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url(f"{admin}/admin/email-templates/")
    row.refresh_from_db()
    assert (row.subject, row.body, row.follows_default) == (SUBJECT, BODY, False)
    page.screenshot("template-list")
