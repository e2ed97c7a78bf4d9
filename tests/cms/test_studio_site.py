"""The white-label theme as served (Django test client): branding, credit, navigation, safety."""

import re

import pytest

from cms.branding import DEFAULT_FONT, DEFAULT_PRIMARY, shows_powered_by

pytestmark = pytest.mark.django_db


def home(client, studio):
    response = client.get("/", HTTP_HOST=studio.hostname)
    assert response.status_code == 200
    return response.content.decode()


def test_site_carries_the_studios_branding(client, studio):
    studio.primary_color = "#23313f"
    studio.accent_color = "#b08d57"
    studio.font_family = "'Cormorant Garamond', Georgia, serif"
    studio.tagline = "Weddings in the north"
    studio.save()

    # The theme <style> carries the request's CSP nonce (cms/csp.py, tests/cms/test_csp.py).
    html = re.sub(r'<style nonce="[^"]+">', "<style>", home(client, studio))

    assert "<style>:root{--brand:#23313f;--accent:#b08d57;--font:'Cormorant Garamond', Georgia, serif;}</style>" in html
    assert "Weddings in the north" in html
    assert "Powered by" in html


def test_white_label_studios_hide_the_focusflow_credit(client, studio):
    from tests.frontend_api.conftest import on_plan

    on_plan(studio, "studio")  # a plan with white label
    studio.white_label = True
    studio.save()

    assert "Powered by" not in home(client, studio)
    assert shows_powered_by(studio) is False


def test_white_label_needs_a_plan_that_includes_it(client, studio):
    from tests.frontend_api.conftest import on_plan

    on_plan(studio, "professional")
    studio.white_label = True
    studio.save()

    assert "Powered by" in home(client, studio) and shows_powered_by(studio) is True


def test_branding_cannot_break_out_of_the_style_element(client, studio):
    studio.primary_color = "red;}</style><script>alert(1)</script>"[:7]
    studio.font_family = "x}</style><script>alert(1)</script>"
    studio.save()

    html = home(client, studio)

    assert "<script>alert(1)" not in html
    assert f"--brand:{DEFAULT_PRIMARY};" in html
    assert f"--font:{DEFAULT_FONT};" in html


def test_navigation_lists_the_portfolio_and_client_galleries(client, studio, other_studio):
    html = home(client, studio)

    assert '<a href="/portfolio/">Portfolio</a>' in html
    assert '<a href="/galleries/">Client galleries</a>' in html
    assert "Harbour" not in html


def test_gallery_page_offers_the_access_code_form(client, studio):
    response = client.get("/galleries/", HTTP_HOST=studio.hostname)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-gallery-app data-api="/api/client"' in html
    assert '<label for="gallery-code">Access code</label>' in html
    assert "site/gallery.js" in html
