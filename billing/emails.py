"""The invoice e-mails' defaults and variables (studios.emails; registered in billing/wagtail_hooks.py)."""

from studios.emails import CLIENT_VARIABLES, EmailSpec, client_values, when
from studios.formatting import format_amount

VARIABLES = {
    **CLIENT_VARIABLES,
    "invoice.number": "The invoice's number",
    "invoice.total": "The invoice's total, with currency",
    "invoice.due_date": "When it is due",
    "invoice.paid": "Paid so far, with currency",
    "invoice.balance": "Still to pay, with currency (empty when paid in full)",
    "invoice.paid_in_full": "'The invoice is paid in full.' when it is",
    "invoice.link": "The client's link to view and pay the invoice",
    "payment.amount": "The payment received, with currency",
    "payment.date": "The day it was received",
}
SAMPLE = {
    "invoice.number": "2026-0042",
    "invoice.total": "450.00 GBP",
    "invoice.due_date": "15 June 2026",
    "invoice.paid": "150.00 GBP",
    "invoice.balance": "300.00 GBP",
    "invoice.paid_in_full": "",
    "invoice.link": "https://example.com/invoices/sample/",
    "payment.amount": "150.00 GBP",
    "payment.date": "1 June 2026",
}


def values(context: dict) -> dict:
    invoice, studio = context["invoice"], context["studio"]
    payment = context.get("payment")
    currency = invoice.currency
    due = invoice.amount_due
    return {
        **client_values(invoice.client),
        "invoice.number": invoice.number,
        "invoice.total": format_amount(invoice.total, currency),
        "invoice.due_date": invoice.due_date.strftime("%-d %B %Y") if invoice.due_date else "",
        "invoice.paid": format_amount(invoice.amount_paid, currency),
        "invoice.balance": format_amount(due, currency) if due else "",
        "invoice.paid_in_full": "" if due else "The invoice is paid in full.",
        "invoice.link": context.get("link", ""),
        "payment.amount": format_amount(payment.amount, payment.currency) if payment else "",
        "payment.date": when(studio, payment.paid_at, "%-d %B %Y") if payment else "",
    }


SPECS = [
    EmailSpec(
        key="billing_invoice",
        label="Invoice (to the client)",
        subject="Invoice {{ invoice.number }} from {{ studio.name }}",
        body="""Hello {{ client.name }},

{{ studio.name }} has sent you invoice {{ invoice.number }} for {{ invoice.total }}, due {{ invoice.due_date }}.

View and pay it here: {{ invoice.link }}

Thank you,
{{ studio.name }}""",
        variables=VARIABLES,
        values=values,
        sample=SAMPLE,
    ),
    EmailSpec(
        key="billing_receipt",
        label="Payment receipt (to the client)",
        subject="Receipt {{ invoice.number }} from {{ studio.name }}",
        body="""Hello {{ client.name }},

We received your payment of {{ payment.amount }} for invoice {{ invoice.number }} on {{ payment.date }}.
Paid so far: {{ invoice.paid }} of {{ invoice.total }}.
Still to pay: {{ invoice.balance }}.
{{ invoice.paid_in_full }}

Thank you,
{{ studio.name }}""",
        variables=VARIABLES,
        values=values,
        sample=SAMPLE,
    ),
]
