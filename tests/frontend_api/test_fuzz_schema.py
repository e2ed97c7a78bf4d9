"""Property-based fuzzing of the OpenAPI schema with schemathesis against the app itself (in-process WSGI):
no 5xx, and every response matches the schema. Studio endpoints are called with a real write key."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from billing.invoicing import Line, create_invoice
from billing.models import Invoice, Payment
from crm.portal import start_session
from frontend_api.models import ApiKey, WebhookEndpoint
from tests.factories import BookingFactory, ClientFactory, StudioFactory
from tests.galleries.factories import jpeg, make_gallery, upload

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def no_rate_limits(monkeypatch):
    """Every throttle scope raised far out of reach, so no operation answers 429 instead of being tested.
    (DRF's throttles keep their own reference to the rates, so the settings fixture would not reach them.)"""
    rates = {scope: "1000000/minute" for scope in SimpleRateThrottle.THROTTLE_RATES}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture(scope="module")
def fuzz_data(django_db_setup, django_db_blocker):
    """A studio with a webhook endpoint and a gallery of two photos, a write key and the gallery's unlock token,
    made once for the module (not once per operation) in a transaction of the module's own. Each operation's test
    runs in pytest-django's usual test transaction nested inside it (a savepoint), so whatever one operation's
    examples change is rolled back before the next operation starts from the same data; all of it is rolled back
    at the end of the module."""
    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
    try:
        with django_db_blocker.unblock():
            studio = StudioFactory(name="Northlight Photography", slug="northlight")
            WebhookEndpoint.objects.create(studio=studio, url="https://northlight.example/hook")
            _, secret = ApiKey.issue(studio=studio, name="Fuzzer", scope=ApiKey.Scope.WRITE)
            eve = ClientFactory(studio=studio, name="Eve Marsh", email="eve@example.test")
            gallery = make_gallery(studio, access_code="FUZZGALLERY", downloadable=True, client=eve)
            for i in range(2):
                upload(gallery, jpeg(i), f"IMG_{i}.jpg")
            # The portal's answers with something in each list (a booking, its invoice with a payment).
            booking = BookingFactory(studio=studio, client=eve)
            invoice = create_invoice(studio, eve, [Line("Portrait session", 25000)], booking=booking)
            Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PARTIALLY_PAID, amount_paid=6250)
            Payment.objects.create(
                studio=studio,
                invoice=invoice,
                amount=6250,
                currency="gbp",
                status=Payment.Status.SUCCEEDED,
                stripe_account_id="acct_fuzz",
                paid_at=timezone.now(),
            )
            portal_token, _ = start_session(eve)
            overview = Client().get(
                "/api/client/portal/", HTTP_HOST=studio.hostname, HTTP_AUTHORIZATION=f"Bearer {portal_token}"
            )
            assert overview.status_code == 200 and overview.json()["invoices"][0]["receipts"]  # lists filled
            token = (
                Client()
                .post(
                    "/api/client/galleries/unlock/",
                    {"code": "FUZZGALLERY"},
                    content_type="application/json",
                    HTTP_HOST=studio.hostname,
                )
                .json()["token"]
            )
        yield {"host": studio.hostname, "secret": secret, "token": token, "portal": portal_token}
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)


@pytest.fixture
def fuzz_headers(fuzz_data, db, request, no_rate_limits):
    """Studio paths get the write key, the portal's paths the portal token, other client paths the gallery's
    unlock token."""
    # Django's WSGI handler closes the database connection after each request; the test client stops that
    # (and reconnects it after each of its own requests), so do the same for schemathesis' calls, or
    # PostgreSQL loses the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    request.addfinalizer(lambda: signals.request_started.connect(close_old_connections))
    request.addfinalizer(lambda: signals.request_finished.connect(close_old_connections))
    # Accept-Encoding: identity: the schema describes the bodies, not their gzip (config/compression.py), and
    # schemathesis validates the bytes as they come.
    plain = {"Host": fuzz_data["host"], "Accept-Encoding": "identity"}
    return {
        "studio": {"Authorization": f"Bearer {fuzz_data['secret']}", **plain},
        "client": {"Authorization": f"Bearer {fuzz_data['token']}", **plain},
        "portal": {"Authorization": f"Bearer {fuzz_data['portal']}", **plain},
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples every run: CI must not pass or fail by chance
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_errors_and_matches_its_schema(case, fuzz_headers):
    # Left out on purpose: DRF ignores a malformed optional paging value rather than failing the request
    # (negative_data_rejection), and some validators are stricter than JSON Schema can say, e.g. DNS limits
    # on webhook hostnames (positive_data_acceptance). Kept: no 5xx, documented status codes, responses
    # and headers that match the schema.
    if case.path.startswith("/api/client/portal/"):
        headers = fuzz_headers["portal"]
    else:
        headers = fuzz_headers["client" if case.path.startswith("/api/client/") else "studio"]
    case.call_and_validate(headers=headers, excluded_checks=[negative_data_rejection, positive_data_acceptance])
