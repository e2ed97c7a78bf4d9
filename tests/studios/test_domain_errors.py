"""Domain code raises studios.errors.DomainError; only the API layer turns its kind into an HTTP status."""

import json

import pytest
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from frontend_api.errors import domain_error_response
from studios.errors import KINDS, DomainError

# The statuses these errors answered with before DomainError existed; the API must keep them.
EXPECTED_STATUS = {
    "invalid": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "gone": 410,
    "limit": 403,
    "too_large": 413,
    "throttled": 429,
    "unavailable": 503,
}
UNLOCK = "/api/client/galleries/unlock/"


def test_every_kind_has_an_expected_status():
    assert set(KINDS) == set(EXPECTED_STATUS)


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown error kind"):
        DomainError("oops", "Oops.", "teapot")


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_reaches_an_api_client_with_its_status(client, studio, monkeypatch, kind):
    def refuse(*args, **kwargs):
        raise DomainError("made_up", f"Refused as {kind}.", kind)

    monkeypatch.setattr("galleries.api.views.unlock_gallery", refuse)
    response = client.post(UNLOCK, {"code": "ANY"}, content_type="application/json", HTTP_HOST=studio.hostname)
    assert response.status_code == EXPECTED_STATUS[kind]
    assert response.json() == {"error": {"code": "made_up", "message": f"Refused as {kind}."}}


def test_a_service_error_reaches_the_client_as_the_one_json_shape(client, studio):
    """galleries.access.unlock_gallery raises DomainError(not_found); nothing in the view catches it."""
    response = client.post(UNLOCK, {"code": "NOPE42"}, content_type="application/json", HTTP_HOST=studio.hostname)
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "invalid_code",
            "message": "No gallery opens with this code and PIN. Check the code your photographer sent, "
            "and the download PIN if you entered one.",
        }
    }


def test_fields_and_subclass_attributes_survive_the_trip(client, studio, monkeypatch):
    from contracts.signing import SigningError

    error = SigningError("consent_required", "Tick the box.", "invalid", field="consent")
    assert (error.code, error.message, error.kind, error.field) == (
        "consent_required",
        "Tick the box.",
        "invalid",
        "consent",
    )

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr("galleries.api.views.unlock_gallery", refuse)
    response = client.post(UNLOCK, {"code": "ANY"}, content_type="application/json", HTTP_HOST=studio.hostname)
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "consent_required", "message": "Tick the box.", "fields": {"consent": ["Tick the box."]}}
    }


class _Refusing(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    error: DomainError | None = None

    def get(self, request):
        raise self.error


@pytest.mark.parametrize("kind", KINDS)
def test_plain_django_views_answer_as_the_drf_handler_does(kind):
    error = DomainError("made_up", "No.", kind, fields={"x": ["Bad."]} if kind == "invalid" else None)
    drf = _Refusing.as_view(error=error)(APIRequestFactory().get("/api/x/"))
    drf.render()
    plain = domain_error_response(error)
    assert (plain.status_code, json.loads(plain.content)) == (drf.status_code, json.loads(drf.content))
    assert plain.status_code == EXPECTED_STATUS[kind]


def test_plan_limit_answers_403_plan_limit(studio, db):
    from billing.limits import PlanLimitReached, StudioReadOnly
    from frontend_api.errors import api_error

    error = StudioReadOnly("Lapsed.", feature="subscription", plan=None, upgrade_to=None)
    assert isinstance(error, PlanLimitReached) and isinstance(error, DomainError)
    api = api_error(error)
    assert (api.status_code, api.error_code, str(api.detail)) == (403, "subscription_lapsed", "Lapsed.")
