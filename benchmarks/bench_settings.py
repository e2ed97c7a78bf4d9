"""Settings for benchmarks/api.py: production, plus a URLconf that also serves Wagtail's stock images
listing (the baseline), and Wagtail's page size raised to 100 so both endpoints list 100 per page."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
WAGTAILAPI_LIMIT_MAX = 100
