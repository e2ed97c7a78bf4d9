"""E-mail in the studio's name (issue 15): studio-editable templates in the sandbox, text and HTML from one
source, sent as the studio, links on the studio's primary host, unsubscribe and bounce suppression."""

import base64
import json
import re
from email import message_from_bytes
from email.utils import getaddresses

import pytest
from django.core import mail
from django.test import Client as HttpClient

from billing.invoicing import send_invoice
from contracts.tasks import contract_link
from crm.models import Activity
from galleries.proofing import _remind_before_expiry, notify_gallery_ready
from studios import suppression
from studios.email_admin import ensure_templates
from studios.emails import email_spec, email_specs, preview
from studios.models import EmailRecipient, EmailTemplate, OutgoingEmail, StudioDomain
from studios.outbox import send_templated_email
from tests.billing.factories import invoice_for
from tests.factories import ClientFactory
from tests.galleries.factories import make_gallery

pytestmark = pytest.mark.django_db

ADMIN_HOST = {"HTTP_HOST": "localhost"}
ATTACKER = 'Eve "<b>x</b>" https://evil.example/\r\nBcc: victim@example.com'


@pytest.fixture
def obrien(studio):
    return ClientFactory(studio=studio, name="O'Brien & Sons", email="obrien@example.com")


def _gallery(studio, client, **fields):
    from datetime import timedelta

    from django.utils import timezone

    return make_gallery(
        studio, client=client, access_code="OBRIEN24", expires_at=timezone.now() + timedelta(days=4, hours=1), **fields
    )


def _html(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def test_every_system_email_has_a_default_that_passes_the_sandbox():
    specs = email_specs()
    expected = {
        "booking_confirmed", "booking_requested", "booking_reminder", "booking_new", "booking_rescheduled",
        "booking_cancelled", "contract_sent", "contract_signed", "contract_completed", "crm_inquiry",
        "gallery_ready", "gallery_expiring", "gallery_selection_submitted", "billing_invoice", "billing_receipt",
        "team_invite",
    }  # fmt: skip
    assert expected <= set(specs)
    from studios import sandbox

    for spec in specs.values():
        assert sandbox.check_all([spec.subject, spec.body], spec.all_variables) == [], spec.key


def test_plain_text_never_shows_html_entities_and_html_escapes_them(studio, obrien, mailoutbox, settings):
    invoice = invoice_for(studio, client=obrien, send=False)
    send_invoice(invoice)
    [message] = [m for m in mailoutbox if m.to == ["obrien@example.com"]]
    assert "Hello O'Brien & Sons," in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.body
    assert "O&#x27;Brien &amp; Sons" in _html(message)


def test_sent_as_the_studio_with_a_header_safe_name_and_reply_to_the_studio(studio, obrien, mailoutbox):
    studio.name = 'Evil "Studio"\r\nBcc: victim@example.com'
    studio.contact_email = "hello@northlight.test"
    studio.save()
    notify_gallery_ready(_gallery(studio, obrien))
    [message] = mailoutbox
    raw = message.message().as_bytes()
    parsed = message_from_bytes(raw)
    headers = raw.split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in headers and parsed["Bcc"] is None
    [(name, address)] = getaddresses([parsed["From"]])
    assert name == 'Evil "Studio" Bcc: victim@example.com'
    assert address == "no-reply@focusflow.local"
    assert parsed["Reply-To"] == "hello@northlight.test"
    assert "victim@example.com" not in " ".join(message.recipients())


def test_links_use_the_primary_host_scheme_and_port(studio, obrien, settings, mailoutbox):
    settings.STUDIO_LINK_SCHEME, settings.STUDIO_LINK_PORT = "http", "8000"
    gallery = _gallery(studio, obrien)
    notify_gallery_ready(gallery)
    invoice = invoice_for(studio, client=obrien, send=False)
    send_invoice(invoice)
    from django.utils import timezone

    _remind_before_expiry(gallery, timezone.now())
    bodies = {m.subject: m.body for m in mailoutbox}
    base = "http://northlight.localhost:8000"
    assert f"{base}/galleries/?code=OBRIEN24" in bodies[f"Your photos are ready: {gallery.title}"]
    assert f"{base}/invoices/{invoice.token}/" in bodies[f"Invoice {invoice.number} from {studio.name}"]
    assert f"{base}/galleries/?code=OBRIEN24" in bodies[f"{gallery.title} closes in 4 days"]

    # A verified custom domain is the primary host; production has https and no port.
    StudioDomain.objects.create(studio=studio, hostname="photos.northlight.example", is_verified=True)
    settings.STUDIO_LINK_SCHEME, settings.STUDIO_LINK_PORT = "https", ""
    from types import SimpleNamespace

    assert (
        contract_link(SimpleNamespace(studio=studio, token="abc")) == "https://photos.northlight.example/contracts/abc/"
    )


def test_the_studios_wording_is_sent_and_client_text_stays_text(studio, mailoutbox):
    eve = ClientFactory(studio=studio, name=ATTACKER, email="eve@example.com")
    EmailTemplate.objects.create(
        studio=studio,
        key="gallery_ready",
        subject="{{ client.name }}, your photos!",
        body="Dear {{ client.name }},\n\nSee {{ gallery.url }} or https://northlight.example/faq\n\n"
        "Download PIN: {{ gallery.pin }}",
    )
    notify_gallery_ready(_gallery(studio, eve))
    [message] = mailoutbox
    assert "\n" not in message.subject and message.subject.endswith("your photos!")
    assert message.body.startswith('Dear Eve "<b>x</b>" https://evil.example/ Bcc: victim@example.com,')
    assert "Download PIN" not in message.body  # the gallery has no PIN: the line is left out
    html = _html(message)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert 'href="https://evil.example/' not in html  # a client's text is never a link
    assert 'href="https://northlight.example/faq"' in html  # the studio's own is
    assert 'href="http' in html and "/galleries/?code=OBRIEN24" in html


def test_preview_uses_a_sample_client(studio):
    rendered = preview(studio, email_spec("contract_sent"))
    assert rendered.text.startswith("Hi Siobhán O'Brien & Sons,")
    assert "Siobhán O&#x27;Brien &amp; Sons" in rendered.html


# --- The admin: studio-scoped, sandboxed -------------------------------------------------------------------


def test_the_admin_lists_every_email_and_edits_within_the_sandbox(studio, photographer, admin_client_for):
    client = admin_client_for(photographer)
    response = client.get("/admin/email-templates/", **ADMIN_HOST)
    assert response.status_code == 200
    assert "Gallery ready (to the client)" in response.content.decode()
    row = EmailTemplate.objects.get(studio=studio, key="contract_sent")

    bad = {"subject": "Sign {{ settings.SECRET_KEY }}", "body": "{% load static %}{{ client.name }}"}
    response = client.post(f"/admin/email-templates/edit/{row.pk}/", bad, **ADMIN_HOST)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Unknown variable" in content and "Template tags" in content
    row.refresh_from_db()
    assert "SECRET_KEY" not in row.subject

    good = {"subject": "Your contract, {{ client.name }}", "body": "Sign here: {{ contract.link }}"}
    response = client.post(f"/admin/email-templates/edit/{row.pk}/", good, **ADMIN_HOST)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.subject == "Your contract, {{ client.name }}"

    response = client.post(f"/admin/email-templates/{row.pk}/preview/", good, **ADMIN_HOST)
    assert response.status_code == 200
    assert "Your contract, Siobhán O&#x27;Brien &amp; Sons" in response.content.decode()
    # The HTML part sits whole inside its iframe's srcdoc: none of its quotes end the attribute.
    srcdoc = re.search(r'srcdoc="([^"]*)"', response.content.decode()).group(1)
    assert srcdoc.startswith("&lt;!doctype html&gt;") and "&lt;/html&gt;" in srcdoc


def test_studio_b_cannot_see_or_edit_as_templates(
    studio, other_studio, photographer, other_photographer, admin_client_for
):
    ensure_templates(studio)
    row = EmailTemplate.objects.get(studio=studio, key="gallery_ready")
    row.subject = "Northlight secret subject"
    row.save()
    client = admin_client_for(other_photographer)
    listing = client.get("/admin/email-templates/", **ADMIN_HOST)
    assert listing.status_code == 200 and "Northlight secret subject" not in listing.content.decode()
    for method, url in [
        ("get", f"/admin/email-templates/edit/{row.pk}/"),
        ("post", f"/admin/email-templates/edit/{row.pk}/"),
        ("get", f"/admin/email-templates/{row.pk}/preview/"),
        ("post", f"/admin/email-templates/{row.pk}/reset/"),
    ]:
        response = getattr(client, method)(url, {"subject": "Hacked", "body": "Hacked"}, **ADMIN_HOST)
        assert response.status_code == 404, (method, url, response.status_code)
    row.refresh_from_db()
    assert row.subject == "Northlight secret subject"
    assert EmailTemplate.objects.filter(studio=other_studio, key="gallery_ready").exists()  # B has its own


# --- Unsubscribe (marketing only) and bounces ----------------------------------------------------------------


def test_marketing_email_has_one_click_unsubscribe_and_transactional_has_none(studio, obrien, mailoutbox):
    from django.utils import timezone

    gallery = _gallery(studio, obrien)
    notify_gallery_ready(gallery)
    _remind_before_expiry(gallery, timezone.now())
    ready, expiring = mailoutbox
    assert "List-Unsubscribe" not in ready.extra_headers
    assert expiring.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = expiring.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://northlight.localhost/email/unsubscribe/")
    assert url in expiring.body and url in _html(expiring)

    path = url.removeprefix("https://northlight.localhost")
    http = HttpClient(enforce_csrf_checks=True)
    page = http.get(path, HTTP_HOST=studio.hostname)
    assert page.status_code == 200 and not suppression.is_unsubscribed(studio, obrien.email)  # GET changes nothing
    # RFC 8058: the mail client POSTs this body, without cookies or a CSRF token.
    one_click = http.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded",
                          HTTP_HOST=studio.hostname)  # fmt: skip
    assert one_click.status_code == 200
    assert suppression.is_unsubscribed(studio, obrien.email)
    assert Activity.objects.filter(client=obrien, kind="email_unsubscribed").exists()

    mailoutbox.clear()
    _remind_before_expiry(gallery, timezone.now() + timezone.timedelta(days=3))  # the 1-day reminder
    notify_gallery_ready(gallery)
    assert [m.subject for m in mailoutbox] == [f"Your photos are ready: {gallery.title}"]  # transactional still goes
    assert OutgoingEmail.objects.filter(template="gallery_expiring", state="suppressed").count() == 1


def test_an_unsubscribe_link_is_404_on_another_studios_host(studio, other_studio, obrien):
    token = suppression.unsubscribe_token(studio, obrien.email)
    response = HttpClient().post(f"/email/unsubscribe/{token}/", HTTP_HOST=other_studio.hostname)
    assert response.status_code == 404
    assert HttpClient().post(f"/email/unsubscribe/{token}x/", HTTP_HOST=studio.hostname).status_code == 404
    assert not suppression.is_unsubscribed(studio, obrien.email)


POSTMARK_SECRET = "anymail:webhook-secret"


def _postmark_bounce(email: OutgoingEmail, recipient: str) -> dict:
    return {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "6e2c6b3a-0000-4000-8000-000000000001",
        "Email": recipient,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 unknown user",
        "BouncedAt": "2026-12-03T08:00:00Z",
        "Metadata": {"studio": str(email.studio_id), "outbox": str(email.pk)},
        "Tag": "",
        "MessageStream": "outbound",
    }


def test_a_bounce_from_the_providers_webhook_suppresses_the_address_for_that_studio_only(
    studio, other_studio, obrien, settings, mailoutbox
):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": POSTMARK_SECRET}
    b_client = ClientFactory(studio=other_studio, name="Also O'Brien", email=obrien.email)
    gallery = _gallery(studio, obrien)
    notify_gallery_ready(gallery)
    assert [m.to for m in mailoutbox] == [[obrien.email]]
    sent = OutgoingEmail.objects.get(studio=studio, template="gallery_ready")
    assert sent.state == "sent"

    auth = "Basic " + base64.b64encode(POSTMARK_SECRET.encode()).decode()
    response = HttpClient().post(
        "/anymail/postmark/tracking/",
        json.dumps(_postmark_bounce(sent, obrien.email)),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200
    recipient = EmailRecipient.objects.get(studio=studio, address=obrien.email)
    assert recipient.suppressed_reason == "bounced" and "unknown user" in recipient.suppressed_detail
    assert not EmailRecipient.objects.filter(studio=other_studio).exists()  # B's client is not affected
    [entry] = Activity.objects.filter(client=obrien, kind="email_suppressed")
    assert obrien.email in entry.summary and "bounced" in entry.summary
    assert not Activity.objects.filter(client=b_client, kind="email_suppressed").exists()

    mailoutbox.clear()
    notify_gallery_ready(gallery)  # even a transactional e-mail is not sent to a bounced address
    assert mailoutbox == []
    assert OutgoingEmail.objects.filter(studio=studio, template="gallery_ready", state="suppressed").exists()
    context = {"gallery": gallery, "client": b_client, "studio": other_studio, "url": "https://x.example/"}
    send_templated_email(other_studio, "gallery_ready", [b_client.email], context, key="b:1")
    assert [m.to for m in mailoutbox] == [[b_client.email]]  # B still sends to the address


def test_a_webhook_without_the_secret_changes_nothing(studio, obrien, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": POSTMARK_SECRET}
    notify_gallery_ready(_gallery(studio, obrien))
    assert len(mail.outbox) == 1
    sent = OutgoingEmail.objects.get(studio=studio, template="gallery_ready")
    response = HttpClient().post(
        "/anymail/postmark/tracking/",
        json.dumps(_postmark_bounce(sent, obrien.email)),
        content_type="application/json",
        HTTP_HOST="localhost",
    )
    assert response.status_code in (400, 401, 403)
    assert not EmailRecipient.objects.exists()
