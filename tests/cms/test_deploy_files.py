"""No Docker engine runs here, so the deployment files are checked against the settings instead."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from config.settings import production_requirements

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {"web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def blueprint():
    return yaml.safe_load((ROOT / "render.yaml").read_text())


def test_compose_gives_every_app_process_what_production_requires(compose):
    services = compose["services"]
    assert services.keys() >= APP_SERVICES
    for name in APP_SERVICES:
        env = services[name]["environment"]
        missing = [key for key in production_requirements.REQUIRED_ENV if not env.get(key)]
        assert not missing, f"{name} lacks {missing}"
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_compose_services_it_points_at_exist(compose):
    services = compose["services"]
    for name, service in services.items():
        depends = service.get("depends_on", {})
        for dependency in depends if isinstance(depends, list) else depends.keys():
            assert dependency in services, f"{name} depends on missing {dependency}"
    env = services["web"]["environment"]
    for url_key in ("DATABASE_URL", "REDIS_URL", "AWS_S3_ENDPOINT_URL", "EMAIL_URL"):
        host = re.match(r"\w+://(?:[^@/]*@)?([^:/]+)", env[url_key]).group(1)
        assert host in services, f"{url_key} points at {host}, which is not a service"
    assert "focusflow-media" in services["createbucket"]["entrypoint"]
    assert env["AWS_STORAGE_BUCKET_NAME"] == "focusflow-media"
    assert services["minio"]["environment"]["MINIO_ROOT_USER"] == env["AWS_ACCESS_KEY_ID"]


def test_compose_commands_name_our_wsgi_and_celery_apps(compose):
    services = compose["services"]
    assert "config.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_render_blueprint_wires_every_process(blueprint):
    services = {s["name"]: s for s in blueprint["services"]}
    databases = {d["name"] for d in blueprint["databases"]}
    processes = [s for s in services.values() if s["type"] in ("web", "worker")]
    assert {s["name"] for s in processes} == {"focusflow-web", "focusflow-worker", "focusflow-beat"}
    for service in processes:
        env = {e["key"]: e for e in service["envVars"]}
        missing = [key for key in production_requirements.REQUIRED_ENV if key not in env]
        assert not missing, f"{service['name']} lacks {missing}"
        for entry in env.values():
            if "fromDatabase" in entry:
                assert entry["fromDatabase"]["name"] in databases
            if "fromService" in entry:
                assert entry["fromService"]["name"] in services
    assert services["focusflow-web"]["healthCheckPath"] == "/healthz"
    assert "celery -A config beat" in services["focusflow-beat"]["dockerCommand"]


def test_dockerfile_runs_gunicorn_as_non_root_from_the_lock_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") >= 2  # multi-stage
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    # Exec form: gunicorn is PID 1 and gets the SIGTERM itself (graceful shutdown of downloads in flight).
    assert '"gunicorn", "config.wsgi:application"' in dockerfile


def test_every_setting_read_from_the_environment_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    names = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', path.read_text()))
    names |= set(production_requirements.REQUIRED_ENV)
    undocumented = sorted(n for n in names if f"`{n}`" not in readme)
    assert not undocumented, f"README.md does not document {undocumented}"


GUNICORN = "gunicorn config.wsgi:application --config config/gunicorn.py"


def test_every_web_server_starts_gunicorn_from_its_config_file(compose, blueprint):
    """One gunicorn configuration for every place that serves the app (README, "Web processes")."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.py"]' in dockerfile
    assert GUNICORN in compose["services"]["web"]["command"]
    web = {s["name"]: s for s in blueprint["services"]}["focusflow-web"]
    assert web["dockerCommand"] == GUNICORN
    assert web["maxShutdownDelaySeconds"] >= 120  # downloads in flight finish on a deploy


def gunicorn_config(monkeypatch, **env):
    """The settings gunicorn itself reads from config/gunicorn.py in this environment."""
    from gunicorn.app.base import Application

    for name in ("PORT", "WEB_CONCURRENCY", "WEB_THREADS", "WEB_TIMEOUT", "WEB_GRACEFUL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Probe(Application):
        def init(self, parser, opts, args):
            return {}

        def load_config(self):
            self.load_config_from_file(str(ROOT / "config" / "gunicorn.py"))

        def load(self):
            return None

    return Probe().cfg


def test_web_processes_are_threaded_so_a_long_download_never_meets_a_sync_timeout(monkeypatch):
    cfg = gunicorn_config(monkeypatch)
    assert cfg.worker_class_str == "gthread"
    assert (cfg.workers, cfg.threads, cfg.bind) == (3, 4, ["0.0.0.0:8000"])
    assert cfg.graceful_timeout >= 120

    cfg = gunicorn_config(monkeypatch, PORT="10000", WEB_CONCURRENCY="2", WEB_THREADS="8")
    assert (cfg.workers, cfg.threads, cfg.bind) == (2, 8, ["0.0.0.0:10000"])


def test_a_web_worker_imports_the_urlconf_before_its_first_request():
    """Django imports the URLconf (every urls module and view) on a process's first request: a fresh worker's
    first client waited 0.25–0.35 s more for it (a 2,000-photo ZIP's first byte). gunicorn's post_worker_init
    does it at boot, without touching the database, in a fresh process as gunicorn starts one."""
    probe = (
        "import gc, runpy, sys\n"
        "from config.wsgi import application\n"
        "from django.db import connection\n"
        "before = 'galleries.api.views' in sys.modules\n"
        "runpy.run_path('config/gunicorn.py')['post_worker_init'](None)\n"
        "after = 'galleries.api.views' in sys.modules\n"
        "print(before, after, connection.connection is None, gc.get_freeze_count() > 0)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-4:] == ["False", "True", "True", "True"], out.stdout
