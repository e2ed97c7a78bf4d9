"""Path converters for API (and token page) URLs. A value that cannot be one is a 404 like any unknown path,
never a query that fails in the database.

`<id:…>`: a database id (1–18 digits), so a longer number never overflows the database's integer.
`<token:…>`: a secret token (URL-safe base64, or a signed value with `:` and `.`), at most 256 characters,
so `%00` (PostgreSQL refuses NUL in text), `../` or 5,000 characters never reach a query."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class TokenConverter:
    regex = "[-A-Za-z0-9_:.]{1,256}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(IdConverter, "id")
register_converter(TokenConverter, "token")
