"""Production: gunicorn behind a TLS-terminating load balancer."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env
from .production_requirements import REQUIRED_ENV

_missing = [name for name in REQUIRED_ENV if not env(name, default="")]
if _missing:
    raise ImproperlyConfigured(f"Set {', '.join(_missing)} in the environment for production.")

DEBUG = False
# The platform's own host (admin, developer API): app.<BASE_DOMAIN> unless set. The admin answers there
# only, never on a studio's subdomain or custom domain (studios.admin_hosts).
PLATFORM_HOSTS = env.list("PLATFORM_HOSTS", default=[f"app.{BASE_DOMAIN}"])  # noqa: F405
ADMIN_HOSTS = env.list("ADMIN_HOSTS", default=PLATFORM_HOSTS)
ADMIN_ON_PLATFORM_HOSTS_ONLY = env.bool("ADMIN_ON_PLATFORM_HOSTS_ONLY", default=True)
# Links to the admin in e-mails (invitations, "a client made a selection") point at the admin's host.
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=f"https://{ADMIN_HOSTS[0]}")
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)  # base's default follows the DEBUG env
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks from the load balancer come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "SAMEORIGIN"
# Per-IP throttles must see the client, not the load balancer.
NUM_PROXIES = env.int("NUM_PROXIES", default=1)
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES  # noqa: F405

SILENCED_SYSTEM_CHECKS = [
    # Wagtail's live preview shows the page in a same-origin iframe.
    "security.W019",
    # HSTS preload covers every subdomain of BASE_DOMAIN for years: the operator
    # opts in with SECURE_HSTS_PRELOAD=true once they are sure.
    "security.W021",
]
