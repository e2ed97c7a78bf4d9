"""Settings shared by every environment. Every value comes from the environment,
with a default that is safe for development (django-environ)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")

# Studios answer on their own domains, which the platform does not know in
# advance: Host checking is done by studios.tenancy (unknown host -> 404).
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])

# Studio sites live at <slug>.<BASE_DOMAIN>; the admin and the API for
# developers live on PLATFORM_HOSTS.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
PLATFORM_HOSTS = env.list("PLATFORM_HOSTS", default=["localhost", "127.0.0.1"])
# In development the platform hosts also answer as this studio (the demo).
DEFAULT_STUDIO_SLUG = env("DEFAULT_STUDIO_SLUG", default="")

INSTALLED_APPS = [
    "accounts",
    "studios",
    "cms",
    "studio_settings",
    "galleries",
    "crm",
    "bookings",
    "contracts",
    "billing",
    "frontend_api",
    "wagtail.api.v2",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail_headless_preview",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "anymail",
    "storages",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A nonce per request and the Content-Security-Policy header (strict on the client site).
    "cms.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The studio is resolved first: CORS answers depend on it (frontend_api.cors).
    "studios.tenancy.StudioMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The admin acts for the signed-in photographer's studios, platform staff for all (studios/rls.py).
    "studios.rls.RowLevelSecurityMiddleware",
    "studios.admin_scoping.AdminUserMiddleware",
    "studios.admin_scoping.AdminPageScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# The root page every new studio gets (studios.provisioning); its children come from `studio_created` hooks.
STUDIOS_HOME_PAGE_MODEL = "cms.StudioHomePage"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "studios.tenancy.studio_context",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Reusing connections saves a PostgreSQL connect per request (about 2 ms of CPU, a third of a cached
# photo page); the health check drops a connection the server closed meanwhile.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL row-level security (studios/rls.py): when the app connects as a superuser (development, CI), a scoped
# connection switches to this NOLOGIN role, which has table privileges but bypasses no policy.
ROW_LEVEL_SECURITY_ROLE = env("ROW_LEVEL_SECURITY_ROLE", default="focusflow_app")

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "focusflow",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work --------------------------------------------------------
# Without a broker, Celery runs tasks in the request (eager) so the demo and
# the tests need nothing but Python.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}

# Wagtail 8 runs its own small jobs (reference index, file clean-up) through
# django-tasks; they are light, so they run in-process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _s3_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
        "region_name": env("AWS_S3_REGION_NAME", default="us-east-1"),
        "access_key": env("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
        "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
        "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
        "file_overwrite": False,
    }
    DEFAULT_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- E-mail -----------------------------------------------------------------
# Any anymail ESP in production (ANYMAIL_BACKEND=anymail.backends.postmark.EmailBackend…);
# the console in development.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env("EMAIL_URL", default=""):
    # smtp://user:pass@host:port (a mail catcher in docker-compose, or any SMTP relay)
    globals().update(env.email_url("EMAIL_URL"))
ANYMAIL = env.dict("ANYMAIL", default={})
for _key in (
    "POSTMARK_SERVER_TOKEN",
    "SENDGRID_API_KEY",
    "MAILGUN_API_KEY",
    "MAILGUN_SENDER_DOMAIN",
    "RESEND_API_KEY",
    "AMAZON_SES_CLIENT_PARAMS",
):
    if env(_key, default=""):
        ANYMAIL[_key] = env(_key)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="FocusFlow <no-reply@focusflow.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Payments ---------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Points the official SDK at localstripe (or any Stripe-speaking server) in tests.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")

# --- Auth, i18n -------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Wagtail ----------------------------------------------------------------
WAGTAIL_SITE_NAME = "FocusFlow"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://localhost:8000")
WAGTAILIMAGES_IMAGE_MODEL = "galleries.StudioImage"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=200_000_000)
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic", "heif", "tif", "tiff", "gif", "avif"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "txt", "zip", "jpg", "png"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Avatars from Gravatar would be a request to the internet on every admin page.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_USAGE_COUNT_ENABLED = False
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAILAPI_BASE_URL = env("WAGTAILAPI_BASE_URL", default="")
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": env("HEADLESS_PREVIEW_URL", default="http://localhost:3000/preview")},
    "SERVE_BASE_URL": None,
    "REDIRECT_ON_PREVIEW": False,
    "ENFORCE_TRAILING_SLASH": True,
}

# --- API --------------------------------------------------------------------
# Trusted reverse proxies in front of the app. 0 (development, tests): X-Forwarded-For is ignored, as any
# client can send one; production sets the count (studios.client_address, DRF's throttles).
NUM_PROXIES = 0
REST_FRAMEWORK = {
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's three, with a JSON parser that refuses what would fail later (frontend_api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "frontend_api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "frontend_api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FocusFlow API",
    "DESCRIPTION": "Headless API for white-label studio sites and studio integrations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["frontend_api.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "frontend_api.schema.add_wagtail_api_and_guide",
    ],
    # Swagger UI and Redoc from the installed sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "bookings.models.Booking.Status",
        "InvoiceStatusEnum": "billing.models.Invoice.Status",
        "WebhookDeliveryStatusEnum": "frontend_api.models.WebhookDelivery.Status",
        "PhotoStatusEnum": "galleries.models.StudioImage.Status",
    },
}
CORS_ALLOWED_ORIGINS = env.list("CORS_DEV_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CSRF_FAILURE_VIEW = "frontend_api.views.csrf_failure"


# --- Per-app settings: each domain app adds its own below its heading. -------

# galleries
# Wrong access codes are throttled per IP (DRF ScopedRateThrottle keys on the client address).
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {})["gallery_unlock"] = env(
    "GALLERY_UNLOCK_RATE", default="10/minute"
)
# Clients hear 7, 4 and 1 days before their gallery closes (galleries.proofing.send_expiry_reminders).
CELERY_BEAT_SCHEDULE["gallery-expiry-reminders"] = {
    "task": "galleries.tasks.send_gallery_expiry_reminders",
    "schedule": 3600.0,
}

# crm
# Lead-form spam defence: inquiries per client IP (DRF ScopedRateThrottle).
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {})["inquiries"] = env("INQUIRY_THROTTLE_RATE", default="10/hour")

# bookings
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {})["bookings"] = env("BOOKING_THROTTLE_RATE", default="30/hour")
# Reminder e-mails go to clients this long before their session; beat looks every 15 minutes.
BOOKING_REMINDER_HOURS = env.int("BOOKING_REMINDER_HOURS", default=24)
CELERY_BEAT_SCHEDULE["bookings-send-reminders"] = {
    "task": "bookings.tasks.send_due_reminders",
    "schedule": 15 * 60,
}

# contracts
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {})["contracts"] = env("CONTRACT_THROTTLE_RATE", default="60/hour")
# Where clients open their contract: the studio's own site renders /contracts/<token> from the API.
CONTRACT_LINK_URL = env("CONTRACT_LINK_URL", default="https://{host}/contracts/{token}/")

# billing
BILLING_DEFAULT_PLAN = env("BILLING_DEFAULT_PLAN", default="starter")  # studios that never subscribed
BILLING_INVOICE_DUE_DAYS = env.int("BILLING_INVOICE_DUE_DAYS", default=14)
BILLING_BALANCE_DAYS_BEFORE_SESSION = env.int("BILLING_BALANCE_DAYS_BEFORE_SESSION", default=14)
# Where clients open and pay an invoice: the studio site's /invoices/<token>/ page.
INVOICE_LINK_URL = env("INVOICE_LINK_URL", default="https://{host}/invoices/{token}/")
STRIPE_CONNECT_COUNTRY = env("STRIPE_CONNECT_COUNTRY", default="GB")
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {}).update(
    {
        "invoice": env("THROTTLE_INVOICE", default="60/min"),
        "invoice_checkout": env("THROTTLE_INVOICE_CHECKOUT", default="10/min"),
    }
)

# frontend_api
CELERY_BEAT_SCHEDULE["retry-due-webhooks"] = {"task": "frontend_api.tasks.retry_due_webhooks", "schedule": 30.0}
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {}).update(
    {"studio_api": env("STUDIO_API_RATE", default="600/min")}
)
HEADLESS_PREVIEW_MAX_AGE_SECONDS = env.int("HEADLESS_PREVIEW_MAX_AGE_SECONDS", default=3600)
# Webhook endpoints must be https; plain http only where allowed (development: dev.py re-reads it).
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=DEBUG)
# Private networks webhooks may reach anyway (CIDRs). Empty: only public addresses. Not read from the
# environment on purpose: the tests set loopback for their local receiver (config/settings/test.py).
WEBHOOKS_ALLOWED_PRIVATE_NETWORKS: list[str] = []


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail's in-process tasks and page events are chatty at INFO.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
