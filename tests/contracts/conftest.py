"""Contract fixtures: a wedding booking with its issued contract, and drawn signatures."""

import base64
import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageDraw

from contracts.issuing import issue_contract
from tests.factories import BookingFactory, SessionTypeFactory


def signature_png(size=(300, 100)) -> bytes:
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 80), (100, 20), (200, 70), (290, 30)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(raw: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(raw).decode()


@pytest.fixture
def booking(studio, wedding_template):
    package = SessionTypeFactory(
        studio=studio, name="Wedding — full day", price=250000, deposit_percent=20, duration=timedelta(hours=8),
        location="Saltaire Mill", contract_template=wedding_template,
    )  # fmt: skip
    start = datetime(2027, 6, 12, 12, tzinfo=UTC)
    return BookingFactory(
        studio=studio, session_type=package, start=start, client__name="Ava Stone", location="Saltaire Mill"
    )


@pytest.fixture
def contract(booking, wedding_template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return issue_contract(booking, wedding_template)
