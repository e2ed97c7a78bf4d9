"""Questionnaires: the studio's forms (crm.Questionnaire) sent to a client by secret link, answered on the
studio's site (cms/questionnaire_page.py) or through the client API (crm/api/questionnaires.py).

- `send_questionnaire(studio, client, questionnaire, booking=…, by=…)`: freezes the questions, e-mails the link
  (the studio-editable "questionnaire" e-mail), records "Questionnaire sent"; sending the same questionnaire to
  the same client for the same booking again returns the open request and sends nothing.
- `submit_answers(request, data)`: validates (required answers, choices, dates), stores the answers as text,
  records "Questionnaire answered" with them on the client's timeline and publishes `questionnaire.answered`.
- `withdraw_request(request, reason=…, by=…)` / `withdraw_requests_for_booking(studio, booking_id, …)`: take back
  a request not answered yet (a cancelled booking's: crm.subscribers): its link then says it was withdrawn and
  takes no answers, it leaves the portal's open list, and the timeline records it.
- `open_requests_for(client)`: what the client still has to answer (the client portal)."""

import re
from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from studios import events
from studios.errors import CONFLICT, NOT_FOUND, DomainError
from studios.models import Studio
from studios.outbox import send_templated_email

from .activity import record_activity
from .models import Activity, Client, Questionnaire, QuestionnaireRequest
from .questionnaire_blocks import freeze, stream_data

SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 5000
YES = ("yes", "true", "1", "on")
NO = ("no", "false", "0")
# NUL cannot be stored in PostgreSQL text; other control characters (but tab and line breaks) are never meant.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QuestionnaireError(DomainError):
    code = "questionnaire_invalid"


def request_for_token(studio: Studio | None, token: str) -> QuestionnaireRequest | None:
    """The studio's questionnaire request behind a client's secret link; None for any other studio's, or none."""
    if studio is None or not token:
        return None
    return (
        QuestionnaireRequest.objects.for_studio(studio)
        .select_related("studio", "client", "questionnaire")
        .filter(token=token)
        .first()
    )


def _booking_id(studio: Studio, booking) -> int | None:
    """A booking object (crm does not import bookings: any object with `pk` and `studio_id`) or its id."""
    if booking is None:
        return None
    if isinstance(booking, int):
        return booking
    if getattr(booking, "studio_id", studio.pk) != studio.pk:
        raise QuestionnaireError("booking_not_found", "That booking is not one of this studio's.", NOT_FOUND)
    return booking.pk


@transaction.atomic
def send_questionnaire(
    studio: Studio, client: Client, questionnaire: Questionnaire, *, booking=None, by=None
) -> QuestionnaireRequest:
    """Send `questionnaire` to `client` (about `booking`, optional); returns the open request if there is one."""
    if client.studio_id != studio.pk:
        raise QuestionnaireError("client_not_found", "That client is not one of this studio's.", NOT_FOUND)
    if questionnaire.studio_id != studio.pk:
        raise QuestionnaireError("questionnaire_not_found", "That questionnaire is not this studio's.", NOT_FOUND)
    booking_id = _booking_id(studio, booking)
    # One sender at a time per client: a replayed workflow step finds the request the first one made.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    existing = (
        QuestionnaireRequest.objects.for_studio(studio)
        .filter(
            questionnaire=questionnaire,
            client=client,
            booking_id=booking_id,
            answered_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    questions = freeze(questionnaire.questions)
    if not questions:
        raise QuestionnaireError("questionnaire_empty", "Add at least one question before sending it.")
    request = QuestionnaireRequest.objects.create(
        studio=studio,
        questionnaire=questionnaire,
        client=client,
        booking_id=booking_id,
        title=questionnaire.name,
        intro=questionnaire.intro,
        questions=questions,
        sent_by=by if getattr(by, "pk", None) else None,
    )
    request.studio = studio
    request.client = client
    send_templated_email(
        studio, "questionnaire", [client.email], {"request": request}, key=f"questionnaire:{request.pk}", about=client
    )
    record_activity(
        client,
        Activity.Kind.QUESTIONNAIRE_SENT,
        request.title,
        data={"questionnaire_request": request.pk, "booking": booking_id},
        user=by if getattr(by, "pk", None) else None,
    )
    return request


# --- Answers ------------------------------------------------------------------------------------------------


def _text(value, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("Write your answer as text.")
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(text) > limit:
        raise ValueError(f"Keep it under {limit} characters.")
    return text


def _clean(question: dict, value):
    """(stored value, display text) for one answer; raises ValueError with a message for the client."""
    kind = question["type"]
    if kind in ("short_text", "long_text"):
        text = _text(value, SHORT_TEXT_MAX if kind == "short_text" else LONG_TEXT_MAX)
        if kind == "short_text":
            text = " ".join(text.split())
        return text, text
    if kind == "choice":
        text = _text(value, SHORT_TEXT_MAX)
        if text and text not in question["options"]:
            raise ValueError("Choose one of the options.")
        return text, text
    if kind == "date":
        text = _text(value, 40)
        if not text:
            return "", ""
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError("Enter a date like 2027-09-12.") from None
        return day.isoformat(), day.strftime("%-d %B %Y")
    if kind == "yes_no":
        if isinstance(value, bool):
            return value, "Yes" if value else "No"
        text = _text(value, 10).lower()
        if text in YES:
            return True, "Yes"
        if text in NO:
            return False, "No"
        if text:
            raise ValueError("Answer yes or no.")
        return None, ""
    raise ValueError("This question cannot be answered.")


def clean_answers(request: QuestionnaireRequest, data: Mapping) -> list[dict]:
    """The answers in question order, or QuestionnaireError naming each question at fault (by its id)."""
    if not isinstance(data, Mapping):
        raise QuestionnaireError(message="Send the answers as an object keyed by question id.")
    answers, errors = [], {}
    for question in request.questions:
        raw = data.get(question["id"])
        try:
            value, text = _clean(question, raw)
        except ValueError as exc:
            errors[question["id"]] = [str(exc)]
            continue
        if question["required"] and text == "":
            errors[question["id"]] = ["Please answer this question."]
            continue
        answers.append(
            {"id": question["id"], "label": question["label"], "type": question["type"], "value": value, "text": text}
        )
    if errors:
        raise QuestionnaireError(message="Some answers need another look.", fields=errors)
    return answers


@transaction.atomic
def submit_answers(request: QuestionnaireRequest, data: Mapping) -> QuestionnaireRequest:
    """Store the client's answers (once: a replayed or second submit is a conflict and changes nothing)."""
    locked = QuestionnaireRequest.objects.select_for_update().get(pk=request.pk, studio_id=request.studio_id)
    if locked.answered_at is not None:
        raise QuestionnaireError(
            "questionnaire_answered", "You have already answered this questionnaire. Thank you!", CONFLICT
        )
    if locked.withdrawn_at is not None:
        raise QuestionnaireError(
            "questionnaire_withdrawn", f"{request.studio.name} has withdrawn this questionnaire.", CONFLICT
        )
    answers = clean_answers(locked, data)
    locked.answers = answers
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answers", "answered_at"])
    client = request.client
    record_activity(
        client,
        Activity.Kind.QUESTIONNAIRE_ANSWERED,
        locked.title,
        data={
            "questionnaire_request": locked.pk,
            "answers": [{"label": a["label"], "text": a["text"]} for a in answers],
        },
    )
    request.answers, request.answered_at = locked.answers, locked.answered_at
    events.publish(request.studio, "questionnaire.answered", request)
    return request


def open_requests_for(client: Client) -> QuerySet[QuestionnaireRequest]:
    """The client's questionnaires still waiting for answers, newest first."""
    return (
        QuestionnaireRequest.objects.for_studio(client.studio_id)
        .filter(client=client, answered_at__isnull=True, withdrawn_at__isnull=True)
        .order_by("-sent_at", "-pk")
    )


# --- Withdrawing --------------------------------------------------------------------------------------------


@transaction.atomic
def withdraw_request(request: QuestionnaireRequest, *, reason: str = "", by=None) -> bool:
    """Take back a request the client has not answered; False (and nothing changes) when it is answered or
    already withdrawn. Locks the row, so an answer arriving at the same moment either lands first (and the
    request stays answered) or finds it withdrawn."""
    locked = (
        QuestionnaireRequest.objects.select_for_update()
        .filter(pk=request.pk, studio_id=request.studio_id, answered_at__isnull=True, withdrawn_at__isnull=True)
        .first()
    )
    if locked is None:
        return False
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    request.withdrawn_at = locked.withdrawn_at
    record_activity(
        locked.client,
        Activity.Kind.QUESTIONNAIRE_WITHDRAWN,
        (f"{locked.title}: {reason}" if reason else locked.title)[:300],
        data={"questionnaire_request": locked.pk, "booking": locked.booking_id},
        user=by if getattr(by, "pk", None) else None,
    )
    return True


def withdraw_requests_for_booking(studio: Studio, booking_id: int, *, reason: str = "", by=None) -> int:
    """Withdraw every unanswered questionnaire sent for the booking `booking_id`; how many were withdrawn."""
    pending = QuestionnaireRequest.objects.for_studio(studio).filter(
        booking_id=booking_id, answered_at__isnull=True, withdrawn_at__isnull=True
    )
    return sum(withdraw_request(request, reason=reason, by=by) for request in pending.select_related("client"))


# --- The questionnaire every new studio starts with --------------------------------------------------------

SESSION_PLANNING = [
    {"type": "date", "label": "Which date would suit you best?", "required": False},
    {"type": "short_text", "label": "Where would you like the session to take place?", "required": True},
    {
        "type": "choice",
        "label": "What kind of session is it?",
        "options": ["Portrait", "Family", "Couple", "Wedding", "Other"],
        "required": True,
    },
    {"type": "yes_no", "label": "Will children or pets be in the photos?", "required": False},
    {
        "type": "long_text",
        "label": "Anything we should know?",
        "help": "Ideas, must-have shots, what you'd like to wear, accessibility needs…",
        "required": False,
    },
]


SESSION_PLANNING_NAME = "Session planning"  # also what the workflows recipe "booking confirmed" sends


def seed_session_planning(studio: Studio) -> Questionnaire:
    """The "Session planning" questionnaire (idempotent: an existing one of that name is kept)."""
    existing = Questionnaire.objects.for_studio(studio).filter(name=SESSION_PLANNING_NAME).first()
    if existing is not None:
        return existing
    return create_session_planning(studio)


def create_session_planning(studio: Studio) -> Questionnaire:
    """The "Session planning" questionnaire of a studio that has none yet (a new studio: no look-up first)."""
    return Questionnaire.objects.create(
        studio=studio,
        name=SESSION_PLANNING_NAME,
        intro="A few questions so we can plan your session together. It takes about two minutes.",
        questions=stream_data(SESSION_PLANNING),
    )
