"""The planwatch Django project: settings, URLs, WSGI and the task queue."""
