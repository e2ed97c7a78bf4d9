"""What production refuses to start without. docker-compose.yml and render.yaml
provide each of these; tests/cms/test_deploy_files.py keeps them in step."""

REQUIRED_ENV = ["SECRET_KEY", "DATABASE_URL", "REDIS_URL"]
