"""Development: `make run`. A fixed key and DEBUG, localhost answers as the demo studio."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = env.bool("DEBUG", default=True)
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=DEBUG)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
DEFAULT_STUDIO_SLUG = env("DEFAULT_STUDIO_SLUG", default="northlight")
CORS_ALLOWED_ORIGINS = env.list("CORS_DEV_ORIGINS", default=["http://localhost:3000", "http://127.0.0.1:3000"])
# Links in e-mails point at runserver (`make run PORT=…`), not at an https site (studios/links.py).
STUDIO_LINK_SCHEME = env("STUDIO_LINK_SCHEME", default="http")
STUDIO_LINK_PORT = env("STUDIO_LINK_PORT", default=env("PORT", default="8000"))
# The admin's links in e-mails (an invitation, "view the activity") on the same runserver.
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=f"http://localhost:{STUDIO_LINK_PORT}")
# runserver answers each request in a new thread, and a persistent connection belongs to its thread: with
# CONN_MAX_AGE > 0 every request left one open (20 after a burst, until PostgreSQL ran out). One connection
# per request, closed when it ends (production keeps them: gunicorn's sync workers, README).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DEV_CONN_MAX_AGE", default=0)
