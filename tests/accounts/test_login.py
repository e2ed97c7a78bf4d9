"""The admin's sign-in page speaks to photographers: FocusFlow's name, and the e-mail address they signed up with."""

import pytest

from tests.factories import photographer_for

pytestmark = pytest.mark.django_db

ADMIN_HOST = {"HTTP_HOST": "localhost"}


def test_login_page_is_branded_and_asks_for_an_email(client):
    page = client.get("/admin/login/", **ADMIN_HOST).content.decode()

    assert "Sign in to FocusFlow" in page
    assert "Sign in to Wagtail" not in page
    assert '<label class="w-field__label" for="id_username"' in page and "E-mail" in page
    assert "Username" not in page
    assert 'type="email"' in page


def test_photographer_signs_in_with_their_email_in_any_case(client, studio):
    photographer_for(studio, email="Ada@Northlight.test")

    response = client.post(
        "/admin/login/", {"username": "ada@northlight.TEST", "password": "secret-pass-123"}, **ADMIN_HOST
    )

    assert response.status_code == 302
    assert client.get("/admin/", **ADMIN_HOST).status_code == 200


def test_wrong_password_says_email_not_username(client, studio):
    photographer_for(studio, email="ada@northlight.test")

    page = client.post("/admin/login/", {"username": "ada@northlight.test", "password": "nope"}, **ADMIN_HOST)

    assert page.status_code == 200
    assert "Your e-mail address and password didn" in page.content.decode()


def test_something_that_is_not_an_email_gets_a_clear_error(client):
    page = client.post("/admin/login/", {"username": "not an address", "password": "x"}, **ADMIN_HOST)

    assert page.status_code == 200
    assert "Enter the e-mail address you sign in with." in page.content.decode()
