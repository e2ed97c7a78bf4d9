"""Money and durations as clients read them, on the studio site, in contracts and in e-mails.

Money is integer minor units in the studio's currency; formatting never goes through float."""

ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "VND", "CLP", "ISK", "HUF"}
SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}


def format_money(minor_units: int, currency: str) -> str:
    """1250000, 'GBP' → '£12,500.00' (integer arithmetic only)."""
    currency = currency.upper()
    symbol = SYMBOLS.get(currency, currency + " ")
    sign = "-" if minor_units < 0 else ""
    minor_units = abs(minor_units)
    if currency in ZERO_DECIMAL_CURRENCIES:
        return f"{sign}{symbol}{minor_units:,}"
    major, minor = divmod(minor_units, 100)
    return f"{sign}{symbol}{major:,}.{minor:02d}"


def format_amount(minor_units: int, currency: str = "") -> str:
    """1234550, 'gbp' → '12,345.50 GBP': the plain form of the admin's tables and receipts."""
    minor_units = int(minor_units or 0)
    sign = "-" if minor_units < 0 else ""
    whole, cents = divmod(abs(minor_units), 100)
    return f"{sign}{whole:,}.{cents:02d} {str(currency).upper()}".strip()


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
