"""Issue 12: what a client types (inquiry name and message, booking name) is shown escaped, as text,
in the admin and on the client's contract page; an inquiry with a line break in the name still e-mails."""

import pytest

from crm.models import Client
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


def test_an_inquiry_with_markup_is_shown_escaped_in_the_admin_client_page(
    client, studio, photographer, admin_client_for, mailoutbox
):
    response = client.post(
        "/api/client/inquiries/",
        {"name": f"Eve {SCRIPT}\r\nBcc: x@example.test", "email": "eve@example.test", "message": f"Hi {SCRIPT}"},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert response.status_code == 201, response.content
    [mail] = mailoutbox
    assert "\n" not in mail.subject and SCRIPT in mail.subject  # plain text, one line
    mail.message()

    eve = Client.objects.get(email="eve@example.test")
    page = admin_client_for(photographer).get(f"/admin/clients/inspect/{eve.pk}/", HTTP_HOST="localhost")
    assert page.status_code == 200
    html = page.content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_client_name_with_markup_is_escaped_on_the_contract_page(client, studio, wedding_template):
    from contracts.issuing import issue_contract

    booking = BookingFactory(studio=studio, client__name=f"Eve {SCRIPT}")
    booking.session_type.contract_template = wedding_template
    booking.session_type.save()
    contract = issue_contract(booking, wedding_template, notify=False)
    html = client.get(f"/contracts/{contract.token}/", HTTP_HOST=studio.hostname).content.decode()
    assert SCRIPT not in html
    assert "Eve &lt;script&gt;alert(1)&lt;/script&gt;" in html
