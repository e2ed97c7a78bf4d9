"""`<id:…>` in API paths: a database id (1–18 digits). A longer number is a 404 like any unknown
path, never a query that overflows the database's integer."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")
