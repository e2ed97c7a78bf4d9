"""Proposal fixtures: a priced package with a contract, a client, a proposal for a weekday slot; localstripe
and the signed Stripe webhook from billing's fixtures."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from proposals.models import Proposal
from tests.billing.conftest import (  # noqa: F401 - fixtures
    client_of,
    deliver,
    plans,
    stripe_api,
    stripe_server,
    webhook_secret,
)
from tests.bookings.factories import weekly_hours
from tests.factories import ClientFactory, SessionTypeFactory


def next_weekday_at(hour: int, days_ahead: int = 10) -> datetime:
    day = (timezone.now() + timedelta(days=days_ahead)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def package(studio, wedding_template):
    weekly_hours(studio, days=range(5))
    return SessionTypeFactory(
        studio=studio, name="Family portrait", price=40000, deposit_percent=25, duration=timedelta(hours=2),
        contract_template=wedding_template,
    )  # fmt: skip


@pytest.fixture
def ava(studio):
    return ClientFactory(studio=studio, name="Ava Stone", email="ava@example.test")


@pytest.fixture
def proposal(studio, ava, package):
    return Proposal.objects.create(
        studio=studio, client=ava, session_type=package, start=next_weekday_at(10), message="Lovely to meet you!"
    )
