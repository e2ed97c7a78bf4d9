"""The signed contract as a PDF with its audit trail (fpdf2: pure Python, no system libraries)."""

import io
from pathlib import Path

from fpdf import FPDF

from .models import Contract
from .sandbox import TEXT_GUARD

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


def _font(pdf: FPDF) -> str:
    """DejaVu when the system has it (any script); the built-in Helvetica (Latin-1) otherwise."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "Helvetica"


def _text(font: str, value: str) -> str:
    if font != "Helvetica":
        return value
    # Latin-1 has no zero-width space: the guard in front of a client's value is dropped, not shown as '?'.
    value = value.replace(TEXT_GUARD, "")
    value = value.replace("—", "-").replace("–", "-").replace("’", "'").replace("“", '"').replace("”", '"')
    return value.encode("latin-1", "replace").decode("latin-1")


def _fmt(contract: Contract, moment) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(contract.studio.tz)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({local:%Y-%m-%d %H:%M %Z})"


def render_contract_pdf(contract: Contract) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(contract.title)
    pdf.set_author(contract.studio.name)
    # The hash also in the metadata, so a file can be matched to its record without reading the pages.
    pdf.set_subject(f"SHA-256 {contract.body_sha256}")
    font = _font(pdf)
    t = lambda value: _text(font, str(value))  # noqa: E731

    pdf.add_page()
    pdf.set_font(font, "B", 16)
    pdf.multi_cell(0, 9, t(contract.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 9)
    pdf.multi_cell(0, 5, t(f"{contract.studio.name} · version {contract.version}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    for part in contract.body_text.split("\n\n"):
        part = part.strip()
        if not part:
            continue
        if part.startswith("## "):
            pdf.set_font(font, "B", 12)
            pdf.multi_cell(0, 7, t(part[3:]), new_x="LMARGIN", new_y="NEXT")
        elif part.startswith("[signature:"):
            continue
        else:
            pdf.set_font(font, "", 10)
            for line in part.split("\n"):
                text = ("•  " + line[2:]) if line.startswith("- ") else line
                pdf.multi_cell(0, 5.5, t(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    pdf.ln(4)
    pdf.set_font(font, "B", 12)
    pdf.cell(0, 8, "Signatures", new_x="LMARGIN", new_y="NEXT")
    for signature in contract.signatures.order_by("signed_at"):
        pdf.set_font(font, "", 10)
        pdf.multi_cell(
            0, 5.5, t(f"{signature.get_party_display()}: {signature.typed_name}"), new_x="LMARGIN", new_y="NEXT"
        )
        if signature.image_png:
            pdf.image(io.BytesIO(bytes(signature.image_png)), w=60)
        pdf.ln(2)

    pdf.add_page()
    pdf.set_font(font, "B", 12)
    pdf.cell(0, 8, "Audit trail", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 9)
    rows = [
        ("Contract", f"{contract.title}, version {contract.version}"),
        ("Client", f"{contract.client.name} <{contract.client.email}>"),
        ("Document SHA-256", contract.body_sha256),
        ("Issued", _fmt(contract, contract.sent_at or contract.created_at)),
        ("First viewed", _fmt(contract, contract.viewed_at)),
    ]
    for signature in contract.signatures.order_by("signed_at"):
        who = signature.get_party_display()
        rows += [
            (f"{who} signed", f"{signature.typed_name}, {_fmt(contract, signature.signed_at)}"),
            (f"{who} IP address", signature.ip_address or "-"),
            (f"{who} browser", signature.user_agent or "-"),
            (f"{who} signed SHA-256", signature.signed_sha256),
        ]
    for label, value in rows:
        pdf.set_font(font, "B", 9)
        pdf.cell(45, 5.5, t(label))
        pdf.set_font(font, "", 9)
        pdf.multi_cell(0, 5.5, t(value), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
