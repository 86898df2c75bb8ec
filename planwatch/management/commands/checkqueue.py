"""`manage.py checkqueue`: is a queue consumer (`manage.py run_huey`) answering?

Sends planwatch.tasks.ping through the configured queue (SQLite file, or Redis when
REDIS_URL is set) and waits for the result. Exits non-zero when no consumer answers in
time, so it can serve as a deployment health check."""
from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from huey.exceptions import ResultTimeout


def queue_description() -> str:
    """Where the queue lives, without any password: "SQLite /…/huey.sqlite3" or "Redis host:port/db"."""
    if settings.REDIS_URL:
        url = urlsplit(settings.REDIS_URL)
        return f"Redis {url.hostname}:{url.port or 6379}{url.path or '/0'}"
    return f"SQLite {settings.HUEY['filename']}"


class Command(BaseCommand):
    help = "Send a ping through the task queue and wait for a consumer to answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the answer")

    def handle(self, *args, timeout: float, **options):
        from huey.contrib.djhuey import HUEY

        from planwatch.tasks import ping

        where = queue_description()
        if HUEY.immediate:
            raise CommandError("HUEY_IMMEDIATE is on: tasks run in the caller, no consumer is involved.")
        token = secrets.token_hex(8)
        started = time.monotonic()
        result = ping(token)
        try:
            answer = result.get(blocking=True, timeout=timeout)
        except ResultTimeout:
            # nobody took it: revoke, so a consumer started later does not run a stale ping
            result.revoke()
            raise CommandError(
                f"no queue consumer answered within {timeout:g} s ({where}); is `manage.py run_huey` running?"
            )
        if not isinstance(answer, dict) or answer.get("token") != token:
            raise CommandError(f"unexpected answer from the queue ({where}): {answer!r}")
        ms = (time.monotonic() - started) * 1000
        self.stdout.write(f"queue OK: {where}; answered by {answer['host']} pid {answer['pid']} in {ms:.0f} ms")
