"""Each trigger, each condition and each step of a workflow, through the services that publish the events."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Payment
from billing.payments import record_succeeded
from bookings import scheduling
from contracts.issuing import issue_contract
from contracts.signing import sign_as_client
from crm.inquiries import receive_inquiry
from crm.models import Client, ClientTag, QuestionnaireRequest, Todo
from crm.questionnaires import seed_session_planning
from galleries import proofing
from galleries.models import Selection
from studios import events
from studios.models import OutgoingEmail
from tests.billing.factories import invoice_for
from tests.bookings.factories import weekly_hours
from tests.contracts.conftest import signature_png
from tests.factories import BookingFactory, ClientFactory, SessionTypeFactory
from tests.galleries.conftest import bulk_ready_photos
from tests.galleries.factories import make_gallery
from workflows import engine, timing
from workflows.models import Workflow, WorkflowRun

from .conftest import email_step, make_workflow

pytestmark = pytest.mark.django_db

LATER = timedelta(seconds=1)


def _due(now=None):
    return engine.run_due(now=(now or timezone.now()) + LATER)


def _runs(workflow):
    return WorkflowRun.objects.filter(workflow=workflow)


@pytest.fixture
def booked(studio):
    weekly_hours(studio, time(0), time(23, 59))
    package = SessionTypeFactory(studio=studio, name="Wedding", price=150_000, location="The Old Barn")
    emma = ClientFactory(studio=studio, name="Emma", email="emma@example.test")
    start = (timezone.now() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    return scheduling.book(studio, package, start, client=emma, by=None)


# --- Triggers --------------------------------------------------------------------------------------------------


def test_each_booking_trigger_starts_its_workflow(studio, booked):
    flows = {
        topic: make_workflow(studio, topic, [("add_tag", {"tag": topic})], name=topic)
        for topic in ("booking.confirmed", "booking.rescheduled", "booking.completed", "booking.cancelled")
    }
    created = make_workflow(studio, "booking.created", [("add_tag", {"tag": "made"})])
    second = BookingFactory(studio=studio, client=booked.client, start=booked.start + timedelta(days=3))
    events.publish(studio, "booking.created", second)
    scheduling.confirm(booked)
    scheduling.reschedule(booked, booked.start + timedelta(days=1), by=None)
    scheduling.complete(booked)
    other = BookingFactory(studio=studio, client=booked.client, start=booked.start + timedelta(days=5))
    scheduling.cancel(other)
    _due()
    for topic, workflow in flows.items():
        assert _runs(workflow).get().status == "done", topic
    assert _runs(created).get().object_id == second.pk
    tags = set(booked.client.tags.values_list("name", flat=True))
    assert {"made", *flows} <= tags


def test_contract_invoice_inquiry_and_stage_triggers(studio, booked, wedding_template):
    """Each through the service that publishes it in the product: issuing and signing a contract, sending and
    paying an invoice (the payment the Stripe webhook records), an inquiry moving a client's stage."""
    topics = ["contract.sent", "contract.signed", "invoice.sent", "invoice.paid", "client.stage_changed"]
    flows = {topic: make_workflow(studio, topic, [("add_tag", {"tag": topic})], name=topic) for topic in topics}
    inquiry_flow = make_workflow(studio, "inquiry.created", [("add_tag", {"tag": "inquired"})])
    contract = issue_contract(booked, wedding_template, notify=False)
    sign_as_client(
        contract,
        typed_name="Emma",
        signature_png=signature_png(),
        consent=True,
        signed_sha256=contract.body_sha256,
        ip_address="127.0.0.1",
        user_agent="test",
        notify=False,
    )
    invoice = invoice_for(studio, client=booked.client)
    payment = Payment.objects.create(
        studio=studio, invoice=invoice, amount=invoice.total, currency=invoice.currency, stripe_account_id="acct_1"
    )
    record_succeeded(payment, payment_intent_id="pi_1", amount=invoice.total, currency=invoice.currency)
    lucy = receive_inquiry(studio, name="Lucy", email="lucy@example.test", message="Hello").client  # → lead
    _due()
    for topic, workflow in flows.items():
        assert _runs(workflow).filter(status="done").exists(), topic
    assert _runs(flows["contract.sent"]).get().object_id == contract.pk
    assert _runs(flows["contract.signed"]).get().object_id == contract.pk
    assert _runs(flows["invoice.sent"]).get().client == booked.client
    assert _runs(flows["invoice.paid"]).get().object_id == invoice.pk
    assert _runs(flows["client.stage_changed"]).filter(client=lucy).get().status == "done"
    assert _runs(inquiry_flow).get().client == lucy
    tags = set(booked.client.tags.values_list("name", flat=True))
    assert {"contract.sent", "contract.signed", "invoice.sent", "invoice.paid"} <= tags


def test_gallery_triggers(studio):
    emma = ClientFactory(studio=studio, email="emma@example.test")
    published = make_workflow(studio, "gallery.published", [("add_tag", {"tag": "delivered"})])
    expiring = make_workflow(studio, "gallery.expiring", [("add_tag", {"tag": "closing"})])
    expired = make_workflow(studio, "gallery.expired", [("add_tag", {"tag": "closed"})])
    submitted = make_workflow(studio, "selection.submitted", [("add_tag", {"tag": "chose"})])
    closes = timezone.now() + timedelta(days=4, hours=1)
    gallery = make_gallery(studio, client=emma, expires_at=closes)
    assert proofing.send_expiry_reminders() == 1
    [photo] = bulk_ready_photos(gallery, 1)
    proofing.select_photo(gallery, "emma@example.test", photo)
    selection = proofing.submit_selection(gallery, "emma@example.test")  # the client's "Send selection"
    _due()
    assert _runs(published).get().status == "done"
    assert _runs(expiring).get().dedupe_key.endswith(":4")
    assert _runs(submitted).get().client == emma
    run = _runs(expired).get()
    assert run.status == "waiting" and run.resume_at == closes.replace(microsecond=closes.microsecond)
    assert _runs(submitted).get().object_id == selection.pk
    _due(closes)
    assert set(emma.tags.values_list("name", flat=True)) == {"delivered", "closing", "chose", "closed"}


def test_invoice_overdue_runs_days_after_the_due_date_only_if_unpaid(studio):
    workflow = Workflow.objects.for_studio(studio).get(recipe="invoice_overdue")
    Workflow.objects.filter(pk=workflow.pk).update(active=True)
    due = timezone.now().astimezone(studio.tz).date() + timedelta(days=10)
    unpaid = invoice_for(studio, due_date=due)
    paid = invoice_for(studio, due_date=due)
    runs = {r.object_id: r for r in WorkflowRun.objects.filter(workflow=workflow)}
    expected = datetime.combine(due + timedelta(days=3), time(10), tzinfo=studio.tz)
    assert runs[unpaid.pk].resume_at == expected
    type(paid).objects.filter(pk=paid.pk).update(status="paid")
    engine.run_due(now=expected + LATER)
    assert _runs(workflow).get(object_id=unpaid.pk).status == "done"
    assert _runs(workflow).get(object_id=paid.pk).status == "stopped"
    (reminder,) = OutgoingEmail.objects.filter(template="workflow_invoice_reminder")
    assert reminder.to == [unpaid.client.email] and unpaid.number in reminder.subject


def test_offsets_count_wall_clock_days_in_the_studios_zone(studio):
    # 1 November 2026 (after the clocks went back on 25 October) at 10:00 GMT; 8 days before is BST.
    base = datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert timing.offset_moment(studio, base, -8, "09:00") == datetime(2026, 10, 24, 8, tzinfo=UTC)
    assert timing.offset_moment(studio, base, -8) == datetime(2026, 10, 24, 9, tzinfo=UTC)  # 10:00 GMT → 10:00 BST
    assert timing.offset_moment(studio, date(2026, 3, 29), 1, time(9)) == datetime(2026, 3, 30, 8, tzinfo=UTC)


# --- Conditions ------------------------------------------------------------------------------------------------

CONDITIONS = [
    (("session_type", {"test": "is", "name": "wedding"}), True),
    (("session_type", {"test": "is", "name": "Portrait"}), False),
    (("session_type", {"test": "is_not", "name": "Portrait"}), True),
    (("session_type", {"test": "is_not", "name": "Wedding"}), False),
    (("client_tag", {"test": "has", "tag": "VIP"}), True),
    (("client_tag", {"test": "has", "tag": "referral"}), False),
    (("client_tag", {"test": "lacks", "tag": "referral"}), True),
    (("client_tag", {"test": "lacks", "tag": "vip"}), False),
    (("client_stage", {"stage": "booked"}), True),
    (("client_stage", {"stage": "lead"}), False),
    (("amount_at_least", {"amount": Decimal("1500.00")}), True),
    (("amount_at_least", {"amount": Decimal("1500.01")}), False),
]


@pytest.mark.parametrize(("condition", "holds"), CONDITIONS)
def test_each_booking_condition(studio, booked, condition, holds):
    booked.client.tags.add(ClientTag.objects.create(studio=studio, name="vip"))
    workflow = make_workflow(studio, "booking.cancelled", [("add_tag", {"tag": "ran"})], conditions=[condition])
    scheduling.cancel(booked)
    _due()
    run = _runs(workflow).get()
    assert run.status == ("done" if holds else "stopped"), run.outcome
    assert booked.client.tags.filter(name="ran").exists() == holds
    if not holds:
        assert run.outcome.startswith("Condition not met")


@pytest.mark.parametrize(
    ("test", "submitted", "holds"), [("lacks", False, True), ("lacks", True, False), ("has", True, True)]
)
def test_gallery_selection_condition_is_checked_when_the_wait_ends(studio, test, submitted, holds):
    emma = ClientFactory(studio=studio, email="emma@example.test")
    workflow = make_workflow(
        studio,
        "gallery.published",
        [
            ("wait", {"days": 7, "hours": 0}),
            ("stop_unless", {"conditions": [("gallery_selection", {"test": test})]}),
            email_step("workflow_selection_nudge"),
        ],
    )
    gallery = make_gallery(studio, client=emma)
    _due()
    if submitted:
        Selection.objects.create(gallery=gallery, email=emma.email, submitted_at=timezone.now())
    _due(timezone.now() + timedelta(days=8))
    run = _runs(workflow).get()
    assert run.status == ("done" if holds else "stopped")
    assert OutgoingEmail.objects.filter(template="workflow_selection_nudge").exists() == holds


def test_amount_condition_reads_the_invoice_total(studio):
    big = make_workflow(studio, "invoice.sent", [], conditions=[("amount_at_least", {"amount": Decimal("250")})])
    invoice_for(studio)  # £250.00
    _due()
    assert _runs(big).get().status == "done"


# --- Actions ---------------------------------------------------------------------------------------------------


def test_email_steps_to_the_client_and_to_the_studio(studio, booked, mailoutbox):
    studio.contact_email = "hello@northlight.test"
    studio.save()
    workflow = make_workflow(
        studio,
        "booking.cancelled",
        [email_step("workflow_session_reminder"), email_step("workflow_studio_note", "studio")],
    )
    scheduling.cancel(booked)
    _due()
    assert _runs(workflow).get().status == "done"
    to_client = [m for m in mailoutbox if m.to == ["emma@example.test"] and "See you soon" in m.subject]
    to_studio = [m for m in mailoutbox if m.to == ["hello@northlight.test"]]
    assert len(to_client) == 1 and "The Old Barn" in to_client[0].body
    assert len(to_studio) == 1 and "Emma" in to_studio[0].subject


def test_an_email_step_retried_never_sends_twice(studio, booked):
    from workflows import actions

    workflow = make_workflow(studio, "booking.cancelled", [email_step()])
    scheduling.cancel(booked)
    run = _runs(workflow).get()
    ctx = actions.StepContext(run=run, index=0, about=booked, client=booked.client, now=timezone.now())
    actions.send_email(ctx, {"template": "workflow_session_reminder", "to": "client"})
    actions.send_email(ctx, {"template": "workflow_session_reminder", "to": "client"})  # a retry
    _due()
    assert OutgoingEmail.objects.filter(template="workflow_session_reminder").count() == 1


def test_wait_tag_and_stage_steps(studio, booked):
    ClientTag.objects.create(studio=studio, name="Lead magnet")
    booked.client.tags.add(ClientTag.objects.get(name="Lead magnet"))
    workflow = make_workflow(
        studio,
        "booking.cancelled",
        [
            ("wait", {"days": 2, "hours": 3}),
            ("add_tag", {"tag": "Cancelled 2026"}),
            ("remove_tag", {"tag": "lead magnet"}),
            ("set_stage", {"stage": "lead"}),
        ],
    )
    scheduling.cancel(booked)
    _due()
    run = _runs(workflow).get()
    assert run.status == "waiting" and run.next_step == 1
    assert run.resume_at > timezone.now() + timedelta(days=2, hours=2)
    _due(run.resume_at - timedelta(minutes=1))
    assert _runs(workflow).get().status == "waiting"
    _due(run.resume_at)
    client = Client.objects.get(pk=booked.client.pk)
    assert _runs(workflow).get().status == "done"
    assert list(client.tags.values_list("name", flat=True)) == ["Cancelled 2026"]
    assert client.stage == "lead"
    assert client.activities.filter(kind="stage_changed", data__because="workflow").exists()
    # Tags stay the studio's own: another studio's tag of the same name is untouched.


def test_wait_until_skips_the_step_whose_moment_passed(studio):
    emma = ClientFactory(studio=studio, email="emma@example.test")
    workflow = Workflow.objects.for_studio(studio).get(recipe="gallery_expiring")
    Workflow.objects.filter(pk=workflow.pk).update(active=True)
    closes = (timezone.now() + timedelta(days=5)).astimezone(studio.tz).replace(hour=18, minute=0, second=0)
    closes = closes.replace(microsecond=0)
    make_gallery(studio, client=emma, expires_at=closes)
    _due()
    run = _runs(workflow).get()
    # 7 days before has passed: that e-mail is skipped; the run waits for 4 days before, at 10:00.
    assert run.status == "waiting" and run.next_step == 3
    assert run.resume_at.astimezone(studio.tz) == (closes - timedelta(days=4)).replace(hour=10)
    assert not OutgoingEmail.objects.filter(template="workflow_gallery_expiring").exists()
    _due(closes - timedelta(days=1, hours=9))  # 9:00 the day before: the 4-days e-mail, then a wait until 10:00
    _due(closes)
    assert OutgoingEmail.objects.filter(template="workflow_gallery_expiring").count() == 2
    assert _runs(workflow).get().status == "done"


def test_a_gallery_that_never_closes_stops_the_expiry_reminders_quietly(studio):
    workflow = Workflow.objects.for_studio(studio).get(recipe="gallery_expiring")
    Workflow.objects.filter(pk=workflow.pk).update(active=True)
    make_gallery(studio, client=ClientFactory(studio=studio))
    _due()
    assert _runs(workflow).get().status == "stopped"


def test_call_webhook_step_queues_a_delivery(studio, booked):
    from frontend_api.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(studio=studio, url="https://hooks.example.test/ff")
    workflow = make_workflow(studio, "booking.cancelled", [("call_webhook", {"label": "sync to CRM"})])
    scheduling.cancel(booked)
    _due()
    delivery = WebhookDelivery.objects.get(studio=studio, event="workflow.webhook")
    assert delivery.payload["data"]["id"] == _runs(workflow).get().pk
    assert delivery.payload["data"]["client"]["email"] == "emma@example.test"


def test_create_todo_step(studio, booked):
    workflow = make_workflow(studio, "booking.cancelled", [("create_todo", {"title": "Call Emma", "due_in_days": 2})])
    scheduling.cancel(booked)
    _due()
    assert _runs(workflow).get().status == "done"
    [todo] = Todo.objects.filter(studio=studio, title="Call Emma")
    assert (
        todo.client == booked.client
        and todo.source == f"workflow:{_runs(workflow).get().pk}"
        and todo.due_at is not None
    )


def test_send_questionnaire_step(studio, booked, mailoutbox):
    questionnaire = seed_session_planning(studio)  # what every new studio has
    workflow = make_workflow(
        studio, "booking.cancelled", [("send_questionnaire", {"questionnaire": questionnaire.name.lower()})]
    )
    scheduling.cancel(booked)
    _due()
    assert _runs(workflow).get().status == "done", _runs(workflow).get().outcome
    [request] = QuestionnaireRequest.objects.filter(studio=studio, client=booked.client)
    assert request.questionnaire == questionnaire and request.answered_at is None


# --- "Client's stage changed" hears every change, not only the event rules' --------------------------------


def _stage_runs(workflow, client):
    return sorted(r.dedupe_key.rsplit(":", 1)[1] for r in _runs(workflow).filter(client=client))


def test_a_stage_moved_by_a_workflow_starts_stage_changed_workflows(studio, booked):
    mover = make_workflow(studio, "booking.cancelled", [("set_stage", {"stage": "lead"})], name="Back to lead")
    heard = make_workflow(studio, "client.stage_changed", [("add_tag", {"tag": "stage moved"})], name="Heard")
    scheduling.cancel(booked)
    _due()
    _due()  # the run the move started
    assert _runs(mover).get().status == "done"
    assert "lead" in _stage_runs(heard, booked.client)
    assert booked.client.tags.filter(name="stage moved").exists()
    change = booked.client.activities.filter(kind="stage_changed", data__to="lead").get()
    assert change.data["because"] == "workflow" and "Back to lead" in change.summary


def test_a_stage_set_by_hand_in_the_admin_or_the_api_starts_stage_changed_workflows(
    client, studio, photographer, admin_client_for
):
    from frontend_api.models import ApiKey

    from .conftest import on_plan

    heard = make_workflow(studio, "client.stage_changed", [("add_tag", {"tag": "stage moved"})])
    ada = ClientFactory(studio=studio, name="Ada", email="ada@example.test", stage="lead")
    response = admin_client_for(photographer).post(
        f"/admin/clients/edit/{ada.pk}/",
        {"name": "Ada", "email": "ada@example.test", "stage": "customer", "tag_names": ""},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    _due()
    assert _stage_runs(heard, ada) == ["customer"]
    by_hand = ada.activities.get(kind="stage_changed")
    assert by_hand.summary == "Lead → Customer" and by_hand.created_by == photographer

    on_plan(studio, "studio")  # API access
    secret = ApiKey.issue(studio=studio, name="Integration", scope=ApiKey.Scope.WRITE)[1]
    response = client.patch(
        f"/api/studio/clients/{ada.pk}/",
        {"stage": "repeat"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200, response.content
    _due()
    assert _stage_runs(heard, ada) == ["customer", "repeat"]
    assert ada.activities.filter(kind="stage_changed", data__because="api", data__to="repeat").exists()

    # Saving the client without touching the stage changes nothing.
    admin_client_for(photographer).post(
        f"/admin/clients/edit/{ada.pk}/",
        {"name": "Ada L.", "email": "ada@example.test", "stage": "repeat", "tag_names": ""},
        HTTP_HOST="localhost",
    )
    assert ada.activities.filter(kind="stage_changed").count() == 2


def test_the_run_log_says_when_an_email_was_not_sent_to_an_unsubscribed_client(studio):
    from studios import suppression

    emma = ClientFactory(studio=studio, email="emma@example.test")
    suppression.unsubscribe(studio, emma.email)  # from marketing-type e-mail, e.g. by a one-click link
    workflow = make_workflow(studio, "gallery.published", [email_step("workflow_review_request")])
    make_gallery(studio, client=emma)
    _due()
    run = _runs(workflow).get()
    assert run.status == "done"
    detail = run.log.get(step_index=0).detail
    assert "not sent" in detail.lower() and "unsubscribed" in detail and "queued" not in detail
    assert OutgoingEmail.objects.get(template="workflow_review_request").state == "suppressed"
