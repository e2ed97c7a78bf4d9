"""Variables in a sandbox: `{{ client.name }}` and friends, nothing else (contracts and e-mail templates).

Not Django's template engine: only whitelisted `{{ object.field }}` names are replaced with plain strings;
tags, filters, comments and attribute access beyond the list are errors. Each caller passes its own list of
variables (contracts.sandbox.VARIABLES, a studio e-mail's `EmailSpec.variables`).

A value is text, never markup (issue 12): the client types their own name and address, so a value is
collapsed to one line; with `guard` (contracts) it also cannot start a heading, a list item or a signature
line in the frozen text (see ContractTemplate.render_text and Contract.body_blocks for the markup)."""

import re
from collections.abc import Iterable, Mapping

VARIABLE = re.compile(r"\{\{(.*?)\}\}", re.S)
_TAG_OR_COMMENT = re.compile(r"\{%|%\}|\{#|#\}")
# Line breaks (any kind), control characters and runs of white space: one space each.
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# What Contract.body_blocks reads at the start of a block or line: '## ', '- ', '[signature:'.
MARKUP_START = ("#", "-", "[")
# An invisible character in front of a value that would otherwise read as markup there.
TEXT_GUARD = "\u200b"


def check(text: str, variables: Iterable[str]) -> list[str]:
    """The problems to fix in `text` before it can be used (empty when fine)."""
    allowed = list(variables)
    errors = []
    if _TAG_OR_COMMENT.search(text):
        errors.append("Template tags and comments ({% … %}, {# … #}) are not allowed; use only {{ variables }}.")
    for match in VARIABLE.finditer(text):
        name = match.group(1).strip()
        if name not in allowed:
            errors.append(f"Unknown variable “{{{{ {name} }}}}”. Available: {', '.join(allowed)}.")
    leftover = VARIABLE.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        errors.append("A variable is not closed: write it as {{ client.name }}.")
    return errors


def check_all(texts: Iterable[str], variables: Iterable[str]) -> list[str]:
    allowed = list(variables)
    errors: list[str] = []
    for text in texts:
        errors.extend(e for e in check(text, allowed) if e not in errors)
    return errors


class SandboxError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors))
        self.errors = errors


def as_text(value, *, guard: bool = True) -> str:
    """`value` as one line of text; with `guard`, one the contract markup cannot read as a block of its own."""
    text = _BREAKS.sub(" ", str(value)).strip()
    if guard and text.startswith(MARKUP_START):
        # Wherever the value lands (the start of a paragraph too), '## ', '- ' or '[signature:' stay text.
        text = TEXT_GUARD + text
    return text


def render(text: str, values: Mapping[str, object], variables: Iterable[str], *, guard: bool = True) -> str:
    """Replace whitelisted variables with `values` as text (`as_text`); anything else raises SandboxError
    (nothing is evaluated)."""
    errors = check(text, variables)
    if errors:
        raise SandboxError(errors)
    return VARIABLE.sub(lambda m: as_text(values.get(m.group(1).strip(), ""), guard=guard), text)


def segments(text: str, variables: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` cut into (literal, False) and (variable name, True) pieces, in order; SandboxError if not valid.
    For renderers that treat values differently from the author's text (e-mail: escaped, linked)."""
    errors = check(text, variables)
    if errors:
        raise SandboxError(errors)
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in VARIABLE.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], False))
        pieces.append((match.group(1).strip(), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces
