"""Download PINs hold against guessing from many addresses: per-gallery attempt limits (issue 12).

Each try comes from its own address, as from a botnet or a rotated proxy, so the per-IP throttle never bites:
only the gallery's own limit (5 wrong PINs per 15 minutes, 20 per day) stands between a guesser and the PIN."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F

from crm.models import Activity
from galleries.models import Gallery, GalleryAccess, PinAttemptWindow
from tests.factories import ClientFactory

from .factories import make_gallery

pytestmark = pytest.mark.django_db

UNLOCK = "/api/client/galleries/unlock/"
PIN = "0123"


@pytest.fixture
def gallery(studio):
    return make_gallery(studio, access_code="WEDDING24", download_pin=PIN)


@pytest.fixture
def attempt(client, studio):
    """One unlock from its own address: `attempt(pin, n)` comes from 10.0.<n>."""

    def do(pin="", n=0, code="WEDDING24", host=None):
        body = {"code": code, **({"pin": pin} if pin else {})}
        return client.post(
            UNLOCK,
            body,
            content_type="application/json",
            HTTP_HOST=host or studio.hostname,
            REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}",
        )

    return do


def a_quarter_hour_passes():
    """Move the 15-minute attempt windows into the past, as if their time had run out (the day's stays)."""
    PinAttemptWindow.objects.filter(seconds=15 * 60).update(starts_at=F("starts_at") - timedelta(minutes=15))


def test_a_4_digit_pin_does_not_fall_in_200_tries_from_200_addresses(attempt, gallery):
    responses = [attempt(f"{n:04d}", n) for n in range(200)]  # 0000…0199: the PIN, 0123, is among them

    statuses = [r.status_code for r in responses]
    assert 201 not in statuses
    assert statuses == [404] * 5 + [429] * 195
    assert not GalleryAccess.objects.filter(pin_ok=True).exists()
    refused = responses[123].json()["error"]  # the right PIN, tried after the limit
    assert refused["code"] == "too_many_attempts"
    assert refused["message"].startswith("Too many attempts on this gallery, try again in ")
    assert 1 <= int(responses[123]["Retry-After"]) <= 15 * 60


def test_the_right_pin_waits_for_the_cool_down_then_works(attempt, gallery):
    assert [attempt(pin, n).status_code for n, pin in enumerate(["1111", "2222", "3333", "4444", "5555"])] == [404] * 5

    locked = attempt(PIN, 10)
    assert locked.status_code == 429
    assert "try again in " in locked.json()["error"]["message"]
    # Viewing with the code alone still works: a guest hammering the PIN cannot lock the couple out.
    viewing = attempt("", 11)
    assert viewing.status_code == 201
    assert GalleryAccess.objects.get().pin_ok is False

    a_quarter_hour_passes()
    assert attempt(PIN, 12).status_code == 201
    assert GalleryAccess.objects.filter(pin_ok=True).count() == 1


def test_at_most_20_wrong_pins_a_day(attempt, gallery):
    statuses = []
    for quarter in range(5):
        statuses += [attempt(f"9{quarter}{n:02d}", quarter * 10 + n).status_code for n in range(5)]
        a_quarter_hour_passes()
    assert statuses == [404] * 20 + [429] * 5

    refused = attempt(PIN, 99)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 15 * 60  # until the day's window ends, not the quarter's


def test_right_pins_use_no_attempts(attempt, gallery):
    assert [attempt(PIN, n).status_code for n in range(12)] == [201] * 12
    assert [attempt("9999", 20 + n).status_code for n in range(5)] == [404] * 5


def test_the_limit_is_per_gallery(attempt, studio, other_studio, gallery):
    make_gallery(studio, title="Other", slug="other", access_code="PORTRAIT7", download_pin="4321")
    make_gallery(other_studio, title="Theirs", access_code="HARBOUR88", download_pin="4321")
    for n in range(6):
        attempt("9999", n)
    assert attempt(PIN, 10).status_code == 429
    assert attempt("4321", 11, code="PORTRAIT7").status_code == 201
    assert attempt("4321", 12, code="HARBOUR88", host=other_studio.hostname).status_code == 201


def test_a_wrong_pin_answers_exactly_like_a_wrong_code(attempt, gallery):
    wrong_code = attempt("", 1, code="WEDDING25")
    wrong_code_with_pin = attempt("9999", 2, code="WEDDING25")
    wrong_pin = attempt("9999", 3)

    for response in (wrong_code_with_pin, wrong_pin):
        assert response.status_code == wrong_code.status_code == 404
        assert response.content == wrong_code.content
        assert sorted((k, v) for k, v in response.items() if k != "Date") == sorted(
            (k, v) for k, v in wrong_code.items() if k != "Date"
        )
    assert wrong_pin.json()["error"]["code"] == "invalid_code"


def test_the_photographer_hears_of_the_pause_once(attempt, studio, gallery, admin_client_for, photographer):
    Gallery.objects.filter(pk=gallery.pk).update(client=ClientFactory(studio=studio, name="Emma Hart"))
    for n in range(8):
        attempt("9999", n)

    entry = Activity.objects.get(kind="gallery_locked")
    assert entry.client.name == "Emma Hart"
    assert "5 wrong download PINs" in entry.summary
    page = admin_client_for(photographer).get(f"/admin/galleries/{gallery.pk}/activity/", HTTP_HOST="localhost")
    assert "Download PIN entry is paused until" in page.content.decode()

    a_quarter_hour_passes()
    page = admin_client_for(photographer).get(f"/admin/galleries/{gallery.pk}/activity/", HTTP_HOST="localhost")
    assert "Download PIN entry is paused" not in page.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_under_concurrent_guesses(studio):
    """30 guesses at once: only 5 reach the PIN; the others are refused before it is compared."""
    from galleries.access import unlock_gallery
    from studios.errors import DomainError

    make_gallery(studio, access_code="WEDDING24", download_pin=PIN)
    codes = []
    barrier = threading.Barrier(30)

    def guess(n):
        try:
            barrier.wait()
            unlock_gallery(studio, "WEDDING24", pin=f"9{n:03d}")
            codes.append("opened")
        except DomainError as exc:
            codes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == ["invalid_code"] * 5 + ["too_many_attempts"] * 25
    assert PinAttemptWindow.objects.get(seconds=15 * 60).failures == 5
