"""Issue 16: a client signs in to their studio's portal with a one-time e-mailed link. The answer never tells
whether an address is a client's; links expire and work once; asking is throttled per address and per IP; a
link or a portal session of one studio does nothing on another studio's host."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from crm.models import PortalLink, PortalSession
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
COOKIE = settings.PORTAL_COOKIE_NAME
NONCE = re.compile(rb'nonce="[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def eve(studio):
    return ClientFactory(studio=studio, name="Eve Marsh", email="eve@example.test")


def ask(client, host, email, **extra):
    return client.post("/portal/", {"email": email}, HTTP_HOST=host, **extra)


def link_token(mail) -> str:
    match = re.search(r"/portal/open/([\w-]+)/", mail.body)
    assert match, mail.body
    return match[1]


def sign_in(client, host, token):
    return client.post(f"/portal/open/{token}/", HTTP_HOST=host)


def test_a_client_gets_a_link_that_signs_them_in(client, studio, eve, mailoutbox):
    page = client.get("/portal/", HTTP_HOST=studio.hostname)
    assert page.status_code == 200 and b"E-mail me a sign-in link" in page.content

    response = ask(client, studio.hostname, "  EVE@example.test ")
    assert response.status_code == 200
    assert b"a sign-in link is on its way" in response.content
    [mail] = mailoutbox
    assert mail.to == ["eve@example.test"]
    assert "Northlight Photography" in mail.subject
    token = link_token(mail)
    assert f"http://{studio.hostname}" in mail.body or f"https://{studio.hostname}" in mail.body
    # Only a hash is kept.
    assert not PortalLink.objects.filter(token_hash=token).exists()

    # Opening the link (GET, as a mail scanner would) spends nothing; the button does.
    landing = client.get(f"/portal/open/{token}/", HTTP_HOST=studio.hostname)
    assert landing.status_code == 200 and b"Continue to my portal" in landing.content
    assert PortalLink.objects.get().used_at is None

    signed_in = sign_in(client, studio.hostname, token)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/portal/home/"
    cookie = signed_in.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["domain"]
    assert cookie.value and cookie.value != settings.SESSION_COOKIE_NAME
    assert not PortalSession.objects.filter(token_hash=cookie.value).exists()  # hashed too

    home = client.get("/portal/home/", HTTP_HOST=studio.hostname)
    assert home.status_code == 200
    assert b"Hello, Eve Marsh" in home.content
    assert "no-store" in home["Cache-Control"] or "max-age=0" in home["Cache-Control"]
    # Back at the form, a signed-in client goes to their portal.
    assert client.get("/portal/", HTTP_HOST=studio.hostname)["Location"] == "/portal/home/"


def test_the_portal_cookie_is_secure_in_production(client, studio, eve, mailoutbox, settings):
    settings.SESSION_COOKIE_SECURE = True
    ask(client, studio.hostname, eve.email)
    response = sign_in(client, studio.hostname, link_token(mailoutbox[0]))
    assert response.cookies[COOKIE]["secure"]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, studio, eve, other_studio, mailoutbox):
    ClientFactory(studio=other_studio, email="stranger@example.test")  # a client of another studio only
    known = ask(client, studio.hostname, "eve@example.test")
    assert len(mailoutbox) == 1
    unknown = ask(client, studio.hostname, "stranger@example.test")
    assert len(mailoutbox) == 1  # nothing sent, nothing said

    def normalised(response):
        return NONCE.sub(b"", response.content).replace(b"stranger@example.test", b"eve@example.test")

    assert (known.status_code, normalised(known)) == (unknown.status_code, normalised(unknown))
    assert PortalLink.objects.count() == 1


def test_a_link_works_once(client, studio, eve, mailoutbox):
    ask(client, studio.hostname, eve.email)
    token = link_token(mailoutbox[0])
    assert sign_in(client, studio.hostname, token).status_code == 302

    again = sign_in(client.__class__(), studio.hostname, token)
    assert again.status_code == 410
    assert b"already used" in again.content
    assert b'name="email"' in again.content  # a new-link form right there
    assert COOKIE not in again.cookies or not again.cookies[COOKIE].value
    assert client.__class__().get(f"/portal/open/{token}/", HTTP_HOST=studio.hostname).status_code == 410
    assert PortalSession.objects.count() == 1


def test_an_expired_link_says_so_and_offers_a_new_one(client, studio, eve, mailoutbox):
    ask(client, studio.hostname, eve.email)
    token = link_token(mailoutbox[0])
    PortalLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (
        client.get(f"/portal/open/{token}/", HTTP_HOST=studio.hostname),
        sign_in(client, studio.hostname, token),
    ):
        assert response.status_code == 410
        assert b"has expired" in response.content and b'name="email"' in response.content
    assert not PortalSession.objects.exists()


def test_links_expire_after_the_configured_minutes(client, studio, eve, mailoutbox):
    before = timezone.now()
    ask(client, studio.hostname, eve.email)
    after = timezone.now()
    link = PortalLink.objects.get()
    assert 15 <= settings.PORTAL_LINK_MINUTES <= 30
    lifetime = timedelta(minutes=settings.PORTAL_LINK_MINUTES)
    assert before + lifetime <= link.expires_at <= after + lifetime


def test_an_unknown_token_is_a_clear_404(client, studio):
    response = client.get("/portal/open/not-a-real-token/", HTTP_HOST=studio.hostname)
    assert response.status_code == 404 and b"doesn" in response.content


def test_a_link_of_one_studio_does_nothing_on_another_studios_host(client, studio, other_studio, eve, mailoutbox):
    ask(client, studio.hostname, eve.email)
    token = link_token(mailoutbox[0])
    response = sign_in(client, other_studio.hostname, token)
    assert response.status_code == 404
    assert not PortalSession.objects.exists()
    assert PortalLink.objects.get().used_at is None  # still good on its own studio
    assert sign_in(client, studio.hostname, token).status_code == 302


def test_a_portal_session_of_one_studio_signs_nobody_in_on_another(client, studio, other_studio, eve, mailoutbox):
    ClientFactory(studio=other_studio, email=eve.email)  # the same person is a client of both studios
    ask(client, studio.hostname, eve.email)
    cookie = sign_in(client, studio.hostname, link_token(mailoutbox[0])).cookies[COOKIE].value

    forged = client.__class__()
    forged.cookies[COOKIE] = cookie
    response = forged.get("/portal/home/", HTTP_HOST=other_studio.hostname)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    api = forged.get("/api/client/portal/", HTTP_HOST=other_studio.hostname, HTTP_AUTHORIZATION=f"Bearer {cookie}")
    assert api.status_code == 401


def test_signing_out_ends_the_session(client, studio, eve, mailoutbox):
    ask(client, studio.hostname, eve.email)
    cookie = sign_in(client, studio.hostname, link_token(mailoutbox[0])).cookies[COOKIE].value
    response = client.post("/portal/signout/", HTTP_HOST=studio.hostname)
    assert response.status_code == 302
    assert PortalSession.objects.get().revoked_at is not None
    replay = client.__class__()
    replay.cookies[COOKIE] = cookie
    assert replay.get("/portal/home/", HTTP_HOST=studio.hostname)["Location"] == "/portal/"


def test_an_expired_session_is_signed_out(client, studio, eve, mailoutbox):
    ask(client, studio.hostname, eve.email)
    sign_in(client, studio.hostname, link_token(mailoutbox[0]))
    PortalSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/portal/home/", HTTP_HOST=studio.hostname)["Location"] == "/portal/"


def test_asking_too_often_for_one_address_is_throttled_whoever_asks(client, studio, eve, mailoutbox, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"portal_link_address": "2/hour", "portal_link_ip": "100/hour"}
    )
    for n in range(2):
        assert ask(client, studio.hostname, eve.email, REMOTE_ADDR=f"10.0.0.{n}").status_code == 200
    limited = ask(client, studio.hostname, eve.email.upper(), REMOTE_ADDR="10.0.0.9")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert b"Too many sign-in links" in limited.content
    assert len(mailoutbox) == 2
    # An unknown address is throttled the same way (the 429 tells nothing either).
    for n in range(2):
        assert ask(client, studio.hostname, "nobody@example.test", REMOTE_ADDR=f"10.0.1.{n}").status_code == 200
    assert ask(client, studio.hostname, "Nobody@example.test", REMOTE_ADDR="10.0.1.9").status_code == 429


def test_each_studio_counts_an_address_on_its_own(client, studio, other_studio, eve, mailoutbox, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"portal_link_address": "1/hour", "portal_link_ip": "100/hour"}
    )
    assert ask(client, studio.hostname, eve.email).status_code == 200
    assert ask(client, other_studio.hostname, eve.email).status_code == 200
    assert ask(client, studio.hostname, eve.email).status_code == 429


def test_asking_too_often_from_one_address_is_throttled(client, studio, mailoutbox, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"portal_link_address": "100/hour", "portal_link_ip": "3/hour"}
    )
    for n in range(3):
        assert ask(client, studio.hostname, f"guess{n}@example.test").status_code == 200
    limited = ask(client, studio.hostname, "guess9@example.test")
    assert limited.status_code == 429 and b"Too many sign-in links" in limited.content
    api = client.post(
        "/api/client/portal/link/",
        {"email": "x@example.test"},
        content_type="application/json",
        HTTP_HOST=studio.hostname,
    )
    assert api.status_code == 429 and api.json()["error"]["code"] == "too_many_requests"
    assert "Retry-After" in api


def test_a_malformed_address_is_asked_again(client, studio, mailoutbox):
    response = ask(client, studio.hostname, "<b>not an address</b>\r\nBcc: x@example.test")
    assert response.status_code == 400
    assert b"<b>not" not in response.content
    assert not mailoutbox


def test_the_link_email_is_in_the_studios_email_templates(studio):
    from studios.emails import email_spec, preview

    spec = email_spec("portal_link")
    assert spec is not None and spec.audience == "client"
    rendered = preview(studio, spec)
    assert "sample-token" in rendered.html and "<a " in rendered.html
