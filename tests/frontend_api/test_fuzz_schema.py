"""Property-based fuzzing of the OpenAPI schema with schemathesis against the app itself (in-process WSGI):
no 5xx, and every response matches the schema. Studio endpoints are called with a real write key."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from frontend_api.models import ApiKey, WebhookEndpoint

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def fuzz_headers(studio):
    WebhookEndpoint.objects.create(studio=studio, url="https://northlight.example/hook")
    _, secret = ApiKey.issue(studio=studio, name="Fuzzer", scope=ApiKey.Scope.WRITE)
    return {"Authorization": f"Bearer {secret}", "Host": studio.hostname}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_errors_and_matches_its_schema(case, fuzz_headers):
    # Left out on purpose: DRF ignores a malformed optional paging value rather than failing the request
    # (negative_data_rejection), and some validators are stricter than JSON Schema can say, e.g. DNS limits
    # on webhook hostnames (positive_data_acceptance). Kept: no 5xx, documented status codes, responses
    # and headers that match the schema.
    case.call_and_validate(headers=fuzz_headers, excluded_checks=[negative_data_rejection, positive_data_acceptance])
