"""Contract variables render in a sandbox: whitelisted names only, no tags, no filters, nothing evaluated."""

import pytest

from contracts.sandbox import VARIABLES, SandboxError, check, render

VALUES = {name: f"<{name}>" for name in VARIABLES}


def test_known_variables_are_replaced_with_or_without_spaces():
    assert render("Dear {{ client.name }}, {{package.price}} on {{  booking.start }}.", VALUES) == (
        "Dear <client.name>, <package.price> on <booking.start>."
    )


def test_values_are_inserted_as_text_not_evaluated():
    assert render("{{ client.name }}", {"client.name": "{{ studio.name }} {% now 'Y' %}"}) == (
        "{{ studio.name }} {% now 'Y' %}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ client.password }}", "Unknown variable “{{ client.password }}”"),
        ("{{ client.name|upper }}", "Unknown variable “{{ client.name|upper }}”"),
        ("{{ client.__class__ }}", "Unknown variable"),
        ("{% load static %}{% now 'Y' %}", "Template tags and comments"),
        ("{# hidden #}", "Template tags and comments"),
        ("Hello {{ client.name", "not closed"),
        ("{{ settings.SECRET_KEY }}", "Unknown variable"),
    ],
)
def test_anything_else_is_an_error(text, expected):
    errors = check(text)
    assert any(expected in e for e in errors), errors
    with pytest.raises(SandboxError):
        render(text, VALUES)


def test_plain_text_is_fine():
    assert check("No variables here; braces { like } this are fine.") == []
