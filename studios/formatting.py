"""Money and durations as clients read them, on the studio site, in contracts and in e-mails.

Money is integer minor units in the studio's currency; formatting never goes through float."""

from .money import decimals

SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}


def format_money(minor_units: int, currency: str) -> str:
    """1250000, 'GBP' → '£12,500.00' (integer arithmetic only)."""
    currency = currency.upper()
    symbol = SYMBOLS.get(currency, currency + " ")
    sign = "-" if minor_units < 0 else ""
    return f"{sign}{symbol}{_digits(abs(minor_units), currency)}"


def _digits(minor_units: int, currency: str) -> str:
    """12345050 → '123,450.50' (two decimals), '12,345,050' (JPY), '12,345.050' (KWD)."""
    places = decimals(currency)
    if places == 0:
        return f"{minor_units:,}"
    major, minor = divmod(minor_units, 10**places)
    return f"{major:,}.{minor:0{places}d}"


def format_amount(minor_units: int, currency: str = "") -> str:
    """1234550, 'gbp' → '12,345.50 GBP': the plain form of the admin's tables and receipts."""
    minor_units = int(minor_units or 0)
    sign = "-" if minor_units < 0 else ""
    return f"{sign}{_digits(abs(minor_units), str(currency))} {str(currency).upper()}".strip()


def format_duration(duration) -> str:
    """timedelta(hours=1, minutes=30) → '1 hour 30 minutes'."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minutes")
    return " ".join(parts) or "0 minutes"


def format_moment(studio, moment) -> str:
    """A moment in the studio's zone, as the timeline and booking messages show it: 'Mon 02 Jun 2025 10:00 BST'."""
    return moment.astimezone(studio.tz).strftime("%a %d %b %Y %H:%M %Z")
