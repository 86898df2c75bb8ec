"""The task queue on both storages, with real consumers in their own processes.

Each test starts `manage.py run_huey` as `make run` does, with the settings of a
deployment (a temporary PLANWATCH_DATA_DIR, and REDIS_URL for Redis), and asks it to
run planwatch.tasks.ping through `manage.py checkqueue` from another process. Redis is
a real redis-server on a free port of 127.0.0.1 without persistence, stopped by PID.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def deployment_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh deployment: no database or queue settings of the
    test run itself leak in (the queue needs no database)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE")}
    env.update(DJANGO_SETTINGS_MODULE="planwatch.settings", PLANWATCH_DATA_DIR=str(data_dir), **extra)
    return env


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def consumer(env: dict[str, str], log: Path):
    """`manage.py run_huey` with one worker, stopped by PID on the way out."""
    with log.open("wb") as out:
        proc = subprocess.Popen([*MANAGE, "run_huey", "--workers", "1"], cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            yield proc
        finally:
            stop(proc)


def checkqueue(env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MANAGE, "checkqueue", "--timeout", str(timeout)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout + 60,
    )


@pytest.fixture
def redis_url(tmp_path):
    """redis://127.0.0.1:<port>/0 of a redis-server of this test alone."""
    import redis

    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (scripts/system-deps.sh installs it)")
    port = free_port()
    log = (tmp_path / "redis.log").open("wb")
    proc = subprocess.Popen(
        [exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=log, stderr=log,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start: {(tmp_path / 'redis.log').read_text()}")
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc)
        log.close()


def _assert_answered(result: subprocess.CompletedProcess, consumer_proc, log: Path, storage: str) -> None:
    assert result.returncode == 0, f"{result.stderr}\n--- consumer log ---\n{log.read_text(errors='replace')}"
    assert result.stdout.startswith(f"queue OK: {storage}")
    assert f"pid {consumer_proc.pid}" in result.stdout  # the consumer process ran it
    assert consumer_proc.poll() is None


def test_sqlite_queue_runs_a_task_in_the_consumer(tmp_path):
    env = deployment_env(tmp_path)
    with consumer(env, tmp_path / "huey.log") as proc:
        result = checkqueue(env, timeout=30)
        _assert_answered(result, proc, tmp_path / "huey.log", "SQLite")
    assert (tmp_path / "huey.sqlite3").exists()  # the queue lives in the data directory


def test_redis_queue_runs_a_task_in_the_consumer(tmp_path, redis_url):
    env = deployment_env(tmp_path, REDIS_URL=redis_url)
    with consumer(env, tmp_path / "huey.log") as proc:
        result = checkqueue(env, timeout=30)
        _assert_answered(result, proc, tmp_path / "huey.log", "Redis 127.0.0.1")
    assert not (tmp_path / "huey.sqlite3").exists()  # nothing went to the SQLite queue


def test_checkqueue_fails_when_no_consumer_answers(tmp_path):
    result = checkqueue(deployment_env(tmp_path), timeout=0.5)
    assert result.returncode != 0
    assert "no queue consumer answered" in result.stderr
