"""The API's JSON parser: DRF's, plus the limits every endpoint needs before its serializer sees the data.

Refused with a 400 `parse_error` (never a 500 further down): nesting deeper than MAX_DEPTH (a 10,000-level
body overflowed the parser's recursion), a lone UTF-16 surrogate (`"\\ud800"` is valid JSON but no UTF-8
text: saving or rendering it failed), and an integer longer than MAX_INT_DIGITS (no database id holds it)."""

import codecs
import json

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 32  # the deepest body any endpoint takes is 3 levels; JSON fields get room to spare
MAX_INT_DIGITS = 18  # a signed 64-bit column holds every 18-digit number (frontend_api.converters agrees)


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ParseError(f"JSON parse error - a number has more than {MAX_INT_DIGITS} digits.")
    return int(text)


def _is_text(value: str) -> bool:
    """False for a str holding a lone surrogate, which no UTF-8 text can carry."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_shape(data, max_depth: int = MAX_DEPTH) -> None:
    """Raise ParseError if `data` nests deeper than `max_depth` or holds a string that is not text."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if not _is_text(value):
                raise ParseError("JSON parse error - a string holds an unpaired UTF-16 surrogate.")
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise ParseError(f"JSON parse error - nested more than {max_depth} levels deep.")
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None and not _is_text(key):
                    raise ParseError("JSON parse error - a key holds an unpaired UTF-16 surrogate.")
                stack.append((item, depth + 1))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parsers.get_encoding(parser_context)
        try:
            decoded = codecs.getreader(encoding)(stream)
            data = json.load(decoded, parse_constant=strict_constant if self.strict else None, parse_int=_parse_int)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.") from None
        check_shape(data)
        return data
