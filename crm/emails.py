"""The CRM's e-mail defaults and variables (studios.emails; registered in crm/wagtail_hooks.py)."""

from studios.emails import CLIENT_VARIABLES, EmailSpec, client_values

VARIABLES = {
    **CLIENT_VARIABLES,
    "client.phone": "The client's phone number",
    "inquiry.session": "The session type they asked about",
    "inquiry.date": "The date they asked about",
    "inquiry.message": "Their message",
}
SAMPLE = {
    "client.phone": "+44 20 7946 0000",
    "inquiry.session": "Wedding",
    "inquiry.date": "12 September 2026",
    "inquiry.message": "Hello! We are getting married in September and love your work.",
}


def values(context: dict) -> dict:
    inquiry = context["inquiry"]
    return {
        **client_values(inquiry.client),
        "client.phone": inquiry.client.phone,
        "inquiry.session": inquiry.session_type.name if inquiry.session_type_id else "",
        "inquiry.date": inquiry.event_date.strftime("%-d %B %Y") if inquiry.event_date else "",
        # The message keeps its lines (each one text); a blank line of theirs stays a line break.
        "inquiry.message": [line for line in inquiry.message.splitlines() if line.strip()],
    }


SPECS = [
    EmailSpec(
        key="crm_inquiry",
        label="New inquiry (to you)",
        subject="New inquiry from {{ client.name }}",
        body="""{{ client.name }} <{{ client.email }}> sent an inquiry through {{ studio.name }}'s site.
Phone: {{ client.phone }}
Session: {{ inquiry.session }}
Date: {{ inquiry.date }}

{{ inquiry.message }}

Reply to this e-mail to answer them; their timeline is in your FocusFlow admin.""",
        variables=VARIABLES,
        values=values,
        sample=SAMPLE,
        audience="studio",
    ),
]
