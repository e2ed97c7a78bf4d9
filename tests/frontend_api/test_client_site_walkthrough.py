"""docs/api.md §8 "Build a client site" works as written: its script runs against a live server with the demo's
names (the studio northlight, the gallery code WEDDING24) and prints what a site would show."""

import re
from contextlib import redirect_stdout
from datetime import time
from io import StringIO
from pathlib import Path

import pytest

from tests.bookings.factories import weekly_hours
from tests.factories import SessionTypeFactory
from tests.frontend_api.test_wagtail_api import add_portfolio
from tests.galleries.factories import jpeg, make_gallery, upload

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.mark.django_db(transaction=True)
def test_the_build_a_client_site_walkthrough_runs_as_written(live_server, studio):
    studio.contact_email = "hello@northlight.test"
    studio.save()
    add_portfolio(studio, "Weddings")
    weekly_hours(studio, time(9), time(17))
    SessionTypeFactory(studio=studio, name="Family portrait", price=25_000, deposit_percent=25)
    gallery = make_gallery(studio, access_code="WEDDING24")
    for i in range(2):
        upload(gallery, jpeg(i), f"IMG_{i}.jpg")

    section = GUIDE.read_text().split("## 8. Build a client site", 1)[1]
    script = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert 'BASE = "http://127.0.0.1:8000"' in script and 'SITE = "northlight.localhost"' in script
    script = script.replace('BASE = "http://127.0.0.1:8000"', f'BASE = "{live_server.url}"')

    printed = StringIO()
    with redirect_stdout(printed):
        exec(script, {})  # noqa: S102 - our own documentation
    lines = printed.getvalue().splitlines()

    assert lines[0] == "Northlight Photography #1f2933 hello@northlight.test"
    assert f"Weddings http://{studio.hostname}:{live_server.url.rsplit(':', 1)[1]}/portfolio/weddings/" in lines
    assert "Family portrait 25000 GBP 6250" in lines
    assert any(line.startswith("booked ") or line.startswith("inquiry ") for line in lines)
    assert lines[-3].startswith("2 http")
    assert lines[-2] == f"{{'Favourites': [{gallery.ordered_photos().first().pk}]}}" and lines[-1] == "{}"
