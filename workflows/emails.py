"""The workflows' e-mails (studios.emails; registered in workflows/wagtail_hooks.py). One set of variables
for all of them, filled from whatever the run is about (a booking, a gallery, an invoice, an inquiry):
a variable the object does not have is empty, and its line is left out."""

from billing.invoicing import invoice_link
from galleries.proofing import gallery_link
from studios.emails import CLIENT_VARIABLES, DATE, EmailSpec, client_values, when
from studios.formatting import format_amount
from studios.links import studio_url

from .conditions import booking_of, client_of, gallery_of

VARIABLES = {
    **CLIENT_VARIABLES,
    "session.name": "The session type (package)",
    "session.start": "When the session starts",
    "session.date": "The session's date",
    "session.location": "Where the session is",
    "gallery.title": "The gallery's title",
    "gallery.url": "The client's link to the gallery",
    "gallery.expires": "The date the gallery closes",
    "invoice.number": "The invoice's number",
    "invoice.balance": "What is still owed",
    "invoice.due_date": "The invoice's due date",
    "invoice.link": "The client's link to pay the invoice",
    "review.url": "Where to leave a review (your site)",
    "workflow.name": "The workflow's name",
}
SAMPLE = {
    "session.name": "Family portrait",
    "session.start": "Saturday 12 September 2026, 10:00 BST",
    "session.date": "Saturday 12 September 2026",
    "session.location": "Victoria Park, east gate",
    "gallery.title": "The O'Briens — Family",
    "gallery.url": "https://example.com/galleries/?code=SAMPLE24",
    "gallery.expires": "31 October 2026",
    "invoice.number": "2026-014",
    "invoice.balance": "£180.00",
    "invoice.due_date": "1 September 2026",
    "invoice.link": "https://example.com/invoices/sample/",
    "review.url": "https://example.com/",
    "workflow.name": "Session reminder",
}


def values(context: dict) -> dict:
    studio, about = context["studio"], context.get("about")
    booking, gallery = booking_of(about), gallery_of(about)
    invoice = about if about is not None and about._meta.label == "billing.Invoice" else None
    found = {name: "" for name in VARIABLES}
    found.update(client_values(context.get("client") or client_of(about)))
    found["workflow.name"] = context["run"].workflow.name if context.get("run") else ""
    found["review.url"] = studio_url(studio)
    if booking is not None:
        found["session.name"] = booking.session_type.name
        found["session.start"] = when(studio, booking.start)
        found["session.date"] = when(studio, booking.start, DATE)
        found["session.location"] = booking.location or booking.session_type.location
    if gallery is not None:
        found["gallery.title"] = gallery.title
        found["gallery.url"] = gallery_link(gallery)
        found["gallery.expires"] = when(studio, gallery.expires_at, "%-d %B %Y")
    if invoice is not None:
        found["invoice.number"] = invoice.number
        found["invoice.balance"] = format_amount(invoice.amount_due, invoice.currency)
        found["invoice.due_date"] = invoice.due_date.strftime("%-d %B %Y") if invoice.due_date else ""
        found["invoice.link"] = invoice_link(invoice)
    return found


def _spec(key, label, subject, body, *, audience="client", marketing=False):
    return EmailSpec(
        key=key,
        label=label,
        subject=subject,
        body=body,
        variables=VARIABLES,
        values=values,
        sample=SAMPLE,
        audience=audience,
        marketing=marketing,
    )


SPECS = [
    _spec(
        "workflow_inquiry_reply",
        "Workflow: inquiry auto-reply",
        "Thank you for your inquiry, {{ client.name }}",
        """Hello {{ client.name }},

Thank you for getting in touch with {{ studio.name }}. We have your message and will reply within two working days.

In the meantime, have a look around: {{ studio.url }}""",
    ),
    _spec(
        "workflow_session_reminder",
        "Workflow: session reminder",
        "See you soon: {{ session.name }} on {{ session.date }}",
        """Hello {{ client.name }},

A reminder of your {{ session.name }} with {{ studio.name }}.

When: {{ session.start }}
Where: {{ session.location }}

Reply to this e-mail if anything has changed.""",
    ),
    _spec(
        "workflow_selection_nudge",
        "Workflow: choose your favourites (nudge)",
        "Have you chosen your favourites from {{ gallery.title }}?",
        """Hello {{ client.name }},

Your gallery "{{ gallery.title }}" is waiting for your selection: {{ gallery.url }}

It is open until {{ gallery.expires }}.""",
        marketing=True,
    ),
    _spec(
        "workflow_gallery_expiring",
        "Workflow: gallery closing soon",
        "Your gallery {{ gallery.title }} closes on {{ gallery.expires }}",
        """Hello {{ client.name }},

Your gallery "{{ gallery.title }}" closes on {{ gallery.expires }}.
Download your photos before then: {{ gallery.url }}""",
        marketing=True,
    ),
    _spec(
        "workflow_review_request",
        "Workflow: review request",
        "How did we do, {{ client.name }}?",
        """Hello {{ client.name }},

We hope you love your photos from {{ studio.name }}. Would you leave us a short review?
It helps others find us: {{ review.url }}

Thank you!""",
        marketing=True,
    ),
    _spec(
        "workflow_invoice_reminder",
        "Workflow: invoice overdue reminder",
        "Reminder: invoice {{ invoice.number }} is overdue",
        """Hello {{ client.name }},

Invoice {{ invoice.number }} from {{ studio.name }} was due on {{ invoice.due_date }}.
{{ invoice.balance }} is still open.

Pay it here: {{ invoice.link }}

If you have already paid, thank you, and please ignore this e-mail.""",
    ),
    _spec(
        "workflow_studio_note",
        "Workflow: note to you",
        "{{ workflow.name }}: {{ client.name }}",
        """Your workflow "{{ workflow.name }}" reached this step for {{ client.name }} <{{ client.email }}>.
Session: {{ session.name }}, {{ session.start }}
Gallery: {{ gallery.title }}
Invoice: {{ invoice.number }}, {{ invoice.balance }} open""",
        audience="studio",
    ),
]
