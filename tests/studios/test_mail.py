"""studios.mail: one helper renders a studio's templated e-mail and sends it (now, or once the transaction commits)."""

import copy
from datetime import UTC, datetime
from email.utils import getaddresses
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from studios.mail import build_studio_mail, send_studio_mail, send_studio_mail_on_commit


def _invite_context(studio):
    return {
        "studio": studio,
        "role": "Assistant",
        "invited_by": "Ada Owner",
        "email": "sam@example.com",
        "setup_link": None,
        "admin_url": "https://app.example.com/admin/",
    }


def _selection_context():
    return {
        "gallery": SimpleNamespace(title="Autumn wedding"),
        "selection": SimpleNamespace(email="client@example.com"),
        "count": 2,
        "filenames": "DSC_1, DSC_2",
        "admin_url": "https://app.example.com/admin/galleries/1/activity/",
    }


def test_renders_subject_and_text_and_sends_to_the_recipients(studio, mailoutbox):
    context = _invite_context(studio)
    send_studio_mail(studio, ["sam@example.com"], "team_invite", context, reply_to=["owner@example.com"])

    [message] = mailoutbox
    assert message.to == ["sam@example.com"]
    assert message.subject == "You have been added to Northlight Photography on FocusFlow"
    assert "Ada Owner has added you to the team of Northlight Photography on FocusFlow, as assistant." in message.body
    assert message.reply_to == ["owner@example.com"]
    # As the studio: its name, the platform's sending address.
    assert getaddresses([message.from_email]) == [("Northlight Photography", "no-reply@focusflow.local")]
    assert "no-reply@focusflow.local" in django_settings.DEFAULT_FROM_EMAIL
    [(html, mimetype)] = message.alternatives  # the HTML part, from the same source
    assert mimetype == "text/html" and "Ada Owner has added you" in html
    assert message.attachments == []


def test_adds_the_html_alternative_where_a_template_exists(studio, mailoutbox):
    send_studio_mail(studio, ["a@example.com", "b@example.com"], "gallery_selection_submitted", _selection_context())

    [message] = mailoutbox
    assert message.to == ["a@example.com", "b@example.com"]
    assert message.subject == "client@example.com submitted 2 photos in Autumn wedding"
    assert message.body.startswith('client@example.com submitted a selection of 2 photos in "Autumn wedding".')
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "2 photos in &quot;Autumn wedding&quot;" in html


def test_a_given_subject_replaces_the_subject_template_and_attachments_are_attached(studio, mailoutbox):
    pdf = ("Contract v1.pdf", b"%PDF-1.4 test", "application/pdf")
    ics = ("session-1.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar; method=PUBLISH")
    send_studio_mail(
        studio, ["sam@example.com"], "team_invite", _invite_context(studio), subject="Hello", attachments=[pdf, ics]
    )

    [message] = mailoutbox
    assert message.subject == "Hello"
    assert message.attachments[0] == pdf
    assert message.attachments[1][0] == "session-1.ics"
    assert message.attachments[1][2].startswith("text/calendar")


@pytest.fixture
def clock_template(tmp_path, settings):
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "clock_subject.txt").write_text("At {{ at|date:'H:i' }}")
    (tmp_path / "email" / "clock.txt").write_text("{{ at|date:'H:i' }}")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "clock"


def test_studio_time_renders_dates_in_the_studios_zone(studio, clock_template):
    studio.time_zone = "America/New_York"
    at = datetime(2026, 7, 4, 18, 0, tzinfo=UTC)

    assert build_studio_mail(studio, ["x@example.com"], clock_template, {"at": at}).body == "18:00"
    message = build_studio_mail(studio, ["x@example.com"], clock_template, {"at": at}, studio_time=True)
    assert (message.subject, message.body) == ("At 14:00", "14:00")


def test_on_commit_sends_after_the_commit(studio, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_studio_mail_on_commit(studio, ["sam@example.com"], "team_invite", _invite_context(studio))
        assert mailoutbox == []

    assert [message.to for message in mailoutbox] == [["sam@example.com"]]


def test_on_commit_sends_nothing_when_the_transaction_rolls_back(
    studio, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_studio_mail_on_commit(studio, ["sam@example.com"], "team_invite", _invite_context(studio))
        raise RuntimeError("rolled back")

    assert callbacks == []
    assert mailoutbox == []


def test_the_subject_is_one_header_safe_line_of_sensible_length(studio, mailoutbox):
    context = {**_selection_context(), "gallery": SimpleNamespace(title="Autumn\r\nBcc: x@example.com\x00\t wedding")}
    message = build_studio_mail(studio, ["a@example.com"], "gallery_selection_submitted", context)
    assert message.subject == "client@example.com submitted 2 photos in Autumn Bcc: x@example.com wedding"
    message.message()  # no BadHeaderError

    long = build_studio_mail(
        studio, ["a@example.com"], "team_invite", _invite_context(studio), subject="Hello\n" + "x" * 500
    )
    assert long.subject.startswith("Hello xxx") and len(long.subject) <= 200 and long.subject.endswith("…")
    long.message()
