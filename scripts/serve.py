#!/usr/bin/env python3
"""Serve planwatch on one machine (the last step of `make run`).

Starts two child processes, the web server (gunicorn, planwatch.wsgi) and the queue
consumer (`manage.py run_huey`), prints the address and the demo logins, and then
watches them:
- Ctrl-C (SIGINT) or SIGTERM stops both and exits 0;
- if one of them dies, the other is stopped and the exit status is non-zero.

The children run in their own process group, so a Ctrl-C at the terminal reaches only
this script, which stops them in order (each by its PID): the web server first,
then the consumer, which gets SIGINT so that a running task can finish.

Run with the project's virtualenv Python: `.venv/bin/python scripts/serve.py`.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# How long a child may take to stop before it is killed: gunicorn's own graceful
# timeout is set below this.
STOP_TIMEOUT_S = 20
POLL_S = 0.5


def parse_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {bind!r}")
    return host, int(port)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def stop(proc: subprocess.Popen, sig: int) -> None:
    """Send `sig` to `proc` (by its PID) and wait; SIGKILL if it outlives the timeout."""
    if proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, sig)
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    except ProcessLookupError:
        pass


def web_command(host: str, port: int, workers: int) -> list[str]:
    """The web server's command line; bench/rush.py measures the same server."""
    return [
        sys.executable, "-m", "gunicorn", "planwatch.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers),
        "--graceful-timeout", str(STOP_TIMEOUT_S - 5), "--access-logfile", "-",
        # this script manages gunicorn by PID; its control socket would sit at one
        # path in $HOME shared by every instance (tests beside `make run`)
        "--no-control-socket",
    ]


def print_banner(url: str) -> None:
    try:
        from planwatch.demo import DEMO_LABEL, DEMO_PASSWORD, DEMO_USERS
    except ImportError:
        users = []
    else:
        users = DEMO_USERS
    print(f"\nplanwatch: {url}", flush=True)
    if users:
        print(f"Đăng nhập thử ({DEMO_LABEL}), mật khẩu {DEMO_PASSWORD}:")
        for user in users:
            print(f"  {user.username:<16} {user.description}")
    print("Ctrl-C để dừng / to stop.\n", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the web server and the queue consumer together.")
    ap.add_argument("--bind", type=parse_bind, default=parse_bind("127.0.0.1:8000"), help="HOST:PORT")
    ap.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    args = ap.parse_args(argv)
    host, port = args.bind
    if port_in_use(host, port):
        print(f"serve: {host}:{port} is already in use (set another with BIND=HOST:PORT)", file=sys.stderr)
        return 1

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "planwatch.settings"}
    commands = {
        "web": web_command(host, port, args.workers),
        "queue": [sys.executable, "manage.py", "run_huey"],
    }
    children: dict[str, subprocess.Popen] = {}
    for name, cmd in commands.items():
        children[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, process_group=0)
        print(f"serve: started {name} (pid {children[name].pid})", flush=True)

    url = f"http://{host}:{port}/"
    announced = False
    failed: str | None = None
    while not stopping:
        for name, proc in children.items():
            if proc.poll() is not None:
                failed = name
                break
        if failed:
            break
        if not announced and port_in_use(host, port):
            print_banner(url)
            announced = True
        time.sleep(POLL_S)

    if failed:
        print(f"serve: {failed} exited with status {children[failed].returncode}; stopping the rest", file=sys.stderr)
    else:
        print("serve: stopping", flush=True)
    stop(children["web"], signal.SIGTERM)  # gunicorn: graceful shutdown
    stop(children["queue"], signal.SIGINT)  # huey: finish running tasks, then exit
    if failed:
        code = children[failed].returncode
        return code if code and code > 0 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
