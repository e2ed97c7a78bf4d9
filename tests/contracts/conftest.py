import base64
import io

import pytest
from PIL import Image, ImageDraw

from contracts.models import ContractTemplate


def signature_png(size=(300, 100)) -> bytes:
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 80), (100, 20), (200, 70), (290, 30)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(raw: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(raw).decode()


@pytest.fixture
def wedding_template(studio):
    return ContractTemplate.objects.create(
        studio=studio,
        title="Photography agreement — {{ client.name }}",
        body=[
            ("heading", "Agreement between {{ studio.name }} and {{ client.name }}"),
            ("paragraph", "Session: {{ package.name }} on {{ booking.start }} at {{ booking.location }}."),
            ("list", ["Fee: {{ package.price }}", "Deposit: {{ package.deposit }}", "Length: {{ package.duration }}"]),
            ("paragraph", "Cancellations within 30 days forfeit the deposit."),
            ("signature", {"party": "client", "label": "The client"}),
            ("signature", {"party": "photographer", "label": "The studio"}),
        ],
    )
