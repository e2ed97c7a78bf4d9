from datetime import time, timedelta

import pytest
from django.utils import timezone

from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory


@pytest.fixture
def open_studio(studio):
    """Northlight, open 09:00–17:00 London every day."""
    weekly_hours(studio, time(9), time(17))
    return studio


@pytest.fixture
def portrait(open_studio):
    return SessionTypeFactory(
        studio=open_studio,
        name="Family portrait",
        duration=timedelta(hours=1),
        slot_interval=timedelta(hours=1),
        minimum_notice=timedelta(hours=24),
        location="Northlight studio, Leeds",
    )


@pytest.fixture
def slot(open_studio):
    """A free 10:00 London slot a week from now (always inside hours, never too soon)."""
    day = (timezone.now() + timedelta(days=7)).astimezone(open_studio.tz).date()
    return timezone.make_aware(timezone.datetime.combine(day, time(10)), open_studio.tz)
