"""The WSGI application (gunicorn: planwatch.wsgi:application).

Each gunicorn worker imports this module when it starts, before it accepts a
connection. Django would otherwise import the URLconf, and with it every view module
(matplotlib for the charts, among others; about two seconds), on the worker's first
request: the first unit to answer after a restart would wait for it."""
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planwatch.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports the URLconf now, in the worker's start-up
