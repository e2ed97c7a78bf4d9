"""Contract variables in a sandbox: `{{ client.name }}` and friends, nothing else.

Not Django's template engine: only whitelisted `{{ object.field }}` names are replaced with
plain strings; tags, filters, comments and attribute access beyond the list are errors.

A value is text, never markup (issue 12): the client types their own name and address, so a value is
collapsed to one line and cannot start a heading, a list item or a signature line in the frozen text
(see ContractTemplate.render_text and Contract.body_blocks for the markup)."""

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
# Line breaks (any kind), control characters and runs of white space: one space each.
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# What Contract.body_blocks reads at the start of a block or line: '## ', '- ', '[signature:'.
MARKUP_START = ("#", "-", "[")
# An invisible character in front of a value that would otherwise read as markup there.
TEXT_GUARD = "\u200b"


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


def as_text(value) -> str:
    """`value` as one line of text that the contract markup cannot read as a block of its own."""
    text = _BREAKS.sub(" ", str(value)).strip()
    if text.startswith(MARKUP_START):
        # Wherever the value lands (the start of a paragraph too), '## ', '- ' or '[signature:' stay text.
        text = TEXT_GUARD + text
    return text


def render(text: str, values: Mapping[str, str]) -> str:
    """Replace whitelisted variables with `values` as text (`as_text`); anything else raises SandboxError
    (nothing is evaluated)."""
    errors = check(text)
    if errors:
        raise SandboxError(errors)
    return _VARIABLE.sub(lambda m: as_text(values.get(m.group(1).strip(), "")), text)
