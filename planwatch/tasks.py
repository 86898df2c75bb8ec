"""Queue tasks of the project itself (Huey; discovered by `manage.py run_huey`)."""
from __future__ import annotations

import os
import socket

from huey.contrib.djhuey import task


@task()
def ping(token: str) -> dict:
    """Echo `token` with the host and process that ran it: proof that a consumer reads
    this queue. Used by `manage.py checkqueue` and planwatch/tests/test_queue.py."""
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}
