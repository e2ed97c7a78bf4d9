"""The client's questionnaire on the studio's site, by secret link (/questionnaires/<token>/, e-mailed by
crm.questionnaires.send_questionnaire): GET shows the form, POST checks and stores the answers and thanks;
once answered, the page shows a read-only summary. Works without JavaScript; studio-branded like the contract
and invoice pages (cms/client_pages.py), with no inline script or style (cms/csp.py). Another studio's host
with this token is a 404."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from crm.questionnaires import QuestionnaireError, request_for_token, submit_answers

from .client_pages import client_link_missing, request_studio


def _form_values(questionnaire_request, post) -> dict:
    return {q["id"]: post.get(q["id"], "") for q in questionnaire_request.questions}


def _render(request, questionnaire_request, *, values=None, errors=None, message="", status=200, thanks=False):
    values = values or {}
    errors = errors or {}
    questions = [
        {**question, "value": values.get(question["id"], ""), "errors": errors.get(question["id"], [])}
        for question in questionnaire_request.questions
    ]
    context = {
        "qr": questionnaire_request,
        "questions": questions,
        "message": message,
        "thanks": thanks,
    }
    return render(request, "cms/questionnaire_page.html", context, status=status)


@require_http_methods(["GET", "POST"])
def questionnaire_page(request, token: str):
    questionnaire_request = request_for_token(request_studio(request), token)
    if questionnaire_request is None:
        return client_link_missing(request, "questionnaire")
    if request.method == "GET" or questionnaire_request.is_answered or questionnaire_request.is_withdrawn:
        # A POST to an answered questionnaire (sent twice, or replayed) changes nothing: the summary; to a
        # withdrawn one, the note that it was withdrawn.
        return _render(request, questionnaire_request, status=410 if questionnaire_request.is_withdrawn else 200)
    values = _form_values(questionnaire_request, request.POST)
    try:
        submit_answers(questionnaire_request, values)
    except QuestionnaireError as exc:
        if exc.code in ("questionnaire_answered", "questionnaire_withdrawn"):
            questionnaire_request.refresh_from_db()
            return _render(request, questionnaire_request)
        return _render(
            request, questionnaire_request, values=values, errors=exc.fields or {}, message=exc.message, status=400
        )
    return _render(request, questionnaire_request, thanks=True)
