"""How a studio's site looks: its colours, font and whether FocusFlow is credited.

Branding values are typed by photographers and end up inside a <style> element,
so they are checked here rather than trusted."""

import re

from .models import Studio

DEFAULT_PRIMARY = "#1f2933"
DEFAULT_ACCENT = "#c8a97e"
DEFAULT_FONT = "Georgia, 'Times New Roman', serif"

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
# Font stacks: names, spaces, commas, quotes and hyphens; nothing that could close the CSS rule.
_FONT_STACK = re.compile(r"^[\w\s,'\"-]{1,80}$")


def shows_powered_by(studio: Studio | None) -> bool:
    """Whether the studio's site credits FocusFlow in its footer: white-label sites do not, when the
    studio asked for it and its plan includes white label."""
    if studio is None or not studio.white_label:
        return True
    from billing.limits import PlanLimitReached, require_feature

    try:
        require_feature(studio, "white_label")
    except PlanLimitReached:
        return True
    return False


def is_hex_colour(value: str) -> bool:
    return bool(value and _HEX_COLOUR.match(value))


def is_font_stack(value: str) -> bool:
    return bool(value and _FONT_STACK.match(value))


def safe_colour(value: str, default: str) -> str:
    return value if is_hex_colour(value) else default


def safe_font(value: str) -> str:
    return value if is_font_stack(value) else DEFAULT_FONT


def theme_variables(studio: Studio | None) -> dict[str, str]:
    """CSS custom properties for the studio's theme."""
    if studio is None:
        return {"--brand": DEFAULT_PRIMARY, "--accent": DEFAULT_ACCENT, "--font": DEFAULT_FONT}
    return {
        "--brand": safe_colour(studio.primary_color, DEFAULT_PRIMARY),
        "--accent": safe_colour(studio.accent_color, DEFAULT_ACCENT),
        "--font": safe_font(studio.font_family),
    }
