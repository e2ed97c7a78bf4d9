"""Withdrawing a questionnaire not answered yet (crm.questionnaires.withdraw_request), as a cancelled booking
does: its link says it was withdrawn and takes no answers (page and API), it leaves the client's open list, the
timeline records it; an answered one is never withdrawn; another studio's booking withdraws nothing here."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import scheduling
from crm.models import Activity, Questionnaire, QuestionnaireRequest
from crm.questionnaire_blocks import stream_data
from crm.questionnaires import (
    QuestionnaireError,
    open_requests_for,
    send_questionnaire,
    submit_answers,
    withdraw_request,
    withdraw_requests_for_booking,
)
from tests.factories import BookingFactory, ClientFactory

from .test_questionnaires import api_url, good, page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(studio):
    return Questionnaire.objects.create(
        studio=studio,
        name="Small",
        questions=stream_data(
            [
                {"type": "short_text", "label": "Where?", "required": True},
                {"type": "choice", "label": "Kind", "options": ["Portrait", "Family"], "required": True},
                {"type": "date", "label": "Day"},
                {"type": "yes_no", "label": "Pets?"},
            ]
        ),
    )


@pytest.fixture
def emma(studio):
    return ClientFactory(studio=studio, name="Emma Clarke", email="emma@example.test")


def test_withdrawing_an_open_request(client, studio, emma, small):
    request = send_questionnaire(studio, emma, small)
    assert withdraw_request(request, reason="plans changed") is True
    request.refresh_from_db()
    assert request.withdrawn_at is not None and request.is_withdrawn
    assert list(open_requests_for(emma)) == []
    entry = emma.activities.get(kind=Activity.Kind.QUESTIONNAIRE_WITHDRAWN)
    assert entry.summary == "Small: plans changed" and entry.data["questionnaire_request"] == request.pk
    assert withdraw_request(request) is False  # twice: nothing more
    assert emma.activities.filter(kind=Activity.Kind.QUESTIONNAIRE_WITHDRAWN).count() == 1

    with pytest.raises(QuestionnaireError) as refused:
        submit_answers(request, good(request))
    assert refused.value.code == "questionnaire_withdrawn"

    page = client.get(page_url(request), HTTP_HOST=studio.hostname)
    assert page.status_code == 410 and b"data-questionnaire-withdrawn" in page.content
    assert b"<form" not in page.content.split(b"data-questionnaire")[1]
    posted = client.post(page_url(request), good(request), HTTP_HOST=studio.hostname)
    assert posted.status_code == 410
    request.refresh_from_db()
    assert request.answered_at is None and request.answers == []

    read = client.get(api_url(request), HTTP_HOST=studio.hostname).json()
    assert read["withdrawn_at"] is not None
    answered = client.post(
        api_url(request), {"answers": good(request)}, content_type="application/json", HTTP_HOST=studio.hostname
    )
    assert answered.status_code == 409 and answered.json()["error"]["code"] == "questionnaire_withdrawn"


def test_an_answered_request_is_never_withdrawn(studio, emma, small):
    request = send_questionnaire(studio, emma, small)
    submit_answers(request, good(request))
    assert withdraw_request(request) is False
    request.refresh_from_db()
    assert request.withdrawn_at is None and request.is_answered


def test_sending_again_after_a_withdrawal_sends_a_new_request(studio, emma, small, mailoutbox):
    first = send_questionnaire(studio, emma, small)
    withdraw_request(first)
    second = send_questionnaire(studio, emma, small)
    assert second.pk != first.pk and not second.is_withdrawn
    assert len([m for m in mailoutbox if m.to == ["emma@example.test"]]) == 2


def test_a_cancelled_booking_withdraws_its_unanswered_questionnaires_only(studio, other_studio, emma, small):
    start = timezone.now() + timedelta(days=10)
    booking = BookingFactory(studio=studio, client=emma, start=start, end=start + timedelta(hours=1))
    other_booking = BookingFactory(
        studio=studio, client=emma, start=start + timedelta(days=1), end=start + timedelta(days=1, hours=1)
    )
    for_booking = send_questionnaire(studio, emma, small, booking=booking)
    other = send_questionnaire(studio, emma, small, booking=other_booking)
    unrelated = send_questionnaire(studio, emma, Questionnaire.objects.get(studio=studio, name="Session planning"))

    # Studio B cancelling its booking with the same id withdraws nothing of studio A's.
    assert withdraw_requests_for_booking(other_studio, booking.pk) == 0

    scheduling.cancel(booking, reason="Illness")
    states = dict(QuestionnaireRequest.objects.filter(client=emma).values_list("pk", "withdrawn_at"))
    assert states[for_booking.pk] is not None
    assert states[other.pk] is None and states[unrelated.pk] is None
    entry = emma.activities.get(kind=Activity.Kind.QUESTIONNAIRE_WITHDRAWN)
    assert "the booking was cancelled" in entry.summary
