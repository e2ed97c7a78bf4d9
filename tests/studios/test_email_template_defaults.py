"""E-mail templates follow the platform's default until the studio writes its own (issue 15): a row made for
the admin's list, or reset, sends whatever the default is at the time, so a later change to a default reaches
every studio that kept it; a studio's own wording stays. And what sending one templated e-mail costs does not
grow with the studio's templates or clients."""

import dataclasses
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studios import outbox
from studios.email_admin import ensure_templates
from studios.models import EmailTemplate, OutgoingEmail
from studios.outbox import send_templated_email
from tests.factories import ClientFactory
from workflows import emails as workflow_emails

pytestmark = pytest.mark.django_db

HOST = {"HTTP_HOST": "localhost"}
KEY = "workflow_inquiry_reply"
NEW_SUBJECT = "We have your message, {{ client.name }}"
NEW_BODY = "Hello {{ client.name }},\n\n{{ studio.name }} will reply by Friday."


@pytest.fixture
def new_default():
    """The platform changes the inquiry auto-reply's default wording (a new release)."""
    specs = workflow_emails.SPECS  # the list the workflows' `register_email_templates` hook returns
    index = next(i for i, spec in enumerate(specs) if spec.key == KEY)
    original = specs[index]

    def change():
        specs[index] = dataclasses.replace(original, subject=NEW_SUBJECT, body=NEW_BODY)

    yield change
    specs[index] = original


def _send(studio, to="emma@example.test", n=1):
    client = ClientFactory(studio=studio, name="Emma", email=to)
    context = {"studio": studio, "client": client, "about": client}
    return send_templated_email(studio, KEY, [to], context, key=f"test:{to}:{n}", about=client)


def _listing(browser) -> str:
    """Every page of Settings → E-mail templates (more e-mails than one page holds)."""
    pages = [browser.get("/admin/email-templates/", {"p": n}, **HOST) for n in (1, 2, 3)]
    return "".join(page.content.decode() for page in pages if page.status_code == 200)


def _row(studio):
    return EmailTemplate.objects.get(studio=studio, key=KEY)


def test_an_untouched_template_follows_a_later_default(studio, photographer, admin_client_for, new_default):
    browser = admin_client_for(photographer)
    assert browser.get("/admin/email-templates/", **HOST).status_code == 200  # the rows are made
    assert _row(studio).follows_default
    new_default()
    assert _send(studio).subject == "We have your message, Emma"
    # The list and the form show the wording that is sent.
    listing = _listing(browser)
    assert "We have your message, {{ client.name }}" in listing and "Platform default" in listing
    assert _row(studio).subject == NEW_SUBJECT
    form = browser.get(f"/admin/email-templates/edit/{_row(studio).pk}/", **HOST).content.decode()
    assert "will reply by Friday." in form


def test_the_studios_own_wording_stays_when_the_default_changes(studio, photographer, admin_client_for, new_default):
    browser = admin_client_for(photographer)
    browser.get("/admin/email-templates/", **HOST)
    row = _row(studio)
    mine = {"subject": "Thanks, {{ client.name }}!", "body": "Hi {{ client.name }},\r\n\r\nTalk soon."}
    assert browser.post(f"/admin/email-templates/edit/{row.pk}/", mine, **HOST).status_code == 302
    row.refresh_from_db()
    assert not row.follows_default and row.body == "Hi {{ client.name }},\n\nTalk soon."
    new_default()
    email = _send(studio)
    assert email.subject == "Thanks, Emma!" and "Talk soon." in email.body
    assert "Your own" in _listing(browser)

    # "Reset to default": the row follows the default again, today's.
    assert browser.post(f"/admin/email-templates/{row.pk}/reset/", **HOST).status_code == 302
    row.refresh_from_db()
    assert row.follows_default and row.subject == NEW_SUBJECT
    assert _send(studio, "jo@example.test").subject == "We have your message, Emma"


def test_saving_the_default_as_it_is_keeps_following_it(studio, photographer, admin_client_for, new_default):
    browser = admin_client_for(photographer)
    browser.get("/admin/email-templates/", **HOST)
    row = _row(studio)
    # What the browser sends back unchanged (textareas use CRLF line breaks).
    same = {"subject": row.subject, "body": row.body.replace("\n", "\r\n")}
    assert browser.post(f"/admin/email-templates/edit/{row.pk}/", same, **HOST).status_code == 302
    assert _row(studio).follows_default
    new_default()
    assert _send(studio).subject == "We have your message, Emma"


def test_the_migration_keeps_changed_rows_and_lets_unchanged_ones_follow(studio):
    ensure_templates(studio)
    EmailTemplate.objects.filter(studio=studio).update(follows_default=False)  # as before the migration
    EmailTemplate.objects.filter(studio=studio, key="gallery_ready").update(subject="Our own subject")
    migration = importlib.import_module("studios.migrations.0005_email_template_follows_default")
    migration.mark_unchanged_rows(django_apps, None)
    rows = dict(EmailTemplate.objects.filter(studio=studio).values_list("key", "follows_default"))
    assert rows.pop("gallery_ready") is False
    assert rows and all(rows.values())


def test_one_studio_changing_a_template_changes_nothing_for_another(studio, other_studio, new_default):
    EmailTemplate.objects.create(studio=other_studio, key=KEY, subject="Harbour says hi", body="Hi")
    ensure_templates(studio)
    new_default()
    assert _send(studio).subject == "We have your message, Emma"
    assert _send(other_studio, "b@example.test").subject == "Harbour says hi"


# --- What one e-mail costs ----------------------------------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


@pytest.mark.parametrize("template", [KEY, "workflow_gallery_expiring"])  # transactional, marketing
def test_queueing_and_sending_a_templated_email_costs_the_same_whatever_the_studio_has(
    studio, template, django_assert_max_num_queries, mailoutbox
):
    def queue(n):
        client = ClientFactory(studio=studio, name=f"Client {n}", email=f"c{n}@example.test")
        context = {"studio": studio, "client": client, "about": client}
        return lambda: send_templated_email(studio, template, [client.email], context, key=f"q:{n}", about=client)

    first = queue(0)
    few = _queries(first)
    first_email = OutgoingEmail.objects.get(key="q:0")
    sent_few = _queries(lambda: outbox.deliver(first_email.pk))

    # Many clients, every template a row, several the studio's own, other e-mails already queued.
    ensure_templates(studio)
    EmailTemplate.objects.filter(studio=studio).exclude(key=template).update(
        follows_default=False, subject="Ours", body="Ours"
    )
    for n in range(1, 31):
        queue(n)()
    later = queue(99)
    with django_assert_max_num_queries(few):
        later()
    email = OutgoingEmail.objects.get(key="q:99")
    with django_assert_max_num_queries(sent_few):
        assert outbox.deliver(email.pk) == "sent"
    # Queueing: the dedupe look-up, the wording, the studio's host (asked by each link), the reply-to owner,
    # suppression, the content type once, the get_or_create; sending: claim, read, suppression, mark sent.
    assert few <= 11 and sent_few <= 4, (few, sent_few)
