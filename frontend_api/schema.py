"""OpenAPI (drf-spectacular): our DRF views under /api/client/ and /api/studio/, plus a
hand-written description of the Wagtail API v2 paths a client site uses, and the guide
in docs/api.md as the introduction, so /api/docs/ alone is enough to build a site."""

from pathlib import Path

from .payloads import event_schemas

PUBLIC_PREFIXES = ("/api/client/", "/api/studio/")
GUIDE = Path(__file__).resolve().parent.parent / "docs" / "api.md"

ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "not_found"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "Messages per field (a list, or an object for nested fields).",
                    "additionalProperties": {},
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
RENDITION = {
    "type": "object",
    "properties": {"url": {"type": "string"}, "width": {"type": "integer"}, "height": {"type": "integer"}},
}
IMAGE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
        "blurhash": {"type": "string"},
        "renditions": {"type": "object", "properties": {"thumb": RENDITION, "preview": RENDITION}},
    },
}
SITE = {
    "name": "site",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "The studio's hostname, when not calling on the studio's own host.",
}


def _listing(tag, summary, item_ref, extra_params=()):
    return {
        "get": {
            "tags": [tag],
            "summary": summary,
            "description": "Wagtail API v2: `fields`, `search`, `order` and the other Wagtail parameters work too.",
            "operationId": f"v2_{tag}_list",
            "parameters": [
                SITE,
                *extra_params,
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 20}},
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            ],
            "responses": {
                "200": {
                    "description": "A page of results",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "meta": {"type": "object", "properties": {"total_count": {"type": "integer"}}},
                                    "items": {"type": "array", "items": item_ref},
                                },
                            }
                        }
                    },
                },
                "404": {"description": "Unknown studio", "content": {"application/json": {"schema": ERROR}}},
            },
        }
    }


# Summaries of operations whose view sets none (operationId → summary): every operation has one, for the
# generated clients' docstrings and Redocly's `operation-summary` rule. A new operation without either
# fails tests/frontend_api/test_schema_and_errors.py.
SUMMARIES = {
    "client_availability_retrieve": "List the free slots of a package between two dates",
    "client_bookings_create": "Book a slot (or request it, when the studio confirms by hand)",
    "client_contracts_retrieve": "Read a contract by its secret link",
    "client_contracts_pdf_retrieve": "Download the contract as a PDF with its audit trail",
    "client_contracts_sign_create": "Sign a contract",
    "client_galleries_retrieve": "Get an unlocked gallery: title, sets, limits and what the client may do",
    "client_galleries_download_retrieve": "Download the gallery (or one set) as a ZIP",
    "client_galleries_photos_retrieve": "List a page of the gallery's photos with their renditions",
    "client_galleries_unlock_create": "Unlock a gallery with its access code (gives a token)",
    "client_inquiries_create": "Send an inquiry (the studio's lead form)",
    "client_invoices_retrieve": "Read an invoice by its secret link",
    "client_invoices_checkout_create": "Start paying an invoice (a Stripe Checkout session)",
    "client_originals_retrieve": "Download an original by a signed, expiring link",
    "client_photos_download_retrieve": "Download one photo (web size, or the original)",
    "studio_bookings_list": "List the studio's bookings",
    "studio_bookings_create": "Create a booking for a client",
    "studio_bookings_retrieve": "Get one booking",
    "studio_clients_list": "List the studio's clients",
    "studio_clients_create": "Add a client",
    "studio_clients_retrieve": "Get one client",
    "studio_clients_partial_update": "Change a client",
    "studio_clients_destroy": "Delete a client",
    "studio_galleries_list": "List the studio's galleries",
    "studio_galleries_retrieve": "Get one gallery",
    "studio_invoices_list": "List the studio's invoices",
    "studio_invoices_retrieve": "Get one invoice",
    "studio_workflows_list": "List the studio's workflows",
    "studio_workflows_retrieve": "Get one workflow with its conditions and steps",
    "studio_workflow_runs_list": "List workflow runs (filter by workflow, client, status)",
    "studio_workflow_runs_retrieve": "Get one workflow run with its step log",
    "studio_webhook_deliveries_list": "List webhook deliveries (newest first)",
    "studio_webhook_deliveries_retrieve": "Get one webhook delivery with its attempts",
    "studio_webhook_endpoints_retrieve": "Get one webhook endpoint",
    "studio_webhook_endpoints_partial_update": "Change a webhook endpoint (URL, events, active)",
    "studio_webhook_endpoints_destroy": "Delete a webhook endpoint",
}
OPERATION_METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(paths):
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method in OPERATION_METHODS:
                yield path, method, operation


def _summaries(paths):
    for _, _, operation in _operations(paths):
        if not operation.get("summary") and operation.get("operationId") in SUMMARIES:
            operation["summary"] = SUMMARIES[operation["operationId"]]


def _json_request_bodies(paths):
    """Bodies are documented as JSON only. DRF's form parsers still accept the same fields (the no-JavaScript
    forms use them), but a body declared in three media types makes generated clients (openapi-python-client)
    pick one they cannot send. Uploads stay multipart."""
    for _, _, operation in _operations(paths):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            for media_type in list(content):
                if media_type != "application/json":
                    del content[media_type]


def _explicit_security(paths):
    """Public operations say so (`security: [{}]`: no credentials), as drf-spectacular's own public ones do."""
    for _, _, operation in _operations(paths):
        operation.setdefault("security", [{}])


def _fix_cursor_examples(components):
    """drf-spectacular's example cursor URLs end with a stray quote, which is not a valid URI."""
    for schema in components.values():
        for name in ("next", "previous"):
            prop = schema.get("properties", {}).get(name, {})
            if isinstance(prop.get("example"), str):
                prop["example"] = prop["example"].rstrip('"')


def only_public_api(endpoints, **kwargs):
    return [e for e in endpoints if e[0].startswith(PUBLIC_PREFIXES)]


ERROR_RESPONSES = {
    "400": "Invalid input: see `error.fields`",
    "401": "Missing, invalid or revoked credentials",
    "403": "The credentials may not do this (e.g. a read-only key writing)",
    "404": "Not found, or not this studio's",
    "409": "Conflicts with the current state (e.g. a slot just taken, a contract already signed)",
    "410": "Gone: an expired gallery, link or preview",
    "429": "Too many requests: retry after `Retry-After` seconds",
}


def _add_error_responses(paths):
    """Every operation may answer with the API's one error shape."""
    for operations in paths.values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )


DATABASE_INTEGER_LIMITS = {2**15 - 1, 2**31 - 1, 2**63 - 1}


def _drop_database_integer_limits(node):
    """Integer maxima that only restate the database's column size differ between SQLite and PostgreSQL;
    they are not part of the contract, and would make the committed schema depend on the test database."""
    if isinstance(node, dict):
        if node.get("type") == "integer" and node.get("maximum") in DATABASE_INTEGER_LIMITS:
            node.pop("maximum")
            if node.get("format") == "int64":
                node.pop("format")
        for value in node.values():
            _drop_database_integer_limits(value)
    elif isinstance(node, list):
        for value in node:
            _drop_database_integer_limits(value)


# OpenAPI 3.0 has no null type: "null" is an object schema that is nullable and allows only null.
NULL = {"type": "object", "nullable": True, "enum": [None]}


def _nullable_references(node):
    """A nullable reference, as drf-spectacular writes it (`allOf: [$ref]` + `nullable: true`, no `type`), is
    refused by openapi-typescript's validator and by Redocly's `nullable-type-sibling`; with a `type` beside it,
    openapi-python-client drops the null and fails on a `null` answer (a package without a cover image). Written
    as `anyOf: [$ref, NULL]`, every generator reads "X or null" (tests/frontend_api/test_generated_clients.py)."""
    if isinstance(node, dict):
        all_of = node.get("allOf")
        if node.get("nullable") and "type" not in node and isinstance(all_of, list) and len(all_of) == 1:
            node.pop("nullable")
            node["anyOf"] = [node.pop("allOf")[0], dict(NULL)]
        for value in node.values():
            _nullable_references(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_references(value)


def add_wagtail_api_and_guide(result, generator, request, public):
    result["info"]["description"] = GUIDE.read_text()
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    components["ApiImage"] = IMAGE
    page = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "meta": {"type": "object"}},
        "additionalProperties": True,
    }
    components["ApiPage"] = page
    components.update(event_schemas())  # what each outgoing webhook POSTs (docs/api.md §7)
    paths = result.setdefault("paths", {})
    paths["/api/v2/pages/"] = _listing(
        "pages",
        "The studio's live pages (Wagtail API v2)",
        {"$ref": "#/components/schemas/ApiPage"},
        [
            {"name": "type", "in": "query", "schema": {"type": "string"}, "example": "cms.PortfolioPage"},
            {"name": "child_of", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        ],
    )
    paths["/api/v2/images/"] = _listing(
        "images", "The studio's public images with renditions", {"$ref": "#/components/schemas/ApiImage"}
    )
    paths["/api/v2/documents/"] = _listing("documents", "The studio's documents", {"type": "object"})
    paths["/api/v2/pages/{id}/"] = {
        "get": {
            "tags": ["pages"],
            "summary": "One page, with its StreamField body (images carry renditions)",
            "operationId": "v2_pages_detail",
            "parameters": [SITE, {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {
                "200": {
                    "description": "The page",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiPage"}}},
                },
                "404": {
                    "description": "Not this studio's live page",
                    "content": {"application/json": {"schema": ERROR}},
                },
            },
        }
    }
    paths["/api/v2/pages/find/"] = {
        "get": {
            "tags": ["pages"],
            "summary": "Find a page by its path on the studio's site (redirects to the page)",
            "operationId": "v2_pages_find",
            "parameters": [
                SITE,
                {
                    "name": "html_path",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1},
                    "example": "/portfolio/weddings/",
                },
            ],
            "responses": {
                "302": {
                    "description": "`Location` is the page's `/api/v2/pages/{id}/`, with `site` and the other "
                    "query parameters kept",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                },
                "404": {"description": "No live page there", "content": {"application/json": {"schema": ERROR}}},
            },
        }
    }
    paths["/api/v2/page_preview/"] = {
        "get": {
            "tags": ["pages"],
            "summary": "The draft being previewed in the admin (headless preview)",
            "operationId": "v2_page_preview",
            "parameters": [
                SITE,
                {"name": "content_type", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "token", "in": "query", "required": True, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "The draft page",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiPage"}}},
                },
                "404": {
                    "description": "No such preview on this studio",
                    "content": {"application/json": {"schema": ERROR}},
                },
                "410": {"description": "The preview token expired", "content": {"application/json": {"schema": ERROR}}},
            },
        }
    }
    _add_error_responses(paths)
    _summaries(paths)
    _json_request_bodies(paths)
    _explicit_security(paths)
    _fix_cursor_examples(components)
    _drop_database_integer_limits(result)
    _nullable_references(result)
    return result
