"""The CRM's e-mail defaults and variables (studios.emails; registered in crm/wagtail_hooks.py)."""

from django.conf import settings

from studios.emails import CLIENT_VARIABLES, EmailSpec, client_values, when
from studios.links import studio_url

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


# --- The portal's sign-in link (crm.portal) ---------------------------------------------------------------


def portal_values(context: dict) -> dict:
    client = context["client"]
    return {
        **client_values(client),
        "portal.url": context["url"],
        "portal.expires": when(client.studio, context["expires_at"], "%H:%M %Z"),
        "portal.minutes": str(settings.PORTAL_LINK_MINUTES),
    }


PORTAL_LINK = EmailSpec(
    key="portal_link",
    label="Portal sign-in link (to the client)",
    subject="Your sign-in link for {{ studio.name }}",
    body="""Hello {{ client.name }},

Sign in to your client portal at {{ studio.name }} (your bookings, contracts, invoices and galleries):
{{ portal.url }}

The link works once, for {{ portal.minutes }} minutes (until {{ portal.expires }}).
If you didn't ask for it, you can ignore this e-mail.""",
    variables={
        **CLIENT_VARIABLES,
        "portal.url": "The one-time sign-in link",
        "portal.expires": "When the link stops working (time, studio's zone)",
        "portal.minutes": "How many minutes the link works",
    },
    values=portal_values,
    sample={
        "portal.url": "https://northlight.example.com/portal/open/sample-token/",
        "portal.expires": "14:45 GMT",
        "portal.minutes": "20",
    },
)


SPECS = [
    PORTAL_LINK,
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


QUESTIONNAIRE_VARIABLES = {
    **CLIENT_VARIABLES,
    "questionnaire.name": "The questionnaire's name, e.g. Session planning",
    "questionnaire.url": "The link to the questionnaire on your site",
}
QUESTIONNAIRE_SAMPLE = {
    "questionnaire.name": "Session planning",
    "questionnaire.url": "https://northlight.focusflow.example/questionnaires/sample/",
}


def questionnaire_url(request) -> str:
    return studio_url(request.studio, f"/questionnaires/{request.token}/")


def questionnaire_values(context: dict) -> dict:
    request = context["request"]
    return {
        **client_values(request.client),
        "questionnaire.name": request.title,
        "questionnaire.url": questionnaire_url(request),
    }


SPECS.append(
    EmailSpec(
        key="questionnaire",
        label="Questionnaire (to the client)",
        subject="{{ studio.name }}: a few questions before your session",
        body="""Hello {{ client.name }},

To plan your session well, we'd love a few answers from you. It takes a couple of minutes:

{{ questionnaire.name }}: {{ questionnaire.url }}

Thank you!
{{ studio.name }}""",
        variables=QUESTIONNAIRE_VARIABLES,
        values=questionnaire_values,
        sample=QUESTIONNAIRE_SAMPLE,
    )
)
