"""Settings come from the environment; each case loads the settings in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "storage": settings.STORAGES["default"]["BACKEND"],
    "storage_options": settings.STORAGES["default"].get("OPTIONS", {}),
    "email": settings.EMAIL_BACKEND,
    "base_domain": settings.BASE_DOMAIN,
    "debug": settings.DEBUG,
    "stripe": settings.STRIPE_SECRET_KEY,
    "platform_hosts": settings.PLATFORM_HOSTS,
    "admin_hosts": settings.ADMIN_HOSTS,
    "admin_on_platform_hosts_only": settings.ADMIN_ON_PLATFORM_HOSTS_ONLY,
    "admin_base_url": settings.WAGTAILADMIN_BASE_URL,
}))
"""
CLEAR = [
    "DATABASE_URL",
    "REDIS_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "EMAIL_BACKEND",
    "EMAIL_URL",
    "SECRET_KEY",
    "BASE_DOMAIN",
    "DEBUG",
    "STRIPE_SECRET_KEY",
    "PLATFORM_HOSTS",
    "ADMIN_HOSTS",
    "ADMIN_ON_PLATFORM_HOSTS_ONLY",
    "WAGTAILADMIN_BASE_URL",
    "PORT",
    "STUDIO_LINK_PORT",
]


def load(settings_module="config.settings.dev", **env):
    environ = {k: v for k, v in os.environ.items() if k not in CLEAR}
    environ.update(DJANGO_SETTINGS_MODULE=settings_module, **env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    return result


def settings_for(settings_module="config.settings.dev", **env):
    result = load(settings_module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_need_nothing_but_python():
    s = settings_for()
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["db_name"].endswith("db.sqlite3")
    assert s["eager"] is True and s["broker"] == "memory://"
    assert s["storage"] == "studios.media.LocalMediaStorage"  # renditions public, other files by signed link
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["debug"] is True


def test_postgres_and_redis_from_the_environment():
    s = settings_for(DATABASE_URL="postgres://ff:pw@db.internal:5433/focusflow", REDIS_URL="redis://cache:6379/2")
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["db_name"] == "focusflow"
    assert s["eager"] is False and s["broker"] == "redis://cache:6379/2"
    assert s["cache"] == "config.cache.FailOpenRedisCache"  # Django's RedisCache, failing open (issue 13)


def test_s3_storage_when_a_bucket_is_named():
    s = settings_for(AWS_STORAGE_BUCKET_NAME="media", AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000")
    assert s["storage"] == "studios.media.PrivateS3Storage"
    assert s["storage_options"]["bucket_name"] == "media"
    assert s["storage_options"]["endpoint_url"] == "http://127.0.0.1:9000"
    assert s["storage_options"]["querystring_auth"] is True  # originals stay private
    assert s["storage_options"]["default_acl"] is None  # no public-read: objects keep the private bucket's ACL


def test_email_stripe_and_domain_from_the_environment():
    s = settings_for(
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        STRIPE_SECRET_KEY="sk_test_123",
        BASE_DOMAIN="focusflow.app",
    )
    assert s["email"] == "anymail.backends.postmark.EmailBackend"
    assert s["stripe"] == "sk_test_123"
    assert s["base_domain"] == "focusflow.app"


def test_production_refuses_to_start_without_a_secret_key():
    result = load("config.settings.production", DATABASE_URL="postgres://x@y/z", REDIS_URL="redis://r:6379/0")
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment for production" in result.stderr


def test_production_starts_when_configured():
    s = settings_for(
        settings_module="config.settings.production",
        SECRET_KEY="x" * 60,
        DATABASE_URL="postgres://x@y/z",
        REDIS_URL="redis://r:6379/0",
    )
    assert s["debug"] is False


def test_production_serves_the_admin_on_the_platform_host_only():
    required = {"SECRET_KEY": "x" * 60, "DATABASE_URL": "postgres://x@y/z", "REDIS_URL": "redis://r:6379/0"}
    s = settings_for("config.settings.production", BASE_DOMAIN="focusflow.example", **required)
    assert s["admin_on_platform_hosts_only"] is True
    assert s["platform_hosts"] == s["admin_hosts"] == ["app.focusflow.example"]
    assert s["admin_base_url"] == "https://app.focusflow.example"

    s = settings_for(
        "config.settings.production",
        PLATFORM_HOSTS="focusflow.example",
        ADMIN_HOSTS="admin.focusflow.example",
        **required,
    )
    assert s["platform_hosts"] == ["focusflow.example"] and s["admin_hosts"] == ["admin.focusflow.example"]
    assert s["admin_base_url"] == "https://admin.focusflow.example"

    dev = settings_for()
    assert dev["admin_on_platform_hosts_only"] is False  # make run: the admin on northlight.localhost too


def test_make_run_on_another_port_puts_the_admins_links_on_it():
    # `make run PORT=8765`: e-mailed admin links (invitations, a gallery's activity) must reach that runserver.
    assert settings_for(PORT="8765")["admin_base_url"] == "http://localhost:8765"
    assert settings_for()["admin_base_url"] == "http://localhost:8000"
