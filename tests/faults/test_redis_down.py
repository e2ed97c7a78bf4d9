"""Redis stopped in the middle of client traffic (issue 13, DESIGN §12: Redis is a cache and a broker,
never a source of truth).

Before: the site-root cache (Wagtail's Site.get_site_root_paths) and DRF's throttles read the Redis cache,
so `/`, `/galleries/`, `/book/`, contract and invoice pages, unlock, bookings, inquiries and the studio API
answered 500, and publishing a task hung a request for 19 s then raised. Now the cache fails open, the
photo upload leaves its row for the sweeper, and /healthz says "degraded"."""

import time
from datetime import time as clock
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from billing.invoicing import Line
from contracts.issuing import issue_contract
from frontend_api.models import ApiKey
from galleries.models import GalleryPhoto
from tests.billing.factories import invoice_for
from tests.bookings.factories import weekly_hours
from tests.factories import BookingFactory, SessionTypeFactory
from tests.faults import _procs_celeryfaults as procs
from tests.frontend_api.conftest import on_plan
from tests.galleries.factories import jpeg, make_gallery, upload

# The private Redis and worker fixtures (tests/faults/_procs_celeryfaults.py).
celery_on_private_redis = procs.celery_on_private_redis
private_redis = procs.private_redis
start_worker = procs.start_worker

pytestmark = [procs.needs_redis_server]


@pytest.fixture
def redis_cache(private_redis):
    """The production cache configuration (config/settings/base.py), on the private Redis."""
    caches = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": private_redis.url(2),
            "KEY_PREFIX": "focusflow",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, "RETRY_AFTER": 1},
        }
    }
    with override_settings(CACHES=caches, REDIS_URL=private_redis.url(0)):
        yield
        cache.close()


@pytest.fixture
def site(studio, wedding_template, django_capture_on_commit_callbacks):
    """A studio with something behind every client page: a gallery, a contract, an invoice, a package."""
    on_plan(studio)
    weekly_hours(studio, clock(9), clock(17))
    package = SessionTypeFactory(
        studio=studio, name="Family portrait", duration=timedelta(hours=1), slot_interval=timedelta(hours=1),
        minimum_notice=timedelta(hours=1), contract_template=wedding_template,
    )  # fmt: skip
    gallery = make_gallery(studio, access_code="WEDDING24")
    upload(gallery, jpeg(1, 640, 427))  # processed in-process while the broker is still eager
    booking = BookingFactory(studio=studio, session_type=package, client__name="Ava Stone")
    with django_capture_on_commit_callbacks(execute=True):
        contract = issue_contract(booking, wedding_template)
        invoice = invoice_for(studio, Line("Portrait session", 25_000))
    key = ApiKey.issue(studio=studio, name="Client site", scope=ApiKey.Scope.WRITE)[1]
    day = (timezone.now() + timedelta(days=7)).astimezone(studio.tz).date()
    return {
        "studio": studio,
        "gallery": gallery,
        "package": package,
        "contract": contract,
        "invoice": invoice,
        "key": key,
        "slot": timezone.make_aware(timezone.datetime.combine(day, clock(10)), studio.tz),
    }


def traffic(client, site, round_no: int, posts_that_send_mail=False) -> dict[str, int]:
    """One client's visit to every page and API the issue lists; the status of each."""
    host = {"HTTP_HOST": site["studio"].hostname}
    statuses = {}

    def get(name, url, **extra):
        statuses[name] = client.get(url, **host, **extra).status_code

    def post(name, url, data, **extra):
        statuses[name] = client.post(url, data, content_type="application/json", **host, **extra).status_code

    get("home", "/")
    get("galleries page", "/galleries/")
    get("booking page", "/book/")
    get("contract page", f"/contracts/{site['contract'].token}/")
    get("invoice page", f"/invoices/{site['invoice'].token}/")
    get("wagtail api", "/api/v2/pages/")
    post("unlock", "/api/client/galleries/unlock/", {"code": "WEDDING24", "email": f"c{round_no}@example.test"})
    token = (
        client.post("/api/client/galleries/unlock/", {"code": "WEDDING24"}, content_type="application/json", **host)
        .json()
        .get("token")
    )
    gallery_id = site["gallery"].pk
    get("gallery", f"/api/client/galleries/{gallery_id}/", HTTP_AUTHORIZATION=f"Bearer {token}")
    get("photos", f"/api/client/galleries/{gallery_id}/photos/", HTTP_AUTHORIZATION=f"Bearer {token}")
    get("contract api", f"/api/client/contracts/{site['contract'].token}/")
    day = site["slot"].date()
    get("availability", "/api/client/availability/", data={
        "session_type": site["package"].pk, "start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat(),
    })  # fmt: skip
    if posts_that_send_mail:
        post("booking", "/api/client/bookings/", {
            "session_type": site["package"].pk, "start": (site["slot"] + timedelta(hours=round_no)).isoformat(),
            "name": "Mia Hart", "email": f"mia{round_no}@example.test",
        })  # fmt: skip
        post("inquiry", "/api/client/inquiries/", {
            "name": "Ava Stone", "email": f"ava{round_no}@example.test", "message": "Wedding on 12 June.",
        })  # fmt: skip
    studio_api = {"HTTP_AUTHORIZATION": f"Bearer {site['key']}", "HTTP_HOST": "localhost"}
    statuses["studio api"] = client.get("/api/studio/galleries/", **studio_api).status_code
    statuses["studio api clients"] = client.get("/api/studio/clients/", **studio_api).status_code
    return statuses


@pytest.fixture
def browser():
    # Like a real server: an exception in a view is a 500 answer, not an exception in the test.
    return Client(raise_request_exception=False)


@pytest.mark.django_db(transaction=True)
def test_the_client_site_answers_while_redis_is_down(
    browser, site, redis_cache, private_redis, celery_on_private_redis
):
    client = browser
    before = traffic(client, site, 0)
    assert all(status < 500 for status in before.values()), before
    assert client.get("/healthz", HTTP_HOST="localhost").json()["status"] == "ok"

    private_redis.stop()
    started = time.monotonic()
    during = [traffic(client, site, n) for n in (1, 2, 3)]
    slowest = (time.monotonic() - started) / 3
    failed = {name: status for visit in during for name, status in visit.items() if status >= 500}
    assert failed == {}, f"5xx with Redis down: {failed}"
    assert during[0] == before, "the same answers as with Redis up"
    assert slowest < 10, f"a visit took {slowest:.1f}s: something waits for Redis"

    health = client.get("/healthz", HTTP_HOST="localhost")
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert health.json()["checks"]["broker"]["ok"] is False

    # A photographer uploads meanwhile: accepted, left pending for the sweeper (the task could not be sent).
    response = client.post(
        f"/api/studio/galleries/{site['gallery'].pk}/photos/",
        {"file": SimpleUploadedFile("IMG_0099.jpg", jpeg(99, 640, 427))},
        HTTP_AUTHORIZATION=f"Bearer {site['key']}",
        HTTP_HOST="localhost",
    )
    assert response.status_code == 201, response.content
    assert GalleryPhoto.objects.get(pk=response.json()["id"]).image.status == "pending"

    private_redis.start()
    time.sleep(1.1)  # the cache's RETRY_AFTER
    after = traffic(client, site, 4)
    assert after == before
    assert client.get("/healthz", HTTP_HOST="localhost").json()["status"] == "ok"
    print(f"\nRedis down: {len(during)} visits x {len(during[0])} requests, 5xx: {len(failed)}; answers {during[0]}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_photo_uploaded_while_redis_was_down_is_processed_after_it_returns(
    client, studio, private_redis, start_worker
):
    on_plan(studio)
    gallery = make_gallery(studio)
    key = ApiKey.issue(studio=studio, name="Client site", scope=ApiKey.Scope.WRITE)[1]
    private_redis.stop()
    response = client.post(
        f"/api/studio/galleries/{gallery.pk}/photos/",
        {"file": SimpleUploadedFile("IMG_0100.jpg", jpeg(100, 640, 427))},
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_HOST="localhost",
    )
    assert response.status_code == 201, response.content
    photo = GalleryPhoto.objects.get(pk=response.json()["id"])

    private_redis.start()
    start_worker(PHOTO_SWEEP_AFTER_SECONDS=2, PHOTO_SWEEP_EVERY_SECONDS=1)
    deadline = time.monotonic() + 60
    while photo.image.status != "ready" and time.monotonic() < deadline:
        time.sleep(0.2)
        photo.image.refresh_from_db()
    assert photo.image.status == "ready", photo.image.failure_reason


@pytest.mark.django_db(transaction=True)
def test_bookings_and_inquiries_answer_while_redis_is_down(
    browser, site, redis_cache, private_redis, celery_on_private_redis
):
    private_redis.stop()
    statuses = traffic(browser, site, 1, posts_that_send_mail=True)
    assert {name: s for name, s in statuses.items() if s >= 500} == {}
    assert (statuses["booking"], statuses["inquiry"]) == (201, 201)
