"""The proposal e-mail's default wording and variables (studios.emails; registered in proposals/wagtail_hooks.py)."""

from studios.emails import CLIENT_VARIABLES, DATE_TIME, SAMPLE_CLIENT, EmailSpec, client_values, when
from studios.formatting import format_money

VARIABLES = {
    **CLIENT_VARIABLES,
    "package.name": "The proposed package (session type)",
    "package.price": "The package's price",
    "proposal.start": "The proposed date and time (studio time), empty when the client picks one",
    "proposal.expires_at": "When the proposal expires (studio time), empty if never",
    "proposal.message": "Your personal note on the proposal",
    "proposal.link": "The client's link to accept, sign and pay",
}
SAMPLE = {
    **SAMPLE_CLIENT,
    "package.name": "Family portrait session",
    "package.price": "£350.00",
    "proposal.start": "Saturday 12 June 2027, 10:00 BST",
    "proposal.expires_at": "Monday 31 May 2027, 23:59 BST",
    "proposal.message": ["Lovely to talk today!", "Here is everything in one place."],
    "proposal.link": "https://example.com/proposals/sample/",
}


def values(context: dict) -> dict:
    proposal, studio = context["proposal"], context["studio"]
    return {
        **client_values(proposal.client),
        "package.name": proposal.session_type.name,
        "package.price": format_money(proposal.session_type.price, studio.currency),
        "proposal.start": when(studio, proposal.start, DATE_TIME),
        "proposal.expires_at": when(studio, proposal.expires_at, DATE_TIME),
        "proposal.message": proposal.message.splitlines(),
        "proposal.link": context.get("link", ""),
    }


SPECS = [
    EmailSpec(
        key="proposal",
        label="Proposal to accept, sign and pay (to the client)",
        subject="Your proposal from {{ studio.name }}: {{ package.name }}",
        body="""Hi {{ client.name }},

{{ proposal.message }}

{{ studio.name }} has prepared a proposal for you: {{ package.name }} ({{ package.price }}).
Proposed time: {{ proposal.start }}

Accept it, sign the contract and pay on one page:
{{ proposal.link }}

Please accept by {{ proposal.expires_at }}.

{{ studio.name }}""",
        variables=VARIABLES,
        values=values,
        sample=SAMPLE,
    )
]
