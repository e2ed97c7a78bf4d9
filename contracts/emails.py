"""The contract e-mails' defaults and variables (studios.emails; registered in contracts/wagtail_hooks.py)."""

from studios.emails import CLIENT_VARIABLES, DATE_TIME, EmailSpec, client_values, when

VARIABLES = {
    **CLIENT_VARIABLES,
    "contract.title": "The contract's title",
    "contract.version": "The contract's version number",
    "contract.signed_at": "When the client signed (studio time)",
    "contract.link": "The client's link to read and sign the contract",
}
SAMPLE = {
    "contract.title": "Family portrait agreement",
    "contract.version": "1",
    "contract.signed_at": "Monday 1 June 2026, 18:12 BST",
    "contract.link": "https://example.com/contracts/sample/",
}


def values(context: dict) -> dict:
    contract, studio = context["contract"], context["studio"]
    return {
        **client_values(contract.client),
        "contract.title": contract.title,
        "contract.version": str(contract.version),
        "contract.signed_at": when(studio, contract.signed_at, DATE_TIME),
        "contract.link": context.get("link", ""),
    }


def _spec(key, label, subject, body, audience="client"):
    return EmailSpec(
        key=key, label=label, subject=subject, body=body, variables=VARIABLES, values=values, sample=SAMPLE,
        audience=audience,
    )  # fmt: skip


SPECS = [
    _spec(
        "contract_sent",
        "Contract to sign (to the client)",
        "Please sign: {{ contract.title }}",
        """Hi {{ client.name }},

{{ studio.name }} has sent you a contract to read and sign:
{{ contract.link }}

The link is personal; please don't forward it.

{{ studio.name }}""",
    ),
    _spec(
        "contract_signed",
        "Contract signed by the client (to you)",
        "{{ client.name }} signed {{ contract.title }}",
        """{{ client.name }} signed "{{ contract.title }}" (version {{ contract.version }}) on {{ contract.signed_at }}.

Countersign it in your FocusFlow admin; the signed PDF then goes to you both.""",
        audience="studio",
    ),
    _spec(
        "contract_completed",
        "Contract signed by both (to the client and you, with the PDF)",
        "Signed: {{ contract.title }}",
        '"{{ contract.title }}" (version {{ contract.version }}) is now signed by {{ client.name }} and '
        "{{ studio.name }}.\n\nThe signed PDF with its audit trail is attached. Keep it for your records.",
    ),
]
