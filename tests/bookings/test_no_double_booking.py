"""No double booking, ever: 20 clients ask for one slot at once through the API on PostgreSQL,
exactly one gets it; the exclusion constraint refuses overlaps even from code that skips the checks."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.test import Client as HttpClient

from bookings.models import Booking
from tests.factories import BookingFactory


@pytest.mark.postgres
# Transactional: the threads use their own connections and must see committed rows.
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_for_one_slot_one_wins(open_studio, portrait, slot):
    results: list = [None] * 20
    barrier = threading.Barrier(20)

    def request(i):
        try:
            http = HttpClient()
            barrier.wait(timeout=30)
            response = http.post(
                "/api/client/bookings/",
                {
                    "session_type": portrait.pk,
                    "start": slot.isoformat(),
                    "name": f"Guest {i}",
                    "email": f"g{i}@example.test",
                },
                content_type="application/json",
                HTTP_HOST=open_studio.hostname,
                REMOTE_ADDR=f"10.0.0.{i + 1}",
            )
            results[i] = (response.status_code, response.json())
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=request, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()

    statuses = sorted(r[0] for r in results)
    assert statuses == [201] + [409] * 19, results
    assert {r[1]["error"]["code"] for r in results if r[0] == 409} == {"slot_taken"}
    booking = Booking.objects.get()
    assert booking.start == slot
    winner = next(r[1] for r in results if r[0] == 201)
    assert winner["id"] == booking.pk
    # The losers left nothing behind: one client, one timeline.
    assert booking.client.studio.clients.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_itself_refuses_overlapping_active_bookings(open_studio, other_studio, portrait, slot):
    BookingFactory(studio=open_studio, session_type=portrait, start=slot)
    with pytest.raises(IntegrityError, match="booking_no_overlap_per_studio"), transaction.atomic():
        BookingFactory(studio=open_studio, session_type=portrait, start=slot + timedelta(minutes=59))
    # Back to back is fine, so is a cancelled overlap, so is another studio at the same time.
    BookingFactory(studio=open_studio, session_type=portrait, start=slot + timedelta(hours=1))
    BookingFactory(studio=open_studio, session_type=portrait, start=slot, status="cancelled")
    BookingFactory(studio=other_studio, start=slot)
    assert Booking.objects.count() == 4


@pytest.mark.postgres
@pytest.mark.django_db
def test_buffers_are_part_of_the_constraint(open_studio, portrait, slot):
    portrait.buffer_after = timedelta(minutes=15)
    portrait.save()
    BookingFactory(studio=open_studio, session_type=portrait, start=slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(studio=open_studio, session_type=portrait, start=slot + timedelta(hours=1))


@pytest.mark.django_db
def test_sequential_requests_for_one_slot_checks_refuse_the_second(client, open_studio, portrait, slot):
    first = client.post(
        "/api/client/bookings/",
        {"session_type": portrait.pk, "start": slot.isoformat(), "name": "A", "email": "a@example.test"},
        content_type="application/json",
        HTTP_HOST=open_studio.hostname,
    )
    second = client.post(
        "/api/client/bookings/",
        {"session_type": portrait.pk, "start": slot.isoformat(), "name": "B", "email": "b@example.test"},
        content_type="application/json",
        HTTP_HOST=open_studio.hostname,
    )
    assert (first.status_code, second.status_code) == (201, 409)
    assert Booking.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_daily_cap_holds_when_clients_book_different_hours_of_one_day_at_once(open_studio, portrait, slot):
    portrait.max_per_day = 1
    portrait.save()
    starts = [slot + timedelta(hours=h) for h in range(-1, 5)]  # 09:00 … 14:00 London, none overlapping
    results: list = [None] * len(starts)
    barrier = threading.Barrier(len(starts))

    def request(i):
        try:
            http = HttpClient()
            barrier.wait(timeout=30)
            response = http.post(
                "/api/client/bookings/",
                {"session_type": portrait.pk, "start": starts[i].isoformat(), "name": "G", "email": f"g{i}@x.test"},
                content_type="application/json",
                HTTP_HOST=open_studio.hostname,
                REMOTE_ADDR=f"10.0.1.{i + 1}",
            )
            results[i] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(len(starts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()

    assert sorted(r[0] for r in results) == [201] + [409] * (len(starts) - 1), results
    assert {r[1]["error"]["code"] for r in results if r[0] == 409} == {"day_full"}
    assert Booking.objects.count() == 1
