"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Studio sites answer on <slug>.localhost: Chromium maps *.localhost to 127.0.0.1
(--host-resolver-rules), where the live server listens, and StudioMiddleware
resolves the studio from the Host header as in production."""

import io
import os
import re
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in the
# tests themselves are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}


# One Chromium for this folder (per xdist worker), not per session: Playwright's sync API holds an event loop
# while it runs, which Django's async-safety checks and asgiref would see in the tests of other folders.
@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class BrowserPage:
    """A Playwright page that remembers console errors and saves named screenshots."""

    def __init__(self, page, test_name: str):
        self.page = page
        self.test_name = re.sub(r"[^\w.-]+", "_", test_name)
        self.console_errors: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught: {exc}"))

    def __getattr__(self, name):
        return getattr(self.page, name)

    def wait_for_function(self, expression: str, timeout: float = 10_000):
        """Page.wait_for_function, polled from here: Playwright's in-page polling compiles the expression
        with eval, which the client site's Content-Security-Policy forbids (cms/csp.py); page.evaluate does not."""
        deadline = time.monotonic() + timeout / 1000
        while not self.page.evaluate(expression):
            if time.monotonic() > deadline:
                raise TimeoutError(f"Still false after {timeout:.0f} ms: {expression}")
            self.page.wait_for_timeout(50)

    def screenshot(self, step: str, full_page: bool = True, locator=None) -> Path:
        """Save artifacts/screenshots/<test>-<step>.png (of the page, or of one element)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}-{step}.png"
        if locator is not None:
            locator.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def open_page(browser, request):
    """`open_page(viewport=PHONE)` → a fresh browser context and page; closed after the test."""
    contexts = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, accept_downloads=True, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return BrowserPage(context.new_page(), request.node.name)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def site_url(live_server):
    """`site_url(studio, "/portfolio/")` → the studio's address on the live server."""
    port = live_server.url.rsplit(":", 1)[1]

    def url(studio, path="/"):
        return f"http://{studio.hostname}:{port}{path}"

    return url


@pytest.fixture
def demo_site(studio):
    """Northlight with the demo's branding and content (the same code as `manage.py seed_demo`)."""
    from cms.management.commands.seed_demo import Command

    studio.tagline = "Weddings and portraits in the north"
    studio.primary_color = "#23313f"
    studio.accent_color = "#b08d57"
    studio.font_family = "Georgia, 'Times New Roman', serif"
    studio.contact_email = "hello@northlight.test"
    studio.save()
    Command(stdout=io.StringIO()).seed_portfolio(studio)
    return studio


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def broken_images(page) -> list[str]:
    """Images in the page that loaded nothing (naturalWidth 0), after scrolling them all into view."""
    page.evaluate("""async () => {
        for (const img of document.images) { img.loading = "eager"; }
        window.scrollTo(0, document.body.scrollHeight);
    }""")
    page.wait_for_function("[...document.images].every(img => img.complete)")
    return page.evaluate(
        "[...document.images].filter(img => img.getAttribute('src') && img.naturalWidth === 0)"
        ".map(img => img.currentSrc || img.src)"
    )
