"""Contract variables in the sandbox (studios/sandbox.py): `{{ client.name }}` and friends, nothing else.

A value is text, never markup (issue 12): the client types their own name and address, so a value is
collapsed to one line and cannot start a heading, a list item or a signature line in the frozen text
(see ContractTemplate.render_text and Contract.body_blocks for the markup)."""

from collections.abc import Iterable, Mapping

from studios import sandbox as _sandbox
from studios.sandbox import MARKUP_START, TEXT_GUARD, SandboxError, as_text

__all__ = ["MARKUP_START", "TEXT_GUARD", "VARIABLES", "SandboxError", "as_text", "check", "check_all", "render"]

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


def check(text: str) -> list[str]:
    """The problems a photographer must fix in `text` before it can be a contract (empty when fine)."""
    return _sandbox.check(text, VARIABLES)


def check_all(texts: Iterable[str]) -> list[str]:
    return _sandbox.check_all(texts, VARIABLES)


def render(text: str, values: Mapping[str, str]) -> str:
    """Replace the contract variables with `values` as guarded text; anything else raises SandboxError."""
    return _sandbox.render(text, values, VARIABLES, guard=True)
