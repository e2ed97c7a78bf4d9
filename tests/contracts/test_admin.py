"""Contracts in the Wagtail admin: templates checked at save time, countersigning, the PDF, isolation."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from contracts.issuing import issue_contract
from contracts.models import Contract, ContractTemplate, Signature
from contracts.signing import sign_as_client
from tests.contracts.conftest import signature_png
from tests.factories import BookingFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_admin(admin_client_for, photographer):
    return admin_client_for(photographer)


@pytest.fixture
def signed_contract(studio, wedding_template, django_capture_on_commit_callbacks):
    package = SessionTypeFactory(studio=studio, name="Wedding", contract_template=wedding_template)
    booking = BookingFactory(
        studio=studio, session_type=package, client__name="Ava Stone", client__email="ava@example.test"
    )
    contract = issue_contract(booking, wedding_template)
    with django_capture_on_commit_callbacks(execute=True):
        sign_as_client(
            contract,
            typed_name="Ava Stone",
            signature_png=signature_png(),
            consent=True,
            signed_sha256=contract.body_sha256,
            ip_address="203.0.113.7",
            user_agent="Safari/18",
        )
    contract.refresh_from_db()
    return contract


@pytest.fixture
def b_contract(other_studio):
    template = ContractTemplate.objects.create(
        studio=other_studio, title="Harbour Secret Template", body=[("paragraph", "Hi {{ client.name }}")]
    )
    package = SessionTypeFactory(studio=other_studio, contract_template=template)
    booking = BookingFactory(studio=other_studio, session_type=package, client__name="Harbour Secret Client")
    return issue_contract(booking, template)


def stream_post(title, blocks):
    """The form data Wagtail's StreamField widget posts."""
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    def value(v):
        if isinstance(v, list):  # a ListBlock
            items = {str(i): {"value": item, "deleted": "", "order": str(i), "id": ""} for i, item in enumerate(v)}
            return {"count": str(len(v)), **items}
        return v

    return nested_form_data({"title": title, "body": streamfield([(t, value(v)) for t, v in blocks])})


def test_unknown_variable_is_an_error_at_save_time(a_admin, studio):
    response = a_admin.post(
        "/admin/contract_templates/new/",
        stream_post("Portrait terms", [("paragraph", "Dear {{ client.nmae }}, {% now 'Y' %}")]),
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown variable" in html and "client.nmae" in html
    assert "Template tags and comments" in html
    assert not ContractTemplate.objects.exists()


def test_valid_template_saves_in_own_studio(a_admin, studio):
    response = a_admin.post(
        "/admin/contract_templates/new/",
        stream_post(
            "Portrait terms", [("heading", "Terms for {{ client.name }}"), ("list", ["Fee {{ package.price }}"])]
        ),
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    template = ContractTemplate.objects.get()
    assert template.studio == studio
    assert [b.block_type for b in template.body] == ["heading", "list"]


@pytest.mark.parametrize("view", ["edit", "delete", "inspect", "history", "usage"])
def test_another_studios_templates_and_contracts_are_404(a_admin, b_contract, view):
    for url in (
        f"/admin/contract_templates/{view}/{b_contract.template.pk}/",
        f"/admin/contracts/{view}/{b_contract.pk}/",
    ):
        response = a_admin.get(url, HTTP_HOST="localhost")
        if url.startswith("/admin/contracts/") and view in ("edit", "delete"):
            # Read-only records for everyone: denied (to the dashboard) or not found.
            assert response.status_code == 404 or (response.status_code, response["Location"]) == (302, "/admin/")
        else:
            assert response.status_code == 404, (url, response.status_code)
        assert b"Harbour Secret" not in response.content


@pytest.mark.parametrize("action", ["countersign", "void", "new-version", "pdf"])
def test_actions_on_another_studios_contract_are_404(a_admin, b_contract, action):
    method = a_admin.get if action == "pdf" else a_admin.post
    response = method(f"/admin/contracts/{b_contract.pk}/{action}/", {"typed_name": "Me"}, HTTP_HOST="localhost")
    assert response.status_code == 404
    after = Contract.objects.get(pk=b_contract.pk)
    assert (after.status, after.countersigned_at) == ("sent", None)
    assert Contract.objects.filter(booking=b_contract.booking).count() == 1


def test_listings_show_only_own(a_admin, b_contract, signed_contract):
    for url in ("/admin/contracts/", "/admin/contract_templates/", "/admin/contracts/?q=Harbour"):
        response = a_admin.get(url, HTTP_HOST="localhost")
        assert response.status_code == 200 and b"Harbour Secret" not in response.content


def test_countersign_makes_the_pdf_and_mails_both(
    a_admin, signed_contract, photographer, mailoutbox, django_capture_on_commit_callbacks
):
    page = a_admin.get(f"/admin/contracts/inspect/{signed_contract.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Ava Stone" in page and "203.0.113.7" in page and signed_contract.body_sha256 in page
    with django_capture_on_commit_callbacks(execute=True):
        response = a_admin.post(
            f"/admin/contracts/{signed_contract.pk}/countersign/", {"typed_name": "Olive Owner"}, HTTP_HOST="localhost",
            REMOTE_ADDR="198.51.100.4",
        )  # fmt: skip
    assert response.status_code == 302
    contract = Contract.objects.get(pk=signed_contract.pk)
    assert contract.countersigned_at is not None
    countersignature = contract.signatures.get(party="photographer")
    assert (countersignature.user, countersignature.typed_name, countersignature.ip_address) == (
        photographer,
        "Olive Owner",
        "198.51.100.4",
    )

    assert contract.pdf.name.startswith(f"tenants/{contract.studio_id}/contracts/")  # the studio's prefix
    assert default_storage.exists(contract.pdf.name)
    pdf = contract.pdf.open("rb").read()
    assert (
        pdf.startswith(b"%PDF-")
        and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type /Page/") >= 2
    )
    assert contract.body_sha256.encode() in pdf  # in the metadata; the audit page shows it too
    assert b"/Subtype /Image" in pdf  # the drawn signature

    [final] = [m for m in mailoutbox if m.attachments]  # the signed PDF, to both
    assert set(final.to) == {"ava@example.test", "owner@northlight.test"}
    assert final.attachments[0][2] == "application/pdf" and final.attachments[0][1] == pdf
    assert contract.pdf_emailed_at is not None
    assert contract.client.activities.filter(kind="contract_countersigned").exists()

    # A second countersignature is refused with a clear message; a re-run of the task sends nothing.
    from contracts.tasks import finalise_signed_contract

    count = len(mailoutbox)
    assert finalise_signed_contract(contract.pk) is False
    response = a_admin.post(
        f"/admin/contracts/{contract.pk}/countersign/", {"typed_name": "Again"}, HTTP_HOST="localhost", follow=True
    )
    assert "already countersigned" in response.content.decode()
    assert Signature.objects.filter(contract=contract).count() == 2 and len(mailoutbox) == count

    download = a_admin.get(f"/admin/contracts/{contract.pk}/pdf/", HTTP_HOST="localhost")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf


def test_countersign_before_the_client_is_refused(a_admin, studio, wedding_template):
    package = SessionTypeFactory(studio=studio, contract_template=wedding_template)
    contract = issue_contract(BookingFactory(studio=studio, session_type=package), wedding_template)
    response = a_admin.post(
        f"/admin/contracts/{contract.pk}/countersign/", {"typed_name": "Olive"}, HTTP_HOST="localhost", follow=True
    )
    assert "has not signed yet" in response.content.decode()
    assert not Signature.objects.exists()


def test_statuses_show_on_the_booking_and_client_timeline(a_admin, signed_contract):
    booking_page = a_admin.get(
        f"/admin/bookings/inspect/{signed_contract.booking.pk}/", HTTP_HOST="localhost"
    ).content.decode()
    assert "Signed" in booking_page
    listing = a_admin.get("/admin/bookings/", HTTP_HOST="localhost").content.decode()
    assert "Signed" in listing
    client_page = a_admin.get(
        f"/admin/clients/inspect/{signed_contract.client.pk}/", HTTP_HOST="localhost"
    ).content.decode()
    assert "Contract sent" in client_page and "Contract signed" in client_page


def test_a_booking_page_issues_and_reissues_its_contract(a_admin, booking, django_capture_on_commit_callbacks):
    """The button and URL come from contracts (the register_booking_admin_buttons hook), not from bookings."""
    page = f"/admin/bookings/inspect/{booking.pk}/"
    action = f"/admin/bookings/{booking.pk}/issue-contract/"
    assert action == reverse("bookings:issue_contract", args=[booking.pk])

    html = a_admin.get(page, HTTP_HOST="localhost").content.decode()
    assert f'action="{action}"' in html and ">Issue contract</button>" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = a_admin.post(action, HTTP_HOST="localhost", follow=True)
    assert response.redirect_chain[-1][0] == page
    assert "Contract issued and sent." in response.content.decode()
    assert list(Contract.objects.filter(booking=booking).values_list("version", flat=True)) == [1]

    html = a_admin.get(page, HTTP_HOST="localhost").content.decode()
    assert ">Issue a new version of the contract</button>" in html


def test_a_booking_without_a_contract_template_has_no_issue_button(a_admin, studio):
    booking = BookingFactory(studio=studio, session_type=SessionTypeFactory(studio=studio, contract_template=None))

    html = a_admin.get(f"/admin/bookings/inspect/{booking.pk}/", HTTP_HOST="localhost").content.decode()
    assert "issue-contract" not in html

    response = a_admin.post(f"/admin/bookings/{booking.pk}/issue-contract/", HTTP_HOST="localhost", follow=True)
    assert "Choose a contract template for this session type first." in response.content.decode()
    assert not Contract.objects.filter(booking=booking).exists()


def test_countersigning_lands_on_the_contract_with_the_signature_shown(
    a_admin, signed_contract, django_capture_on_commit_callbacks
):
    # It used to redirect to /inspect/<the signature's id>/: an "Error 404" page although it had worked.
    with django_capture_on_commit_callbacks(execute=True):
        response = a_admin.post(
            f"/admin/contracts/{signed_contract.pk}/countersign/",
            {"typed_name": "Olive Owner"},
            HTTP_HOST="localhost",
            follow=True,
        )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/admin/contracts/inspect/{signed_contract.pk}/"
    page = response.content.decode()
    assert "Countersigned: the PDF is on its way to you both." in page
    assert "Olive Owner" in page


@pytest.mark.parametrize("typed_name", ["", "   ", "\n\t"])
def test_an_empty_countersignature_name_is_refused(a_admin, signed_contract, typed_name):
    response = a_admin.post(
        f"/admin/contracts/{signed_contract.pk}/countersign/",
        {"typed_name": typed_name},
        HTTP_HOST="localhost",
        follow=True,
    )
    assert "Type your name to sign." in response.content.decode()
    signed_contract.refresh_from_db()
    assert signed_contract.countersigned_at is None
    assert not signed_contract.signatures.filter(party="photographer").exists()


def test_the_admin_shows_the_contract_as_formatted_text_not_markup(a_admin, signed_contract):
    page = a_admin.get(f"/admin/contracts/inspect/{signed_contract.pk}/", HTTP_HOST="localhost").content.decode()
    text = page[page.find("data-contract-text") : page.find("</article>")]
    assert "## " not in text and "[signature:" not in text
    headings = [b["text"] for b in signed_contract.body_blocks() if b["kind"] == "heading"]
    assert headings and all(f'<h3 class="w-h3">{h}</h3>' in text for h in headings)
    assert 'data-signature="client"' in text and "Ava Stone" in text  # the client signed
    assert 'data-signature="photographer"' in text and "Not signed yet" in text
