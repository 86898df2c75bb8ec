"""scripts/serve.py, the last step of `make run`: it serves HTTP with gunicorn next to
a queue consumer, stops both on SIGTERM, and stops the web server when the consumer dies.
Real processes on a free port of 127.0.0.1, with a temporary data directory."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a child that exited but is not reaped yet is a zombie: not alive
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


@pytest.fixture
def served(tmp_path):
    """(process, url, log path, {"web": pid, "queue": pid}) of a running serve.py."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE")}
    # no collectstatic here: plain static storage
    env.update(PLANWATCH_DATA_DIR=str(tmp_path / "data"), STATIC_MANIFEST="0")
    log_path = tmp_path / "serve.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve.py"), "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while url not in log_path.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve.py did not come up:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        pids = {name: int(pid) for name, pid in re.findall(r"started (\w+) \(pid (\d+)\)", log_path.read_text())}
        yield proc, url, log_path, pids
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def test_serves_the_login_page_and_stops_both_on_sigterm(served):
    proc, url, log_path, pids = served
    assert set(pids) == {"web", "queue"}
    with urllib.request.urlopen(url + "accounts/login/", timeout=10) as response:
        assert response.status == 200
    assert "canbo.daknong" in log_path.read_text()  # the demo logins are printed

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=40) == 0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in pids.values())


def test_when_the_consumer_dies_the_web_server_is_stopped(served):
    proc, url, log_path, pids = served
    os.kill(pids["queue"], signal.SIGKILL)
    assert proc.wait(timeout=40) != 0
    assert "queue exited" in log_path.read_text()
    deadline = time.monotonic() + 10
    while alive(pids["web"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pids["web"])
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "accounts/login/", timeout=5)


def test_a_worker_loads_the_urlconf_when_it_starts(tmp_path):
    """gunicorn imports planwatch.wsgi in each worker before its first connection: the
    URLconf and the views it imports are loaded then, not during a user's request."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PLANWATCH_DATA_DIR=str(tmp_path / "data"), STATIC_MANIFEST="0")
    code = ("import sys; import planwatch.wsgi; "
            "print(sorted(m for m in ('planwatch.urls', 'reporting.views', 'plans.views_tracking') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[-2] == "['plans.views_tracking', 'planwatch.urls', 'reporting.views']"
