import io

import pytest
from django.core.files.images import ImageFile

from frontend_api.models import ApiKey
from galleries.models import StudioImage
from studios.demo_images import landscape_jpeg


@pytest.fixture
def make_image():
    def make(studio, title="Photo", seed=1, size=(120, 80)):
        return StudioImage.objects.create(
            title=title,
            studio=studio,
            collection=studio.collection,
            file=ImageFile(io.BytesIO(landscape_jpeg(seed, *size)), name=f"{title}.jpg"),
        )

    return make


def on_plan(studio, code="studio", status="active"):
    from billing.models import Plan, StudioSubscription

    StudioSubscription.objects.update_or_create(
        studio=studio, defaults={"plan": Plan.objects.get(code=code), "status": status}
    )


@pytest.fixture(autouse=True)
def _studios_with_api_access(request):
    """API keys need a plan with API access; the studios of these tests are on the Studio plan."""
    if "studio" in request.fixturenames:
        on_plan(request.getfixturevalue("studio"))
    if "other_studio" in request.fixturenames:
        on_plan(request.getfixturevalue("other_studio"))


@pytest.fixture
def api_key(studio):
    key, secret = ApiKey.issue(studio=studio, name="Client site", scope=ApiKey.Scope.WRITE)
    return secret


@pytest.fixture
def read_key(studio):
    return ApiKey.issue(studio=studio, name="Read only", scope=ApiKey.Scope.READ)[1]


@pytest.fixture
def other_api_key(other_studio):
    return ApiKey.issue(studio=other_studio, name="Harbour site", scope=ApiKey.Scope.WRITE)[1]


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_HOST": "localhost"}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Deliveries are sent after commit; the test's own transaction never commits, so run them here."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
