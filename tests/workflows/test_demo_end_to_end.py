"""The issue's "Done means", in one place, on the demo (`manage.py seed_demo`) and through the studio site's
client API as a visitor uses it: an inquiry gets the auto-reply and a run in the log; booking a session starts
the questionnaire workflow (its e-mail) and schedules the 2-days-before reminder (9:00 in the studio's zone);
cancelling the booking cancels that reminder, withdraws the unanswered questionnaire and sends the cancellation
with a METHOD:CANCEL .ics. The other demo studio sees and runs none of it."""

import io
import re
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking
from crm.models import Client, QuestionnaireRequest
from studios.models import OutgoingEmail, Studio
from workflows import engine
from workflows.models import WorkflowRun

pytestmark = pytest.mark.django_db

ADDRESS = "siobhan.obrien@example.test"


def _ics(message) -> str:
    [(name, content, mimetype)] = [a for a in message.attachments if a[0].endswith(".ics")]
    return content.decode() if isinstance(content, bytes) else content


def _with_ics(messages) -> list:
    return [m for m in messages if any(a[0].endswith(".ics") for a in m.attachments)]


def _field(ics: str, name: str) -> str:
    return re.search(rf"^{name}[:;](.*)$", ics, re.M).group(1).strip()


def _to_client(mailoutbox):
    return [m for m in mailoutbox if m.to == [ADDRESS]]


def test_demo_inquiry_booking_and_cancellation_run_the_workflows(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    call_command("seed_demo", stdout=io.StringIO())
    studio = Studio.objects.get(slug="northlight")
    harbour = Studio.objects.get(slug="harbour")
    harbour_runs = WorkflowRun.objects.filter(studio=harbour).count()
    host = {"HTTP_HOST": studio.hostname}

    # 1. An inquiry on the studio's site: the auto-reply, sent as the studio, and a finished run in the log.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/client/inquiries/",
            {"name": "Siobhán O'Brien", "email": ADDRESS, "message": "A family session in spring?"},
            content_type="application/json",
            **host,
        )
    assert response.status_code == 201, response.content
    [reply] = _to_client(mailoutbox)
    assert reply.subject == "Thank you for your inquiry, Siobhán O'Brien"
    assert "Northlight Photography" in reply.from_email
    assert "Siobhán O'Brien" in reply.body and "&#x27;" not in reply.body
    lead = Client.objects.for_studio(studio).get(email=ADDRESS)
    [run] = WorkflowRun.objects.for_studio(studio).filter(client=lead)
    assert (run.workflow.recipe, run.status) == ("inquiry_auto_reply", "done")
    assert list(run.log.values_list("step_index", "status")) == [(-1, "done"), (0, "done")]

    # 2. The client books a family portrait (auto-confirmed) at least a week ahead, from the free slots.
    package = studio.session_types.get(name="Family portrait")
    first_day = timezone.now().astimezone(studio.tz).date() + timedelta(days=8)
    slots = client.get(
        "/api/client/availability/",
        {
            "session_type": package.pk,
            "start": first_day.isoformat(),
            "end": (first_day + timedelta(days=14)).isoformat(),
        },
        **host,
    ).json()["slots"]
    assert slots
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/client/bookings/",
            {"session_type": package.pk, "start": slots[0]["start"], "name": "Siobhán O'Brien", "email": ADDRESS},
            content_type="application/json",
            **host,
        )
    assert response.status_code == 201, response.content
    booking = Booking.objects.for_studio(studio).get(pk=response.json()["id"])
    assert booking.status == "confirmed" and booking.client == lead

    # The questionnaire workflow ran: the questionnaire's e-mail with its link, and a to-do for the studio.
    runs = WorkflowRun.objects.for_studio(studio).filter(client=lead)
    assert runs.get(workflow__recipe="booking_questionnaire").status == "done"
    request = QuestionnaireRequest.objects.for_studio(studio).get(client=lead, booking_id=booking.pk)
    [questionnaire_mail] = [m for m in _to_client(mailoutbox) if f"/questionnaires/{request.token}/" in m.body]
    assert request.title in questionnaire_mail.subject or request.title in questionnaire_mail.body
    assert lead.todos.filter(title="Read the client's questionnaire answers").exists()

    # The reminder waits for 9:00 two days before the session, in the studio's zone (Europe/London).
    reminder = runs.get(workflow__recipe="session_reminder")
    local_start = booking.start.astimezone(studio.tz)
    due = datetime.combine(local_start.date() - timedelta(days=2), time(9, 0)).replace(tzinfo=studio.tz)
    assert reminder.status == "waiting" and reminder.resume_at == due
    assert reminder.next_step_text == "Send an e-mail: Workflow: session reminder"
    assert not OutgoingEmail.objects.for_studio(studio).filter(template="workflow_session_reminder").exists()
    [confirmation] = _with_ics(_to_client(mailoutbox))
    confirmed_ics = _ics(confirmation)

    # 3. The client cancels on their manage link: the reminder is cancelled, the questionnaire withdrawn, and
    # the cancellation carries a METHOD:CANCEL .ics for the same event with a higher SEQUENCE.
    before = len(_to_client(mailoutbox))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/client/bookings/manage/{booking.manage_token}/cancel/",
            {"reason": "We have to move away"},
            content_type="application/json",
            **host,
        )
    assert response.status_code == 200, response.content
    reminder.refresh_from_db()
    assert reminder.status == "cancelled" and reminder.resume_at is None
    request.refresh_from_db()
    assert request.withdrawn_at is not None
    cancellations = _to_client(mailoutbox)[before:]
    [cancellation] = _with_ics(cancellations)
    cancel_ics = _ics(cancellation)
    assert _field(cancel_ics, "METHOD") == "CANCEL" and _field(cancel_ics, "STATUS") == "CANCELLED"
    assert _field(cancel_ics, "UID") == _field(confirmed_ics, "UID")
    assert int(_field(cancel_ics, "SEQUENCE")) > int(_field(confirmed_ics, "SEQUENCE"))

    # The moment the reminder was due comes and goes: nothing is sent.
    engine.run_due(now=due + timedelta(minutes=1))
    assert not OutgoingEmail.objects.filter(template="workflow_session_reminder").exists()
    assert not [m for m in _to_client(mailoutbox) if "See you soon" in m.subject]

    # Studio B (the other demo studio) saw and ran none of it.
    assert WorkflowRun.objects.filter(studio=harbour).count() == harbour_runs
    assert not Client.objects.for_studio(harbour).filter(email=ADDRESS).exists()
