"""POST /billing/stripe/webhook/: only Stripe-signed, fresh events are stored; each once; handling in Celery."""

import json
import time

import pytest

from billing.models import ConnectedAccount, StripeEvent, StudioSubscription

from .conftest import WEBHOOK_URL, connect, make_event, post_event, sign

pytestmark = pytest.mark.django_db


def account_event(account_id, **state):
    obj = {"id": account_id, "object": "account", "charges_enabled": False, "payouts_enabled": False, **state}
    return make_event("account.updated", obj, account=account_id)


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=123",
        "garbage",
        "t={now},v1=" + "0" * 64,
    ],
)
def test_bad_or_missing_signature_is_400_and_nothing_is_stored(client, webhook_secret, signature):
    payload = json.dumps(make_event("account.updated", {"id": "acct_1"})).encode()
    headers = {"HTTP_HOST": "localhost"}
    if signature is not None:
        headers["HTTP_STRIPE_SIGNATURE"] = signature.format(now=int(time.time()))
    response = client.post(WEBHOOK_URL, data=payload, content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    assert not StripeEvent.objects.exists()


def test_signed_with_another_secret_is_refused(client, webhook_secret):
    response = post_event(client, make_event("account.updated", {"id": "acct_1"}), secret="whsec_someone_else")
    assert response.status_code == 400 and not StripeEvent.objects.exists()


def test_stale_timestamp_is_refused(client, webhook_secret):
    stale = int(time.time()) - 301
    response = post_event(client, make_event("account.updated", {"id": "acct_1"}), timestamp=stale)
    assert response.status_code == 400 and not StripeEvent.objects.exists()


def test_tampered_payload_is_refused(client, webhook_secret):
    payload = json.dumps(make_event("account.updated", {"id": "acct_1"})).encode()
    header = sign(payload)
    response = client.post(
        WEBHOOK_URL,
        data=payload.replace(b"acct_1", b"acct_2"),
        content_type="application/json",
        HTTP_HOST="localhost",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400 and not StripeEvent.objects.exists()


def test_no_secret_configured_refuses_everything(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = post_event(client, make_event("account.updated", {"id": "acct_1"}))
    assert response.status_code == 400 and not StripeEvent.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get(WEBHOOK_URL, HTTP_HOST="localhost").status_code == 405


def test_unknown_event_type_is_stored_and_ignored(deliver):
    response = deliver(make_event("radar.early_fraud_warning.created", {"id": "issfr_1"}))
    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert (event.type, event.status, event.attempts) == ("radar.early_fraud_warning.created", "ignored", 1)


def test_account_updated_keeps_connect_status_and_replays_are_applied_once(deliver, studio):
    account = connect(studio, "acct_status01", charges_enabled=False, payouts_enabled=False)
    event = account_event("acct_status01", charges_enabled=True, payouts_enabled=True, details_submitted=True)
    assert deliver(event).json() == {"received": True, "duplicate": False}
    account.refresh_from_db()
    assert account.charges_enabled and account.payouts_enabled

    # The studio's account is later restricted; then the first event is delivered again.
    deliver(account_event("acct_status01", charges_enabled=False))
    assert deliver(event).json() == {"received": True, "duplicate": True}
    account.refresh_from_db()
    assert not account.charges_enabled  # the replay did not re-apply the old state
    assert StripeEvent.objects.filter(event_id=event["id"]).get().attempts == 1


def test_older_account_snapshot_arriving_late_is_skipped(deliver, studio):
    account = connect(studio, "acct_order01", charges_enabled=False)
    now = int(time.time())
    newer = account_event("acct_order01", charges_enabled=True)
    newer["created"] = now
    older = account_event("acct_order01", charges_enabled=False)
    older["created"] = now - 60
    deliver(newer)
    deliver(older)
    account.refresh_from_db()
    assert account.charges_enabled


def test_event_for_an_unknown_account_is_refused(deliver, caplog):
    deliver(account_event("acct_nobody"))
    assert StripeEvent.objects.get().status == "refused"
    assert not ConnectedAccount.objects.exists()


def test_a_handler_failure_is_recorded_and_a_redelivery_retries_it(deliver, studio, plans, monkeypatch):
    from billing import webhooks

    StudioSubscription.objects.create(studio=studio, plan=plans["starter"], stripe_customer_id="cus_retry")
    event = make_event("invoice.payment_failed", {"id": "in_1", "customer": "cus_retry"})

    def boom(obj, row):
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(webhooks.HANDLERS, "invoice.payment_failed", boom)
    assert deliver(event).status_code == 200  # stored; the failure is the task's, not Stripe's problem
    row = StripeEvent.objects.get()
    assert row.status == "failed" and "database hiccup" in row.error
    assert StudioSubscription.objects.get().status == "incomplete"

    monkeypatch.undo()
    deliver(event)  # Stripe redelivers: the stored event is applied now
    row.refresh_from_db()
    assert row.status == "processed"
    assert StudioSubscription.objects.get().status == "past_due"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_endpoint_answers_before_a_real_worker_applies_the_event(client, celery_worker, webhook_secret, studio):
    account = connect(studio, "acct_worker01", charges_enabled=False)
    response = post_event(client, account_event("acct_worker01", charges_enabled=True))
    assert response.status_code == 200
    deadline = time.monotonic() + 20
    while StripeEvent.objects.get().status != "processed":
        assert time.monotonic() < deadline, "the worker did not apply the event"
        time.sleep(0.2)
    account.refresh_from_db()
    assert account.charges_enabled
