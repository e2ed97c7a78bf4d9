"""Issue 16: a client finds the portal from the studio's own site."""

import pytest

pytestmark = pytest.mark.django_db


def test_every_page_of_the_studios_site_leads_to_the_portal(client, studio):
    """A client who lost the e-mail finds the portal from the studio's site: its footer links to the sign-in."""
    for path in ("/", "/book/"):
        html = client.get(path, HTTP_HOST=studio.hostname).content.decode()
        footer = html.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]
        assert '<a href="/portal/">Client portal</a>' in footer, path
