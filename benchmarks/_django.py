"""Shared set-up for the benchmarks: Django on a throw-away test database (SQLite by default,
PostgreSQL when DATABASE_URL says so), media in a temporary folder, one studio."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="focusflow-bench-media-"))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection, old_name


def teardown_django(connection, old_name):
    connection.creation.destroy_test_db(old_name, verbosity=0)


def make_studio(slug="bench"):
    from studios.provisioning import create_studio

    return create_studio(name="Benchmark Studio", slug=slug)


def median_ms(samples: list[float]) -> float:
    samples = sorted(samples)
    mid = len(samples) // 2
    value = samples[mid] if len(samples) % 2 else (samples[mid - 1] + samples[mid]) / 2
    return value * 1000
