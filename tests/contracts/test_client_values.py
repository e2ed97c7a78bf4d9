"""Issue 12: a value a client types (their name, address…) is text in the contract, never markup.
A name with blank lines and '## ' must not add a heading or clauses to the frozen, hashed contract."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from contracts import sandbox
from contracts.models import Contract, ContractTemplate, sha256_hex
from contracts.pdf import render_contract_pdf
from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory

pytestmark = pytest.mark.django_db

INJECTED = "Eve\n\n## 7. Fee waiver\n\nThe studio waives the fee"
ONE_LINE = "Eve ## 7. Fee waiver The studio waives the fee"


def _book(client, studio, template, name, email="eve@example.test"):
    weekly_hours(studio, time(9), time(17))
    package = SessionTypeFactory(
        studio=studio, name="Engagement shoot", contract_template=template, duration=timedelta(hours=1),
        slot_interval=timedelta(hours=1), minimum_notice=timedelta(hours=24),
    )  # fmt: skip
    day = (timezone.now() + timedelta(days=7)).astimezone(studio.tz).date()
    start = timezone.make_aware(timezone.datetime.combine(day, time(10)), studio.tz)
    return client.post(
        "/api/client/bookings/",
        {"session_type": package.pk, "start": start.isoformat(), "name": name, "email": email},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )


def test_a_name_with_blank_lines_and_a_heading_stays_one_line_of_text(
    client, studio, wedding_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _book(client, studio, wedding_template, INJECTED)
    assert response.status_code == 201, response.content
    contract = Contract.objects.get()

    # The same blocks as for any other name: one heading, the paragraphs, the list, two signatures.
    kinds = [block["kind"] for block in contract.body_blocks()]
    assert kinds == ["heading", "paragraph", "list", "paragraph", "signature", "signature"]
    heading = contract.body_blocks()[0]["text"]
    assert heading == f"Agreement between {studio.name} and {ONE_LINE}"
    assert "Fee waiver" not in "".join(str(b) for b in contract.body_blocks()[1:])
    assert ONE_LINE in contract.body_text and "\n## 7." not in contract.body_text
    assert contract.title == f"Photography agreement — {ONE_LINE}"
    assert contract.is_intact and contract.body_sha256 == sha256_hex(contract.body_text)

    api = client.get(f"/api/client/contracts/{contract.token}/", HTTP_HOST=studio.hostname).json()
    assert api["sha256"] == contract.body_sha256
    page = client.get(f"/contracts/{contract.token}/", HTTP_HOST=studio.hostname).content.decode()
    assert ONE_LINE in page and "Fee waiver</h" not in page
    assert render_contract_pdf(contract).startswith(b"%PDF")


@pytest.mark.parametrize(
    "value",
    [
        "## Fee waiver",
        "- The studio waives the fee",
        "-",
        "[signature: photographer — Waived]",
        "Eve\r\n- item\u2028## x\x00\x1b",
        "##",
    ],
)
def test_a_value_at_the_start_of_a_paragraph_never_starts_a_block(studio, value):
    template = ContractTemplate.objects.create(
        studio=studio,
        title="{{ client.name }}",
        body=[
            ("paragraph", "{{ client.name }} agrees."),
            ("paragraph", "{{ client.name }}"),
            ("paragraph", "Line one\n{{ client.name }}"),
        ],
    )
    text = template.render_text({"client.name": value})
    contract = Contract(body_text=text)
    blocks = contract.body_blocks()
    assert [block["kind"] for block in blocks] == ["paragraph", "paragraph", "paragraph"]
    assert [len(block["lines"]) for block in blocks] == [1, 1, 2]
    assert "\n" not in sandbox.render("{{ client.name }}", {"client.name": value})


def test_values_are_text_but_templates_keep_their_markup(studio):
    template = ContractTemplate.objects.create(
        studio=studio,
        title="Agreement",
        body=[
            ("heading", "Terms for {{ client.name }}"),
            ("paragraph", "First line\nSecond line with {{ client.name }}"),
            ("list", ["{{ client.name }}", "Fee"]),
            ("signature", {"party": "client", "label": "The client"}),
        ],
    )
    text = template.render_text({"client.name": "Ann  Lee\t"})
    blocks = Contract(body_text=text).body_blocks()
    assert blocks[0] == {"kind": "heading", "text": "Terms for Ann Lee"}
    assert blocks[1] == {"kind": "paragraph", "lines": ["First line", "Second line with Ann Lee"]}
    assert blocks[2] == {"kind": "list", "items": ["Ann Lee", "Fee"]}
    assert blocks[3]["kind"] == "signature"


def test_the_pdf_shows_a_guarded_value_without_the_guard_in_latin_1(studio, monkeypatch):
    from contracts import pdf

    assert pdf._text("Helvetica", sandbox.as_text("## Eve")) == "## Eve"
    assert pdf._text("DejaVu", sandbox.as_text("## Eve")) == "\u200b## Eve"


def test_a_name_with_a_line_break_still_gets_its_booking_and_contract_mails(
    client, studio, photographer, wedding_template, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _book(client, studio, wedding_template, "Eve\r\nBcc: victim@example.test")
    assert response.status_code == 201, response.content

    subjects = [message.subject for message in mailoutbox]
    assert any(subject.startswith("We received your booking request") for subject in subjects), subjects
    assert any(subject.startswith("Please sign:") for subject in subjects), subjects
    assert any(subject.startswith("New booking:") for subject in subjects), subjects
    for message in mailoutbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        message.message()  # builds the MIME headers: BadHeaderError before the fix
    new = next(m for m in mailoutbox if m.to == ["owner@northlight.test"])
    assert "Eve Bcc: victim@example.test" in new.subject
