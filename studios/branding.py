"""A studio's brand values: typed by photographers and later placed inside a <style> element,
so they are checked rather than trusted (the settings form refuses, the theme falls back)."""

import re

DEFAULT_PRIMARY = "#1f2933"
DEFAULT_ACCENT = "#c8a97e"
DEFAULT_FONT = "Georgia, 'Times New Roman', serif"

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
# Font stacks: names, spaces, commas, quotes and hyphens; nothing that could close the CSS rule.
_FONT_STACK = re.compile(r"^[\w\s,'\"-]{1,80}$")


def is_hex_colour(value: str) -> bool:
    return bool(value and _HEX_COLOUR.match(value))


def is_font_stack(value: str) -> bool:
    return bool(value and _FONT_STACK.match(value))
