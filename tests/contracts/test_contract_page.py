"""/contracts/<token>/ on the studio's site: the page a contract e-mail links to, and the PDF download."""

import pytest

from contracts.issuing import void_contract
from contracts.models import Contract
from contracts.signing import sign_as_client
from tests.contracts.conftest import signature_png

pytestmark = pytest.mark.django_db


def page(client, contract, host=None):
    return client.get(f"/contracts/{contract.token}/", HTTP_HOST=host or contract.studio.hostname)


def signed(contract):
    sign_as_client(
        contract, typed_name="Ava Stone", signature_png=signature_png(), consent=True,
        signed_sha256=contract.body_sha256, ip_address="203.0.113.9", user_agent="pytest", notify=False,
    )  # fmt: skip
    contract.refresh_from_db()
    return contract


def test_the_client_reads_the_contract_and_is_asked_to_sign(client, contract):
    response = page(client, contract)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h2>Agreement between {contract.studio.name} and Ava Stone</h2>" in html
    assert "<li>Fee: £2,500.00</li>" in html  # the frozen text, list items as a list
    assert "Awaiting your signature" in html and "Sign contract" in html
    assert f'data-sha256="{contract.body_sha256}"' in html  # what the sign request proves was read
    assert f'href="/api/client/contracts/{contract.token}/pdf/"' in html
    assert "noindex" in html
    contract.refresh_from_db()
    assert contract.status == "viewed" and contract.viewed_at is not None


def test_text_is_escaped_not_trusted(client, booking, wedding_template):
    from contracts.issuing import issue_contract

    booking.client.name = "<script>alert(1)</script>"
    booking.client.save()
    html = page(client, issue_contract(booking, wedding_template, notify=False)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_once_signed_the_page_shows_the_signature_and_the_deposit_to_pay(client, contract):
    from billing.invoicing import invoice_for_booking, send_invoice

    invoice = send_invoice(invoice_for_booking(contract.booking), link="x")
    html = page(client, signed(contract)).content.decode()
    assert "Sign contract" not in html and "Thank you — you’ve signed." in html
    assert 'class="signature-name">Ava Stone</span>' in html and 'src="data:image/png;base64,' in html
    assert f"awaiting {contract.studio.name}’s countersignature" in html
    # 20 % deposit of £2,500, then the link to pay it
    assert f'href="/invoices/{invoice.token}/">Pay £500.00</a>' in html


def test_a_withdrawn_contract_cannot_be_signed(client, contract):
    void_contract(contract)
    html = page(client, contract).content.decode()
    assert "withdrew this version" in html and "Sign contract" not in html


def test_a_contract_whose_text_changed_is_never_offered_for_signing(client, contract):
    Contract.objects.filter(pk=contract.pk).update(body_text=contract.body_text + "Extra clause.\n")
    html = page(client, contract).content.decode()
    assert "Sign contract" not in html and 'role="alert"' in html


def test_another_studios_site_and_unknown_tokens_show_a_branded_not_found(client, contract, other_studio):
    response = page(client, contract, host=other_studio.hostname)
    assert response.status_code == 404
    assert "This link doesn’t open anything" in response.content.decode()
    assert other_studio.name in response.content.decode() and "Ava Stone" not in response.content.decode()
    contract.refresh_from_db()
    assert contract.viewed_at is None  # nothing was marked as read
    assert client.get("/contracts/not-a-token/", HTTP_HOST=contract.studio.hostname).status_code == 404
    assert client.get(f"/contracts/{contract.token}/", HTTP_HOST="unknown.example").status_code == 404


def test_the_pdf_downloads_before_and_after_signing(client, contract, other_studio):
    url = f"/api/client/contracts/{contract.token}/pdf/"
    unsigned = client.get(url, HTTP_HOST=contract.studio.hostname)
    assert unsigned.status_code == 200 and unsigned["Content-Type"] == "application/pdf"
    assert unsigned.content.startswith(b"%PDF") and "attachment" in unsigned["Content-Disposition"]
    signed(contract)
    after = client.get(url, HTTP_HOST=contract.studio.hostname)
    assert after.content.startswith(b"%PDF") and after.content != unsigned.content  # now with the signature
    refused = client.get(url, HTTP_HOST=other_studio.hostname)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"


def test_the_stored_pdf_is_served_once_both_have_signed(client, contract):
    from django.core.files.base import ContentFile

    contract = signed(contract)
    contract.pdf.save("final.pdf", ContentFile(b"%PDF-1.4 the countersigned copy"), save=True)
    response = client.get(f"/api/client/contracts/{contract.token}/pdf/", HTTP_HOST=contract.studio.hostname)
    assert response.content == b"%PDF-1.4 the countersigned copy"
