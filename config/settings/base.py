"""Settings shared by every environment. Every value comes from the environment,
with a default that is safe for development (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers as corsheaders_default_headers

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
# The admin (/admin/, /django-admin/) answers only on ADMIN_HOSTS when this is on (studios.admin_hosts):
# production turns it on; in development the admin answers on every host (northlight.localhost too).
ADMIN_ON_PLATFORM_HOSTS_ONLY = env.bool("ADMIN_ON_PLATFORM_HOSTS_ONLY", default=False)
ADMIN_HOSTS = env.list("ADMIN_HOSTS", default=PLATFORM_HOSTS)
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
    "workflows",
    "proposals",
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
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # gzip for HTML and JSON without secrets (BREACH: config/compression.py); above every middleware that
    # sets a cookie, so it sees them.
    "config.compression.SafeGZipMiddleware",
    # A nonce per request and the Content-Security-Policy header (strict on the client site).
    "cms.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The admin on platform hosts only (production): 404 on a studio's host before the studio is resolved.
    "studios.admin_hosts.AdminHostMiddleware",
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
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# The root page every new studio gets (studios.provisioning); its children come from `studio_pages` hooks.
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
# PostgreSQL's default random_page_cost (4) prices an index probe as a seek on a spinning disk. Ours are SSDs and
# the hot rows sit in memory: at 4 the planner joined a cold photo page's 700 gallery photos to their images by
# scanning every image row of the platform (8.6 ms at 23,400 images, and growing), at 1.1 by 700 index probes
# (1.7 ms; benchmarks/README.md, issue 14). Sent per connection, so it needs no access to the server's
# configuration; DATABASE_RANDOM_PAGE_COST="" leaves the server's own setting.
_RANDOM_PAGE_COST = env("DATABASE_RANDOM_PAGE_COST", default="1.1")
if DATABASES["default"]["ENGINE"].endswith("postgresql") and _RANDOM_PAGE_COST:
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = f"{_db_options.get('options', '')} -c random_page_cost={float(_RANDOM_PAGE_COST)}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL row-level security (studios/rls.py): when the app connects as a superuser (development, CI), a scoped
# connection switches to this NOLOGIN role, which has table privileges but bypasses no policy.
ROW_LEVEL_SECURITY_ROLE = env("ROW_LEVEL_SECURITY_ROLE", default="focusflow_app")

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, failing open (a miss, a dropped write) while Redis is unreachable: the
            # site keeps answering without its cache (config/cache.py). Short timeouts: a black-holed Redis
            # costs a request half a second once, then is skipped for RETRY_AFTER seconds.
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "focusflow",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, "RETRY_AFTER": 5},
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
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}

# --- Celery reliability (issue 13; docs/architecture.md "When things fail") ---
# acks_late: a message is acknowledged when its task ENDS, so a worker that dies mid-task leaves it unacked
# and it runs again. Every task is therefore written to be idempotent. The settings below make that work.
CELERY_TASK_ACKS_LATE = True
# A worker CHILD killed mid-task (OOM killer, kill -9 of the pool process): requeue the message now rather
# than mark it failed. A poison message that kills its worker every time is bounded by the task itself
# (galleries: PHOTO_MAX_ATTEMPTS, then the photo is marked failed).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Reserve one message per process: with acks_late, prefetched-but-unstarted messages are stranded with a
# dead worker until the visibility timeout; one is the least we can strand.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits: the soft one raises SoftTimeLimitExceeded in the task (it can clean up), the hard one kills
# the child. The slowest real task is one photo's decode + renditions (~30 s for a 200 MP TIFF on one core).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 60)
# Redis redelivers an unacked message after the visibility timeout (a worker killed as a whole, the machine
# lost). It must be longer than the longest a message can legitimately stay unacked: the hard time limit
# (6 min) plus the longest retry countdown/ETA a task sets (10 min: retry_backoff_max, billing's 600 s),
# or a task still running or waiting would be delivered twice. Redis' default (1 h) is what left killed
# photos "processing" for an hour; photos are also re-queued by the sweeper well before this.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=20 * 60)
# Short socket timeouts: publishing from a request with Redis down must fail in milliseconds (refused) or
# about a second (black-holed), not hang the request; the caller records the work and a sweeper sends it.
_REDIS_SOCKET_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT, **_REDIS_SOCKET_OPTIONS}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing: one quick retry, then the error reaches the caller (which leaves the row for its sweeper).
# Celery's default retries three times and the result backend 20 times a second apart: 19 s per request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2},
    **_REDIS_SOCKET_OPTIONS,
}
# A WORKER (not a request) keeps trying to reach the broker for as long as it takes.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Tests start their own workers on a queue of their own (tests/faults/_procs_celeryfaults.py).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# --- end of Celery reliability ---------------------------------------------------------------------------

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
    # A private bucket: no ACL is set (objects stay private), every URL is presigned (studios/media.py).
    DEFAULT_STORAGE = {"BACKEND": "studios.media.PrivateS3Storage", "OPTIONS": _s3_options}
else:
    # Renditions public under MEDIA_URL, every other file only by a signed link (studios/media.py).
    DEFAULT_STORAGE = {"BACKEND": "studios.media.LocalMediaStorage"}
# How long a link to a private file (an original, a document, a contract PDF) works, on any storage.
PRIVATE_MEDIA_URL_SECONDS = env.int("PRIVATE_MEDIA_URL_SECONDS", default=600)
STORAGES = {
    "default": DEFAULT_STORAGE,
    # Hashed names, cached for years by WhiteNoise (config/staticfiles.py). With DEBUG (`make run`) the
    # `static` tag gives the plain names, served from the source folders.
    "staticfiles": {"BACKEND": "config.staticfiles.HashedStaticFilesStorage"},
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
# Studio e-mail goes out as `"<Studio name>" <this address>` with Reply-To the studio's contact address
# (studios/mail.py): the platform's verified sending address, DEFAULT_FROM_EMAIL's address by default.
STUDIO_SENDING_ADDRESS = env("STUDIO_SENDING_ADDRESS", default="")
# Links in e-mails go to the studio's primary host (studios/links.py) with this scheme and, if set, port.
STUDIO_LINK_SCHEME = env("STUDIO_LINK_SCHEME", default="https")
STUDIO_LINK_PORT = env("STUDIO_LINK_PORT", default="")

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
# Sign-in lockout (django-axes, on /admin/login/ and /django-admin/login/ alike: both call authenticate()).
# AxesStandaloneBackend only refuses a locked-out sign-in; ModelBackend signs people in.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Counted per username AND address: a lockout by username alone would let anyone lock a photographer out by
# typing their e-mail five times; by address alone, one mistyping colleague would lock a whole studio's office.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_RESET_ON_SUCCESS = True  # a photographer's occasional typo does not add up over the months
# The address the throttles see: X-Forwarded-For only through NUM_PROXIES trusted proxies (set below).
AXES_CLIENT_IP_CALLABLE = "studios.client_address.client_ip"
AXES_COOLOFF_MESSAGE = (
    f"Too many failed sign-ins from here. Try again in {LOGIN_COOLOFF_MINUTES} minutes, or reset your password."
)
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Wagtail ----------------------------------------------------------------
WAGTAIL_SITE_NAME = "FocusFlow"
# Photographers sign in with their e-mail address (accounts/forms.py).
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.EmailLoginForm"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://localhost:8000")
WAGTAILIMAGES_IMAGE_MODEL = "galleries.StudioImage"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
# One pixel limit wherever a photo is opened (galleries/pixels.py): upload, pipeline, downloads, ZIPs,
# Wagtail's upload form, and Pillow's bomb guard in every process (set from it when the app is ready).
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=200_000_000)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic", "heif", "tif", "tiff", "gif", "avif"]
# Wagtail's database backend; on PostgreSQL without its two whole-table scans per indexed save (studios/search.py).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "studios.search"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "txt", "zip", "jpg", "png"]
# Documents always download (never shown inline on our origin), through Wagtail's view: it checks the
# collection's privacy and sends nosniff; on S3 it redirects to a short presigned link (studios/media.py).
WAGTAILDOCS_SERVE_METHOD = "serve_view" if not AWS_STORAGE_BUCKET_NAME else "redirect"
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Avatars from Gravatar would be a request to the internet on every admin page.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_USAGE_COUNT_ENABLED = False
WAGTAILADMIN_COMMENTS_ENABLED = True
# Unset: absolute URLs in API v2 answers are on the studio's own host and port (frontend_api.wagtail_api).
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
    "LICENSE": {"name": "BSD-3-Clause", "url": "https://opensource.org/license/bsd-3-clause"},
    # Relative: the API answers on each studio's own host (or the platform host with `?site=`), docs/api.md §1.
    "SERVERS": [{"url": "/", "description": "The studio's host, e.g. http://northlight.localhost:8000"}],
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
        "ContractStatusEnum": "contracts.models.Contract.Status",
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
# Download-PIN attempts per gallery, whatever addresses they come from (galleries.attempts): each
# "count/period" is a fixed window (s, m, h, d); past any, PIN attempts on that gallery wait for the window's end.
GALLERY_PIN_ATTEMPT_LIMITS = env.list("GALLERY_PIN_ATTEMPT_LIMITS", default=["5/15m", "20/1d"])
# Clients hear 7, 4 and 1 days before their gallery closes (galleries.proofing.send_expiry_reminders).
CELERY_BEAT_SCHEDULE["gallery-expiry-reminders"] = {
    "task": "galleries.tasks.send_gallery_expiry_reminders",
    "schedule": 3600.0,
}

# galleries: "Download all" prepared ahead as one stored ZIP (galleries/archives.py) ---------------------------
# A change to a gallery's photos checks its archive this many seconds later (at most one check waits per
# gallery): an upload of 2,000 photos is not 2,000 checks. Superseded archives are deleted by the sweep.
GALLERY_ARCHIVE_DELAY_SECONDS = env.int("GALLERY_ARCHIVE_DELAY_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["galleries-sweep-superseded-archives"] = {
    "task": "galleries.archives.sweep_superseded_archives",
    "schedule": 3600.0,
}

# galleries: photos whose processing was lost (issue 13; galleries/sweeper.py) -------------------------
# Re-queued when pending/processing longer than this (doubling per attempt, at most an hour). Longer than
# the hard time limit, so a photo still being processed is never taken for a lost one.
PHOTO_SWEEP_AFTER_SECONDS = env.int("PHOTO_SWEEP_AFTER_SECONDS", default=10 * 60)
PHOTO_SWEEP_EVERY_SECONDS = env.float("PHOTO_SWEEP_EVERY_SECONDS", default=60.0)
# Then the photo is marked failed with a reason (a photo that kills or times out its worker every time).
PHOTO_MAX_ATTEMPTS = env.int("PHOTO_MAX_ATTEMPTS", default=8)
CELERY_BEAT_SCHEDULE["galleries-sweep-stuck-photos"] = {
    "task": "galleries.tasks.sweep_stuck_photos",
    "schedule": PHOTO_SWEEP_EVERY_SECONDS,
}
# Resumable uploads in parts (galleries/multipart.py): ones not completed within this many hours are aborted
# and their parts dropped, by a beat task this often.
GALLERY_UPLOAD_ABANDON_HOURS = env.int("GALLERY_UPLOAD_ABANDON_HOURS", default=24)
CELERY_BEAT_SCHEDULE["galleries-sweep-abandoned-uploads"] = {
    "task": "galleries.tasks.sweep_abandoned_uploads",
    "schedule": 3600.0,
}
# --- end of galleries: lost photos --------------------------------------------------------------------

# crm
# Lead-form spam defence: inquiries per client IP (DRF ScopedRateThrottle).
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {})["inquiries"] = env("INQUIRY_THROTTLE_RATE", default="10/hour")
# The client portal (crm.portal): sign-in links work once for this many minutes; a session lasts this many days.
PORTAL_LINK_MINUTES = env.int("PORTAL_LINK_MINUTES", default=20)
PORTAL_SESSION_DAYS = env.int("PORTAL_SESSION_DAYS", default=14)
PORTAL_COOKIE_NAME = "ff_portal"  # on the studio's host only; never the admin's session cookie
# Sign-in links asked for, per address (whoever asks) and per client IP (crm/api/portal.py); redeeming a link
# and the portal API per IP.
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {}).update(
    {
        "portal_link_address": env("PORTAL_LINK_ADDRESS_RATE", default="5/hour"),
        "portal_link_ip": env("PORTAL_LINK_IP_RATE", default="20/hour"),
        "portal": env("PORTAL_RATE", default="120/min"),
    }
)

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
# questionnaires (crm/api/questionnaires.py): reads and answers per client IP
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {})["questionnaires"] = env(
    "QUESTIONNAIRE_THROTTLE_RATE", default="60/hour"
)

# billing
BILLING_DEFAULT_PLAN = env("BILLING_DEFAULT_PLAN", default="starter")  # studios that never subscribed
BILLING_INVOICE_DUE_DAYS = env.int("BILLING_INVOICE_DUE_DAYS", default=14)
BILLING_BALANCE_DAYS_BEFORE_SESSION = env.int("BILLING_BALANCE_DAYS_BEFORE_SESSION", default=14)
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
# A creating POST's `Idempotency-Key` replays its first answer this long (frontend_api.idempotency), as Stripe's.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
CELERY_BEAT_SCHEDULE["purge-expired-idempotency-keys"] = {
    "task": "frontend_api.tasks.purge_expired_idempotency_keys",
    "schedule": 3600.0,
}
# Browsers on the studio's domains may send the key and the gallery token (docs/api.md), and read whether the
# answer was replayed and how long to wait (429, 503 download_preparing): neither header is CORS-safelisted.
CORS_ALLOW_HEADERS = (*corsheaders_default_headers, "idempotency-key", "x-gallery-token")
CORS_EXPOSE_HEADERS = ["Idempotent-Replayed", "Retry-After"]
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

# --- Work that must not be lost (issue 13, durable intake; docs/architecture.md). --------------------------
# Each row below is committed before anyone is told "done"; these beat sweepers queue what the publish after
# commit missed (Redis down, a worker killed) and retry failures with exponential back-off.
# E-mail outbox (studios.outbox): retry after 1, 2, 4 … minutes (at most an hour), give up after 6 attempts.
EMAIL_OUTBOX_MAX_ATTEMPTS = env.int("EMAIL_OUTBOX_MAX_ATTEMPTS", default=6)
EMAIL_OUTBOX_RETRY_SECONDS = env.float("EMAIL_OUTBOX_RETRY_SECONDS", default=60.0)
EMAIL_OUTBOX_RETRY_MAX_SECONDS = env.float("EMAIL_OUTBOX_RETRY_MAX_SECONDS", default=3600.0)
# A new e-mail the after-commit task has not sent by then is the sweeper's; a sender holds a row this long.
EMAIL_OUTBOX_SWEEP_AFTER_SECONDS = env.float("EMAIL_OUTBOX_SWEEP_AFTER_SECONDS", default=60.0)
EMAIL_OUTBOX_LEASE_SECONDS = env.float("EMAIL_OUTBOX_LEASE_SECONDS", default=600.0)
# Stripe event ledger (billing.webhooks): the same shape; after the last attempt the event is dead-lettered.
STRIPE_EVENT_MAX_ATTEMPTS = env.int("STRIPE_EVENT_MAX_ATTEMPTS", default=8)
STRIPE_EVENT_RETRY_SECONDS = env.float("STRIPE_EVENT_RETRY_SECONDS", default=30.0)
STRIPE_EVENT_RETRY_MAX_SECONDS = env.float("STRIPE_EVENT_RETRY_MAX_SECONDS", default=3600.0)
STRIPE_EVENT_SWEEP_AFTER_SECONDS = env.float("STRIPE_EVENT_SWEEP_AFTER_SECONDS", default=60.0)
# Outgoing webhooks (frontend_api): a delivery still pending this long after it was written is swept.
WEBHOOK_SWEEP_AFTER_SECONDS = env.float("WEBHOOK_SWEEP_AFTER_SECONDS", default=60.0)
DURABLE_SWEEP_SECONDS = env.float("DURABLE_SWEEP_SECONDS", default=30.0)
# With the broker unreachable, a publish tries once more after 0.2 s and gives up, instead of kombu's default
# of reconnecting for 4 s (studios.background.publish_quietly logs it; the row waits for its sweeper). Only
# producers read these options; the worker's own connection keeps Celery's broker_connection_* retries.
# Merged into any transport options set above (the visibility timeout).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **globals().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0.2,
    "connect_retries_timeout": 1.0,
}
CELERY_BEAT_SCHEDULE["retry-due-emails"] = {
    "task": "studios.tasks.retry_due_emails",
    "schedule": DURABLE_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["retry-due-stripe-events"] = {
    "task": "billing.tasks.retry_due_stripe_events",
    "schedule": DURABLE_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["retry-due-webhooks"]["schedule"] = DURABLE_SWEEP_SECONDS
# Workflows (workflows/engine.py): runs whose wait ended, or whose worker died, every minute.
CELERY_BEAT_SCHEDULE["run-due-workflow-steps"] = {
    "task": "workflows.tasks.run_due_workflow_steps",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["finalise-missed-contracts"] = {
    "task": "contracts.tasks.finalise_missed_contracts",
    "schedule": DURABLE_SWEEP_SECONDS * 4,
}
