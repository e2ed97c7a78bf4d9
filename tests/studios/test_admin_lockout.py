"""Admin sign-in lockout (django-axes, issue 12): 5 wrong passwords for one account from one address, and even
the right one is refused for 15 minutes, on Wagtail's /admin/login/ and on /django-admin/login/ alike.

Counted per username and address together: a stranger typing the photographer's e-mail cannot lock them out
of their own admin from elsewhere, and the address is the one the other throttles see (NUM_PROXIES)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F

pytestmark = pytest.mark.django_db

WAGTAIL_LOGIN = "/admin/login/"
DJANGO_LOGIN = "/django-admin/login/"
PASSWORD = "secret-pass-123"  # tests/factories.py


@pytest.fixture
def sign_in(client, photographer):
    def do(password, url=WAGTAIL_LOGIN, address="198.51.100.7", **extra):
        client.logout()
        return client.post(
            url,
            {"username": photographer.username, "password": password},
            HTTP_HOST="localhost",
            REMOTE_ADDR=address,
            **extra,
        )

    return do


def signed_in(response) -> bool:
    return response.status_code == 302 and "/login/" not in response["Location"]


def cool_off_passes():
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=15, seconds=1))


def test_the_right_password_is_refused_after_five_wrong_ones_until_the_cool_off(sign_in, client):
    # Four times the form with its error; the fifth wrong password is already answered with the lockout.
    assert [sign_in(f"guess-{n}").status_code for n in range(5)] == [200] * 4 + [429]

    refused = sign_in(PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins from here. Try again in 15 minutes" in refused.content.decode()
    assert client.get("/admin/", HTTP_HOST="localhost").status_code == 302  # not signed in

    cool_off_passes()
    assert signed_in(sign_in(PASSWORD))
    assert client.get("/admin/", HTTP_HOST="localhost").status_code == 200


def test_django_admin_and_wagtail_admin_count_together(sign_in):
    for n in range(3):
        sign_in(f"guess-{n}", WAGTAIL_LOGIN)
    for n in range(2):
        sign_in(f"guess-{n}", DJANGO_LOGIN)

    assert sign_in(PASSWORD, DJANGO_LOGIN).status_code == 429
    assert sign_in(PASSWORD, WAGTAIL_LOGIN).status_code == 429


def test_django_admin_alone_locks_too(sign_in):
    for n in range(5):
        sign_in(f"guess-{n}", DJANGO_LOGIN)
    assert sign_in(PASSWORD, DJANGO_LOGIN).status_code == 429


def test_a_stranger_cannot_lock_the_photographer_out_from_elsewhere(sign_in):
    for n in range(8):
        sign_in(f"guess-{n}", address="203.0.113.66")
    assert sign_in(PASSWORD, address="203.0.113.66").status_code == 429

    assert signed_in(sign_in(PASSWORD, address="198.51.100.7"))


def test_a_rotated_forwarded_for_does_not_escape_the_lockout(sign_in):
    for n in range(5):
        sign_in(f"guess-{n}", address="203.0.113.66", HTTP_X_FORWARDED_FOR=f"10.1.1.{n}")
    assert sign_in(PASSWORD, address="203.0.113.66", HTTP_X_FORWARDED_FOR="10.1.1.99").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_locked_not_the_proxy(sign_in, settings):
    settings.NUM_PROXIES = 1
    balancer = "10.9.9.9"
    for n in range(5):
        sign_in(f"guess-{n}", address=balancer, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert sign_in(PASSWORD, address=balancer, HTTP_X_FORWARDED_FOR="203.0.113.66").status_code == 429

    assert signed_in(sign_in(PASSWORD, address=balancer, HTTP_X_FORWARDED_FOR="198.51.100.7"))
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"


def test_a_successful_sign_in_forgets_earlier_typos(sign_in):
    for n in range(4):
        sign_in(f"typo-{n}")
    assert signed_in(sign_in(PASSWORD))
    for n in range(4):
        sign_in(f"typo-again-{n}")
    assert signed_in(sign_in(PASSWORD))
