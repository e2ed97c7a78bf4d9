import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Outside a request's own scope the server sees no studio's rows (row-level security, studios/rls.py).
from studios import rls  # noqa: E402 - after the app registry is ready

rls.fail_closed_by_default()
