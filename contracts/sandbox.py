"""Contract variables in a sandbox: `{{ client.name }}` and friends, nothing else.

Not Django's template engine: only whitelisted `{{ object.field }}` names are replaced with
plain strings; tags, filters, comments and attribute access beyond the list are errors."""

import re
from collections.abc import Iterable, Mapping

VARIABLES: dict[str, str] = {
    "client.name": "The client's name",
    "client.email": "The client's e-mail address",
    "client.phone": "The client's phone number",
    "client.address": "The client's postal address",
    "booking.start": "Date and time the session starts (studio time)",
    "booking.end": "Date and time the session ends (studio time)",
    "booking.date": "Date of the session",
    "booking.location": "Where the session takes place",
    "package.name": "The session type's name",
    "package.price": "The price, with currency",
    "package.deposit": "The deposit, with currency",
    "package.duration": "How long the session lasts",
    "studio.name": "Your studio's name",
    "studio.email": "Your studio's contact e-mail",
    "contract.date": "The date the contract is issued",
}

_VARIABLE = re.compile(r"\{\{(.*?)\}\}", re.S)
_TAG_OR_COMMENT = re.compile(r"\{%|%\}|\{#|#\}")


def check(text: str) -> list[str]:
    """The problems a photographer must fix in `text` before it can be a contract (empty when fine)."""
    errors = []
    if _TAG_OR_COMMENT.search(text):
        errors.append("Template tags and comments ({% … %}, {# … #}) are not allowed; use only {{ variables }}.")
    for match in _VARIABLE.finditer(text):
        name = match.group(1).strip()
        if name not in VARIABLES:
            errors.append(f"Unknown variable “{{{{ {name} }}}}”. Available: {', '.join(VARIABLES)}.")
    leftover = _VARIABLE.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        errors.append("A variable is not closed: write it as {{ client.name }}.")
    return errors


def check_all(texts: Iterable[str]) -> list[str]:
    errors: list[str] = []
    for text in texts:
        errors.extend(e for e in check(text) if e not in errors)
    return errors


class SandboxError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors))
        self.errors = errors


def render(text: str, values: Mapping[str, str]) -> str:
    """Replace whitelisted variables with `values`; anything else raises SandboxError (nothing is evaluated)."""
    errors = check(text)
    if errors:
        raise SandboxError(errors)
    return _VARIABLE.sub(lambda m: str(values.get(m.group(1).strip(), "")), text)
