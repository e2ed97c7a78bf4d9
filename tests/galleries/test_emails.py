"""E-mails to the client: expiry reminders 7, 4 and 1 days before a gallery closes, once each."""

from datetime import UTC, datetime

import pytest

from galleries.models import ExpiryReminder, Gallery
from galleries.proofing import send_expiry_reminders
from tests.factories import ClientFactory

from .factories import make_gallery

pytestmark = pytest.mark.django_db


def test_expiry_reminders_on_the_right_days_once(studio, mailoutbox):
    client = ClientFactory(studio=studio, name="Emma", email="emma@example.test")
    # Closes at 23:30 UTC on 10 July = 00:30 on 11 July in London: days count in the studio's zone.
    gallery = make_gallery(studio, client=client, expires_at=datetime(2026, 7, 10, 23, 30, tzinfo=UTC))
    make_gallery(studio, title="No client", slug="noclient", expires_at=datetime(2026, 7, 10, 23, 30, tzinfo=UTC))

    assert send_expiry_reminders(datetime(2026, 7, 3, 9, 0, tzinfo=UTC)) == 0  # 8 days
    assert send_expiry_reminders(datetime(2026, 7, 4, 9, 0, tzinfo=UTC)) == 1  # 7 days
    assert send_expiry_reminders(datetime(2026, 7, 4, 17, 0, tzinfo=UTC)) == 0  # same day again
    assert send_expiry_reminders(datetime(2026, 7, 7, 9, 0, tzinfo=UTC)) == 1  # 4 days
    assert send_expiry_reminders(datetime(2026, 7, 10, 9, 0, tzinfo=UTC)) == 1  # 1 day
    assert [m.subject for m in mailoutbox] == [
        "Emma & Jonah — Wedding closes in 7 days",
        "Emma & Jonah — Wedding closes in 4 days",
        "Emma & Jonah — Wedding closes in 1 day",
    ]
    assert "on 11 July 2026" in mailoutbox[0].body and mailoutbox[0].to == ["emma@example.test"]
    assert ExpiryReminder.objects.filter(gallery=gallery).count() == 3


def test_no_reminders_for_unpublished_or_expired_galleries(studio, mailoutbox):
    client = ClientFactory(studio=studio, email="emma@example.test")
    gallery = make_gallery(studio, client=client, expires_at=datetime(2026, 7, 10, 12, 0, tzinfo=UTC))
    gallery.unpublish()
    assert send_expiry_reminders(datetime(2026, 7, 3, 12, 0, tzinfo=UTC)) == 0
    Gallery.objects.filter(pk=gallery.pk).update(live=True)
    assert send_expiry_reminders(datetime(2026, 7, 11, 12, 0, tzinfo=UTC)) == 0
    assert mailoutbox == []
