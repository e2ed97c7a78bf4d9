"""How a studio's site looks: its colours, font and whether FocusFlow is credited."""

from billing.limits import PlanLimitReached, require_feature
from studios.branding import DEFAULT_ACCENT, DEFAULT_FONT, DEFAULT_PRIMARY, is_font_stack, is_hex_colour
from studios.models import Studio

__all__ = ["DEFAULT_FONT", "DEFAULT_PRIMARY", "shows_powered_by", "theme_variables"]


def shows_powered_by(studio: Studio | None) -> bool:
    """Whether the studio's site credits FocusFlow in its footer: white-label sites do not, when the
    studio asked for it and its plan includes white label."""
    if studio is None or not studio.white_label:
        return True
    try:
        require_feature(studio, "white_label")
    except PlanLimitReached:
        return True
    return False


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
