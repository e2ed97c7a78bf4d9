"""Reminders through a real Celery worker on Redis (PostgreSQL shared with the test): sent once,
however often beat fires."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Booking
from bookings.tasks import send_due_reminders, send_reminder
from tests.factories import BookingFactory, SessionTypeFactory, StudioFactory


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_sends_each_reminder_once(celery_worker):
    studio = StudioFactory(slug="worker-studio", time_zone="Europe/London")
    session_type = SessionTypeFactory(studio=studio)
    booking = BookingFactory(
        studio=studio, session_type=session_type, start=timezone.now() + timedelta(hours=3), status="confirmed"
    )

    # Beat fires twice and a stray duplicate task arrives: the worker must still send one reminder.
    results = [send_due_reminders.delay(), send_due_reminders.delay(), send_reminder.delay(booking.pk)]
    for result in results:
        result.get(timeout=60)
    deadline = time.monotonic() + 30
    while Booking.objects.get(pk=booking.pk).reminder_sent_at is None and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # let any duplicate that was queued finish

    booking.refresh_from_db()
    assert booking.reminder_sent_at is not None
    assert booking.events.filter(kind="reminder_sent").count() == 1
    assert not mail.outbox  # sent by the worker process, not this one
