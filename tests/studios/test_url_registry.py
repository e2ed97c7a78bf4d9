"""Isolation by construction: every served URL pattern is classified (studios/url_registry.py), and every
studio-scoped admin pattern that takes an object id is requested by studio A with studio B's object."""

import re
from datetime import date

import pytest
from wagtail.documents.models import Document
from wagtail.images import get_image_model
from wagtail.models import Page, Task

from billing.models import Invoice
from bookings.models import AvailabilityOverride, CalendarFeed
from contracts.issuing import issue_contract
from contracts.models import ContractTemplate
from crm.models import ClientTag
from frontend_api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from galleries.models import Gallery
from studios import url_registry
from studios.admin_scoping import PAGE_ID_KWARGS, owned_rows
from studios.models import Membership, StudioDomain
from tests.billing.factories import invoice_for
from tests.bookings.factories import weekly_hours
from tests.factories import BookingFactory
from tests.galleries.factories import make_gallery
from tests.studios.conftest import SECRET

pytestmark = pytest.mark.django_db


def test_every_served_pattern_is_classified(capsys):
    table = url_registry.registry()
    counts = {str(kind): len(patterns) for kind, patterns in table.items()}
    with capsys.disabled():
        print(f"\nURL patterns per class: {counts}")
    assert not table[None], f"unclassified patterns (add a rule to studios/url_registry.py): {counts} " + ", ".join(
        str(p) for p in table[None]
    )
    assert all(table[kind] for kind in url_registry.CLASSES), counts


# The object a URL parameter names, where the parameter alone says so (any admin prefix) …
KIND_BY_PARAM = {name: "page" for name in PAGE_ID_KWARGS} | {
    "image_id": "image",
    "document_id": "document",
    "doc_id": "document",
    "gallery_id": "gallery",
}
# … or `pk` under these prefixes (else the model of the view the pattern serves).
KIND_OF_PK_BY_PREFIX = (
    ("admin/billing/invoices/", Invoice),
    ("admin/team/", Membership),
    ("admin/studio-settings/domains/", StudioDomain),
    ("admin/pages/", "page"),
    ("admin/api/main/^pages/", "page"),
    ("admin/api/main/^images/", "image"),
    ("admin/images/", "image"),
    ("admin/api/main/^documents/", "document"),
    ("admin/documents/", "document"),
)


def _view_model(callback):
    for holder in (getattr(callback, "view_initkwargs", None) or {}, getattr(callback, "initkwargs", None) or {}):
        if holder.get("model") is not None:
            return holder["model"]
    for cls in (getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        if cls is not None and getattr(cls, "model", None) is not None:
            return cls.model
    return None


def _namespace_models(patterns):
    """A viewset's extra views (e.g. bookings:confirm) serve the model its generic views name."""
    models = {}
    for pattern in patterns:
        model = _view_model(pattern.callback)
        if model is not None and ":" in pattern.name:
            models.setdefault(pattern.name.rsplit(":", 1)[0], model)
    return models


def _kind_of(pattern, param, namespace_models):
    if param in KIND_BY_PARAM:
        return KIND_BY_PARAM[param]
    if param == "pk":
        for prefix, kind in KIND_OF_PK_BY_PREFIX:
            if pattern.route.startswith(prefix):
                return kind
        return _view_model(pattern.callback) or namespace_models.get(pattern.name.rsplit(":", 1)[0])
    return None


@pytest.fixture
def b_world(b_content, other_studio, other_photographer, studio):
    booking = BookingFactory(studio=other_studio, client__name="Harbour Secret Client")
    objects = {
        **b_content,
        "gallery": make_gallery(other_studio, title="Harbour Secret Gallery", slug="b-secret-gallery"),
        "booking": booking,
        "invoice": invoice_for(other_studio, client=booking.client, send=False),
        "a_page": studio.home_page.get_children().first(),
    }
    template = ContractTemplate.objects.create(
        studio=other_studio, title="Harbour Secret Agreement", body=[("paragraph", "Harbour Secret terms")]
    )
    issue_contract(booking, template, notify=False)
    ClientTag.objects.create(studio=other_studio, name="Harbour Secret Tag")
    weekly_hours(other_studio, days=[0])
    AvailabilityOverride.objects.create(studio=other_studio, date=date(2030, 1, 1), note="Harbour Secret holiday")
    CalendarFeed.objects.get_or_create(studio=other_studio)
    StudioDomain.objects.create(studio=other_studio, hostname="harbour-secret.example")
    ApiKey.issue(studio=other_studio, name="Harbour Secret Key", scope=ApiKey.Scope.WRITE)
    endpoint = WebhookEndpoint.objects.create(studio=other_studio, url="https://harbour-secret.example/hook")
    WebhookDelivery.objects.create(
        studio=other_studio, endpoint=endpoint, event_id="evt_b", event="invoice.paid", payload={}
    )
    return objects


def _b_object(kind, world, user):
    if kind in ("page", "image", "document", "gallery"):
        return world[kind]
    if isinstance(kind, type):
        for model, key in ((Gallery, "gallery"), (Page, "page"), (get_image_model(), "image"), (Document, "document")):
            if issubclass(kind, model) and issubclass(model, kind):
                return world[key]
        rows = owned_rows(kind, user)
        if rows is not None:
            return rows.order_by("pk").first()
    return None


def _url(route, values):
    url = route
    for name, value in values.items():
        url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url)
        url = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), url)
    return "/" + url.replace("^", "").replace("$", "")


def cross_studio_attempts(world, b_user):
    """(pattern, url, B's object's title) for every studio admin pattern whose ids we can fill with B's."""
    attempts, untried = [], []
    fillers = {
        "revision_id": world["page"].latest_revision.pk,
        "task_id": Task.objects.order_by("pk").first().pk,
        "filter_spec": "original",
        "content_type_app_name": "cms",
        "content_type_model_name": "portfoliopage",
    }
    patterns = url_registry.registry()[url_registry.STUDIO]
    namespace_models = _namespace_models(patterns)
    for pattern in patterns:
        if not pattern.route.startswith("admin/") or not pattern.params:
            continue
        values, title = {}, None
        for param in pattern.params:
            if param == "destination_id":  # moving B's page into A's
                values[param] = world["a_page"].pk
                continue
            if param in fillers:  # not an object of B's, but needed to reach one
                values[param] = fillers[param]
                continue
            obj = _b_object(_kind_of(pattern, param, namespace_models), world, b_user)
            if obj is None:
                break
            values[param], title = obj.pk, str(obj)
        else:
            attempts.append((pattern, _url(pattern.route, values), title))
            continue
        untried.append(pattern)
    return attempts, untried


def test_studio_admin_patterns_refuse_the_other_studios_objects(a_admin, b_world, other_photographer, capsys):
    attempts, untried = cross_studio_attempts(b_world, other_photographer)
    with capsys.disabled():
        print(f"\ncross-studio attempts: {len(attempts)}; studio admin patterns with ids not tried: {len(untried)}")
        for pattern in untried:
            print(f"  not tried: {pattern}")
    leaks = []
    for pattern, url, title in attempts:
        response = a_admin.get(url, HTTP_HOST="localhost")
        status = response.status_code
        body = response.content if not getattr(response, "streaming", False) else b""
        refused = status in (403, 404, 405) or (status == 302 and "/login/" not in response["Location"])
        shows_b = SECRET in body or (title and title.encode() in body)
        if not refused and (status != 200 or shows_b):
            leaks.append(f"{url} ({pattern.name}): {status}{' shows B' if shows_b else ''}")
    assert len(attempts) >= 60, len(attempts)
    assert not leaks, f"{len(leaks)} of {len(attempts)} attempts leak:\n" + "\n".join(leaks)


def test_studio_admin_pages_without_ids_show_nothing_of_the_other_studio(a_admin, b_world):
    """Listings, reports, choosers and the API's listings: GET each as studio A, find nothing of B's."""
    urls = [_url(p.route, {}) for p in url_registry.registry()[url_registry.STUDIO] if _plain_admin(p)]
    leaks = []
    for url in urls:
        response = a_admin.get(url, HTTP_HOST="localhost")
        body = b"" if getattr(response, "streaming", False) else response.content
        if SECRET in body or b"harbour-secret" in body:
            leaks.append(f"{url}: {response.status_code}")
    assert len(urls) >= 50, len(urls)
    assert not leaks, f"{len(leaks)} of {len(urls)} studio admin URLs show B's:\n" + "\n".join(leaks)


def _plain_admin(pattern):
    return (
        pattern.route.startswith("admin/")
        and not pattern.params
        and "^" not in pattern.route.replace("^pages", "").replace("^images", "").replace("^documents", "")
    )


def test_blocked_admin_sections_refuse_photographers(a_admin):
    urls = ["/" + p.route for p in url_registry.registry()[url_registry.BLOCKED] if not p.params and "^" not in p.route]
    allowed = []
    for url in urls:
        response = a_admin.get(url, HTTP_HOST="localhost")
        refused = response.status_code in (403, 404, 405) or (
            response.status_code == 302 and "/login/" not in response["Location"]
        )
        if not refused:
            allowed.append(f"{url}: {response.status_code}")
    assert urls
    assert not allowed, f"{len(allowed)} of {len(urls)} blocked URLs answer a photographer:\n" + "\n".join(allowed)


def test_platform_admin_refuses_photographers(a_admin):
    response = a_admin.get("/django-admin/", HTTP_HOST="localhost")
    assert response.status_code == 302 and "/login/" in response["Location"]
