"""Questionnaires (issue 15): a studio's form, sent to a client by secret link, answered once on the studio's
site or through the client API; the answers land on the client's timeline, escaped."""

from datetime import timedelta

import pytest

from crm.models import Activity, Questionnaire, QuestionnaireRequest
from crm.questionnaire_blocks import stream_data
from crm.questionnaires import QuestionnaireError, open_requests_for, send_questionnaire, submit_answers
from studios import events
from tests.factories import BookingFactory, ClientFactory

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def planning(studio):
    return Questionnaire.objects.get(studio=studio, name="Session planning")


@pytest.fixture
def small(studio):
    """Every kind of question once: where (required text), notes (long), kind (choice), day (date), pets (yes/no)."""
    return Questionnaire.objects.create(
        studio=studio,
        name="Small",
        intro="Just a few.",
        questions=stream_data(
            [
                {"type": "short_text", "label": "Where?", "required": True},
                {"type": "long_text", "label": "Notes"},
                {"type": "choice", "label": "Kind", "options": ["Portrait", "Family"], "required": True},
                {"type": "date", "label": "Day"},
                {"type": "yes_no", "label": "Pets?"},
            ]
        ),
    )


@pytest.fixture
def emma(studio):
    return ClientFactory(studio=studio, name="Emma Clarke", email="emma@example.test")


def ids(request):
    return {q["label"]: q["id"] for q in request.questions}


def answers_for(request, **by_label):
    keyed = ids(request)
    return {keyed[label]: value for label, value in by_label.items()}


def good(request):
    return answers_for(request, **{"Where?": "The park", "Kind": "Family", "Day": "2027-09-12", "Pets?": "yes"})


# --- Seeding and sending -------------------------------------------------------------------------------------


def test_every_new_studio_starts_with_session_planning(studio, other_studio, planning):
    assert Questionnaire.objects.filter(studio=other_studio, name="Session planning").count() == 1
    kinds = [child.block_type for child in planning.questions]
    assert set(kinds) == {"short_text", "long_text", "choice", "date", "yes_no"}


def test_sending_e_mails_the_link_on_the_studio_host_and_records_it(studio, emma, planning, mailoutbox):
    request = send_questionnaire(studio, emma, planning)

    assert request.studio == studio and request.client == emma and len(request.token) >= 40
    assert [q["label"] for q in request.questions] == [child.value["label"] for child in planning.questions]
    [mail] = mailoutbox
    assert mail.to == ["emma@example.test"]
    assert f"/questionnaires/{request.token}/" in mail.body
    assert studio.hostname in mail.body
    assert emma.activities.filter(kind=Activity.Kind.QUESTIONNAIRE_SENT).count() == 1
    assert list(open_requests_for(emma)) == [request]


def test_sending_twice_returns_the_open_request_and_sends_once(studio, emma, planning, mailoutbox):
    booking = BookingFactory(studio=studio, client=emma)
    first = send_questionnaire(studio, emma, planning, booking=booking)
    again = send_questionnaire(studio, emma, planning, booking=booking)

    assert again.pk == first.pk and first.booking_id == booking.pk
    assert len(mailoutbox) == 1
    assert QuestionnaireRequest.objects.filter(client=emma).count() == 1
    # Another booking is another request.
    later = BookingFactory(studio=studio, client=emma, start=booking.start + timedelta(days=7))
    other = send_questionnaire(studio, emma, planning, booking=later)
    assert other.pk != first.pk


def test_editing_the_questionnaire_later_does_not_change_a_sent_one(studio, emma, small):
    request = send_questionnaire(studio, emma, small)
    small.questions = stream_data([{"type": "short_text", "label": "Changed"}])
    small.save()
    request.refresh_from_db()
    assert [q["label"] for q in request.questions] == ["Where?", "Notes", "Kind", "Day", "Pets?"]


def test_another_studios_client_or_questionnaire_is_refused(studio, other_studio, emma, planning):
    stranger = ClientFactory(studio=other_studio)
    with pytest.raises(QuestionnaireError):
        send_questionnaire(studio, stranger, planning)
    with pytest.raises(QuestionnaireError):
        send_questionnaire(other_studio, emma, planning)
    with pytest.raises(QuestionnaireError):
        send_questionnaire(studio, emma, planning, booking=BookingFactory(studio=other_studio))


# --- Answering -----------------------------------------------------------------------------------------------


def test_answers_are_stored_as_text_recorded_and_published(studio, emma, small):
    heard = []

    def handler(studio_, topic, obj, **context):
        heard.append((topic, obj.pk))

    events.subscribe("questionnaire.answered", handler)
    try:
        request = send_questionnaire(studio, emma, small)
        submit_answers(request, good(request) | answers_for(request, Notes="Line one\r\nLine two"))
    finally:
        events.unsubscribe("questionnaire.answered", handler)

    request.refresh_from_db()
    assert request.is_answered
    texts = {a["label"]: a["text"] for a in request.answers}
    assert texts == {
        "Where?": "The park",
        "Notes": "Line one\nLine two",
        "Kind": "Family",
        "Day": "12 September 2027",
        "Pets?": "Yes",
    }
    assert heard == [("questionnaire.answered", request.pk)]
    activity = emma.activities.get(kind=Activity.Kind.QUESTIONNAIRE_ANSWERED)
    assert {"label": "Where?", "text": "The park"} in activity.data["answers"]
    assert list(open_requests_for(emma)) == []


@pytest.mark.parametrize(
    "bad, field, message",
    [
        ({"Where?": ""}, "Where?", "Please answer"),
        ({"Where?": "   "}, "Where?", "Please answer"),
        ({"Kind": "Wedding"}, "Kind", "Choose one"),
        ({"Day": "12/09/2027"}, "Day", "Enter a date"),
        ({"Day": "2027-02-30"}, "Day", "Enter a date"),
        ({"Pets?": "maybe"}, "Pets?", "yes or no"),
        ({"Where?": ["a", "list"]}, "Where?", "as text"),
        ({"Where?": "x" * 501}, "Where?", "under 500"),
    ],
)
def test_invalid_answers_are_refused_per_question(studio, emma, small, bad, field, message):
    request = send_questionnaire(studio, emma, small)
    with pytest.raises(QuestionnaireError) as caught:
        submit_answers(request, good(request) | answers_for(request, **bad))
    assert message in caught.value.fields[ids(request)[field]][0]
    request.refresh_from_db()
    assert not request.is_answered and request.answers == []


def test_a_second_submit_is_a_conflict_and_changes_nothing(studio, emma, small):
    request = send_questionnaire(studio, emma, small)
    submit_answers(request, good(request))
    with pytest.raises(QuestionnaireError) as caught:
        submit_answers(request, good(request) | answers_for(request, **{"Where?": "Elsewhere"}))
    assert caught.value.kind == "conflict"
    request.refresh_from_db()
    assert {a["label"]: a["text"] for a in request.answers}["Where?"] == "The park"
    assert emma.activities.filter(kind=Activity.Kind.QUESTIONNAIRE_ANSWERED).count() == 1


def test_a_webhook_endpoint_for_every_event_gets_the_answers(studio, emma, small):
    from frontend_api.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(studio=studio, url="http://127.0.0.1:9/unused")
    request = send_questionnaire(studio, emma, small)
    submit_answers(request, good(request))
    delivery = WebhookDelivery.objects.get(event="questionnaire.answered")
    assert delivery.payload["data"]["client"]["email"] == "emma@example.test"
    assert {"question": ids(request)["Kind"], "label": "Kind", "type": "choice", "answer": "Family"} in (
        delivery.payload["data"]["answers"]
    )


# --- The page on the studio's site ---------------------------------------------------------------------------


def page_url(request):
    return f"/questionnaires/{request.token}/"


def test_the_page_shows_the_form_and_thanks_after_answering(client, studio, emma, small):
    request = send_questionnaire(studio, emma, small)

    page = client.get(page_url(request), HTTP_HOST=studio.hostname)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Small" in html and "Just a few." in html and 'type="date"' in html and "Family" in html
    # The strict client-site policy (cms/csp.py): the form has no inline script, style or handler.
    assert "script-src 'self' 'nonce-" in page.headers["Content-Security-Policy"]
    form = html.split("<form")[1].split("</form>")[0]
    assert "<script" not in form and "style=" not in form and " on" + "click" not in form

    done = client.post(page_url(request), good(request), HTTP_HOST=studio.hostname)
    assert done.status_code == 200
    assert "Thank you!" in done.content.decode() and "The park" in done.content.decode()
    request.refresh_from_db()
    assert request.is_answered


def test_the_page_keeps_what_was_typed_and_names_the_missing_answer(client, studio, emma, small):
    request = send_questionnaire(studio, emma, small)
    data = good(request) | answers_for(request, **{"Where?": ""}, Notes="kept text")
    page = client.post(page_url(request), data, HTTP_HOST=studio.hostname)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Please answer this question." in html and "kept text" in html
    request.refresh_from_db()
    assert not request.is_answered


def test_answered_page_is_a_read_only_summary_and_a_replayed_post_changes_nothing(client, studio, emma, small):
    request = send_questionnaire(studio, emma, small)
    client.post(page_url(request), good(request), HTTP_HOST=studio.hostname)

    replay = client.post(
        page_url(request), good(request) | answers_for(request, **{"Where?": "Hacked"}), HTTP_HOST=studio.hostname
    )
    assert replay.status_code == 200
    html = replay.content.decode()
    assert "The park" in html and "Hacked" not in html and "Send my answers" not in html
    summary = client.get(page_url(request), HTTP_HOST=studio.hostname).content.decode()
    assert "Answered" in summary and "Send my answers" not in summary
    assert emma.activities.filter(kind=Activity.Kind.QUESTIONNAIRE_ANSWERED).count() == 1


def test_another_studios_host_with_the_token_is_a_404(client, studio, other_studio, emma, small):
    request = send_questionnaire(studio, emma, small)
    assert client.get(page_url(request), HTTP_HOST=other_studio.hostname).status_code == 404
    posted = client.post(page_url(request), good(request), HTTP_HOST=other_studio.hostname)
    assert posted.status_code == 404
    assert client.get("/questionnaires/not-a-token/", HTTP_HOST=studio.hostname).status_code == 404
    request.refresh_from_db()
    assert not request.is_answered


def test_markup_and_newlines_are_shown_escaped_on_the_page_timeline_and_admin(
    client, studio, emma, small, photographer, admin_client_for
):
    request = send_questionnaire(studio, emma, small)
    notes = f"First {SCRIPT}\nSecond <b>bold</b>"
    client.post(
        page_url(request),
        good(request) | answers_for(request, **{"Where?": f"Park {SCRIPT}"}, Notes=notes),
        HTTP_HOST=studio.hostname,
    )
    summary = client.get(page_url(request), HTTP_HOST=studio.hostname).content.decode()
    assert SCRIPT not in summary and "<b>bold" not in summary
    assert "First &lt;script&gt;alert(1)&lt;/script&gt;<br>Second &lt;b&gt;bold&lt;/b&gt;" in summary

    admin = admin_client_for(photographer).get(f"/admin/clients/inspect/{emma.pk}/", HTTP_HOST="localhost")
    assert admin.status_code == 200
    html = admin.content.decode()
    assert SCRIPT not in html and "<b>bold" not in html
    assert "Park &lt;script&gt;alert(1)&lt;/script&gt;" in html
    # On the timeline and in the client's questionnaires, each line on its own.
    assert html.count("First &lt;script&gt;alert(1)&lt;/script&gt;<br>Second &lt;b&gt;bold&lt;/b&gt;") == 2


# --- The client API ------------------------------------------------------------------------------------------


def api_url(request):
    return f"/api/client/questionnaires/{request.token}/"


def test_the_api_reads_and_answers_once(client, studio, emma, small):
    request = send_questionnaire(studio, emma, small)

    read = client.get(api_url(request), HTTP_HOST=studio.hostname)
    assert read.status_code == 200
    body = read.json()
    assert body["title"] == "Small" and body["answered_at"] is None and body["answers"] == []
    assert [q["type"] for q in body["questions"]] == ["short_text", "long_text", "choice", "date", "yes_no"]
    assert body["questions"][2]["options"] == ["Portrait", "Family"]

    answers = good(request) | answers_for(request, **{"Pets?": False})
    posted = client.post(
        api_url(request), {"answers": answers}, content_type="application/json", HTTP_HOST=studio.hostname
    )
    assert posted.status_code == 200, posted.content
    assert {a["label"]: a["answer"] for a in posted.json()["answers"]}["Pets?"] == "No"

    again = client.post(
        api_url(request), {"answers": answers}, content_type="application/json", HTTP_HOST=studio.hostname
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "questionnaire_answered"


def test_the_api_names_invalid_answers_and_refuses_other_hosts(client, studio, other_studio, emma, small):
    request = send_questionnaire(studio, emma, small)
    bad = good(request) | answers_for(request, Kind="Wedding")
    response = client.post(
        api_url(request), {"answers": bad}, content_type="application/json", HTTP_HOST=studio.hostname
    )
    assert response.status_code == 400
    assert ids(request)["Kind"] in response.json()["error"]["fields"]

    assert client.get(api_url(request), HTTP_HOST=other_studio.hostname).status_code == 404
    other = client.post(
        api_url(request), {"answers": good(request)}, content_type="application/json", HTTP_HOST=other_studio.hostname
    )
    assert other.status_code == 404
    request.refresh_from_db()
    assert not request.is_answered


# --- The admin -----------------------------------------------------------------------------------------------


def test_the_client_page_sends_a_questionnaire_and_another_studio_cannot(
    studio, emma, planning, photographer, other_photographer, admin_client_for, mailoutbox
):
    url = f"/admin/clients/{emma.pk}/questionnaire/"
    b_admin = admin_client_for(other_photographer)
    assert b_admin.post(url, {"questionnaire": planning.pk}, HTTP_HOST="localhost").status_code == 404
    assert not QuestionnaireRequest.objects.exists()

    a_admin = admin_client_for(photographer)
    assert a_admin.post(url, {"questionnaire": "x"}, HTTP_HOST="localhost").status_code == 302
    assert not QuestionnaireRequest.objects.exists()
    response = a_admin.post(url, {"questionnaire": planning.pk}, HTTP_HOST="localhost")
    assert response.status_code == 302
    request = QuestionnaireRequest.objects.get(client=emma)
    assert request.sent_by == photographer and len(mailoutbox) == 1
    page = a_admin.get(f"/admin/clients/inspect/{emma.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Session planning" in page and "not answered yet" in page


def test_a_deleted_questionnaire_keeps_what_was_sent_and_answered(studio, emma, small):
    request = send_questionnaire(studio, emma, small)
    submit_answers(request, good(request))
    small.delete()
    request.refresh_from_db()
    assert request.questionnaire is None and request.is_answered and request.title == "Small"
