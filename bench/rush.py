"""Deadline rush: many units submit their report at the same moment (issue 4).

    python bench/rush.py [--units 1000] [--concurrency 64] [--workers N (cores)] [--out FILE]

One process per database (Django is set up once per process): on the embedded SQLite
in a temporary PLANWATCH_DATA_DIR, or on PostgreSQL when DATABASE_URL is set (bench/run.py
runs it under scripts/with-postgres.sh). It

1. migrates, and writes one open report request with 6 metrics addressed to `--units`
   distinct units (rows written directly);
2. starts the web server with the command line `make run` uses (scripts/serve.py: gunicorn,
   sync workers, access log on), one worker per core, on a free 127.0.0.1 port;
3. posts each unit's answer once through its token link (/t/<token>/, the path a unit
   without an account uses), each on its own connection, keeping `--concurrency` posts
   in flight: a bounded loop of exactly `--units` requests, no retries;
4. stops gunicorn (by its PID) and counts in the database.

Prints one JSON object; keys carry the database name (`sqlite` or `postgresql`):
    rush_<db>_lost         answers not stored as submitted (any cause, failed posts included)
    rush_<db>_duplicated   extra "submit" audit events beyond one per unit
    rush_<db>_per_s        posts per second, first send to last answer
    rush_<db>_p50_ms, rush_<db>_p99_ms   latency of one post (connect to full answer)
    rush_<db>_errors       posts that did not get the expected 302
    rush_<db>_server_cpu_ms   CPU time (user + system) of the gunicorn processes per post
    rush_<db>_client_cpu_ms   CPU time of this load generator per post (same machine)
    rush_<db>_db_cpu_ms       CPU time of the PostgreSQL server per post, when it runs on
                              this machine (null on SQLite, whose work is in the server's)
    rush_<db>_host_busy_pct, rush_<db>_host_steal_pct   the whole machine while the posts
                              ran (/proc/stat): the share of CPU time in use, and the share
                              the hypervisor gave to other guests ("steal"). The host's
                              speed varies from run to run; these say how loaded it was.
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import secrets
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import serve  # noqa: E402 - the production web server's command line (scripts/serve.py)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_django(data_dir: Path) -> str:
    os.environ["PLANWATCH_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planwatch.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return "postgresql" if connection.vendor == "postgresql" else connection.vendor


def make_request(n_units: int) -> tuple[list[tuple[int, str]], dict[str, str]]:
    """The request and its targets: [(unit id, token)], and the metric field names."""
    import datetime as dt

    from django.utils import timezone

    from directory.models import Province, Unit
    from plans.models import Plan
    from reporting.models import Metric, ReportRequest, Target

    province = Province.objects.create(name="Tỉnh Đo Tải", code=f"rush-{secrets.token_hex(3)}")
    plan = Plan.objects.create(province=province, number="1/KH-BENCH", title="Kế hoạch đo tải", date=dt.date.today())
    req = ReportRequest.objects.create(plan=plan, province=province, title="Báo cáo kết quả (đo tải)", status="open",
                                       deadline=timezone.now() + dt.timedelta(days=1))
    kinds = ["count", "count", "count", "boolean", "text", "urls"]
    metrics = Metric.objects.bulk_create(
        [Metric(request=req, position=i, label=f"Chỉ tiêu {i + 1}", kind=k) for i, k in enumerate(kinds)])
    units = Unit.objects.bulk_create(
        [Unit(name=f"Đơn vị đo tải {i:05d}", kind="xa", province=province) for i in range(n_units)])
    Target.objects.bulk_create([Target(request=req, unit=u) for u in units])
    targets = [(t.unit_id, t.token) for t in Target.objects.filter(request=req)]
    fields = {f"m{m.pk}": {"count": "12", "boolean": "yes", "text": "Đã triển khai đầy đủ các nội dung.",
                           "urls": "https://baodaknong.vn/tin-1\nhttps://baodaknong.vn/tin-2"}[m.kind] for m in metrics}
    fields["action"] = "submit"
    return targets, fields


def send_all(port: int, requests: list[bytes], concurrency: int, timeout: float = 60) -> tuple[list, float]:
    """Send each request once, on its own connection, with at most `concurrency` in
    flight: a bounded loop, no retries. [(status, seconds from connect to the whole
    answer)] in completion order (status 0 when the post failed or timed out), and the
    seconds from the first connect to the last answer.

    One thread and non-blocking sockets under `selectors`: the load generator shares the
    machine with the server, and this costs it about a third of the CPU an asyncio
    streams client did per post."""
    sel = selectors.DefaultSelector()
    pending = iter(requests)
    results: list[tuple[int, float]] = []
    in_flight: dict[socket.socket, list] = {}  # socket -> [request left to send, chunks, start]

    def finish(sock: socket.socket, status: int) -> None:
        _unsent, _chunks, start = in_flight.pop(sock)
        sel.unregister(sock)
        sock.close()
        results.append((status, time.perf_counter() - start))

    def start_next() -> None:
        for request in pending:
            sock = socket.socket()
            sock.setblocking(False)
            in_flight[sock] = [request, [], time.perf_counter()]
            sel.register(sock, selectors.EVENT_WRITE)
            if sock.connect_ex(("127.0.0.1", port)) in (0, errno.EINPROGRESS):
                return
            finish(sock, 0)  # refused at once: that post failed, go on with the next

    t0 = time.perf_counter()
    for _ in range(concurrency):
        start_next()
    while in_flight:
        for key, events in sel.select(1.0):
            sock = key.fileobj
            state = in_flight[sock]
            try:
                if events & selectors.EVENT_WRITE:  # connected (or failed): send the rest
                    state[0] = state[0][sock.send(state[0]):]
                    if not state[0]:
                        sel.modify(sock, selectors.EVENT_READ)
                    continue
                data = sock.recv(65536)
                if data:
                    state[1].append(data)
                    continue
                answer = b"".join(state[1])  # the server closed: the answer is whole
                status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
            except (OSError, ValueError, IndexError):
                status = 0
            finish(sock, status)
            start_next()
        now = time.perf_counter()
        for sock in [s for s, (_u, _c, start) in in_flight.items() if now - start > timeout]:
            finish(sock, 0)
            start_next()
    sel.close()
    return results, time.perf_counter() - t0


def rush(port: int, targets: list[tuple[int, str]], fields: dict, concurrency: int) -> tuple[list, float]:
    """Each target's answer posted once through its token link."""
    body = urlencode(fields).encode()
    head = ("POST /t/{}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return send_all(port, [head.format(token).encode() + body for _, token in targets], concurrency)


def server_cpu_s(master_pid: int) -> float:
    """CPU seconds (user + system) used so far by gunicorn: the master and its workers,
    read from /proc (Linux); the database server is not counted."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return float("nan")
    ticks = sum(_proc_cpu_ticks(pid) for pid in [master_pid, *map(int, children)])
    return ticks / os.sysconf("SC_CLK_TCK")


def _proc_cpu_ticks(pid: int, *, children_done: bool = False) -> int:
    """utime + stime of `pid` (with children_done: plus those of its children that
    have ended), in clock ticks; 0 when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children_done:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks


def db_server_cpu_s() -> float | None:
    """CPU seconds used so far by the PostgreSQL server this process is connected to:
    its postmaster (with the backends that have ended) and every live backend. None on
    SQLite, or when the server is not on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        stat = Path(f"/proc/{backend}/stat").read_text()
    except OSError:
        return None  # another machine (or another PID namespace)
    postmaster = int(stat[stat.rindex(")") + 2:].split()[1])  # the backend's parent
    try:
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    except OSError:
        return None
    ticks = _proc_cpu_ticks(postmaster, children_done=True) + sum(_proc_cpu_ticks(int(c)) for c in children)
    return ticks / os.sysconf("SC_CLK_TCK")


def host_cpu_ticks() -> list[int] | None:
    """The machine's CPU time counters (the "cpu" line of /proc/stat: user, nice, system,
    idle, iowait, irq, softirq, steal), or None where there is no /proc/stat."""
    try:
        line = Path("/proc/stat").read_text().split("\n", 1)[0]
    except OSError:
        return None
    return [int(x) for x in line.split()[1:9]]


def host_shares(before: list[int] | None, after: list[int] | None) -> tuple[float | None, float | None]:
    """(busy %, steal %) of the machine between two host_cpu_ticks() readings."""
    if not before or not after:
        return None, None
    d = [b - a for a, b in zip(before, after)]
    total = sum(d)
    if total <= 0:
        return None, None
    idle = d[3] + d[4]  # idle, iowait
    return round(100 * (total - idle - d[7]) / total, 1), round(100 * d[7] / total, 1)


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    # One sync worker per core where `make run` starts three (room for slow clients): an
    # answer is CPU work, and more workers than cores measured slower.
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)

    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))  # the server must sign tokens the same way
    os.environ["DEBUG"] = "0"
    # The temporary data directory has no collected static files: without this the
    # warm-up pages fail on their {% static %} tags (the answer posts render no page).
    os.environ["STATIC_MANIFEST"] = "0"
    with tempfile.TemporaryDirectory(prefix="planwatch-rush-") as tmp:
        db = setup_django(Path(tmp))
        targets, fields = make_request(args.units)
        from django.db import connections

        connections.close_all()
        port = free_port()
        # the access log (one line per post, as in production) goes nowhere
        proc = subprocess.Popen(serve.web_command("127.0.0.1", port, args.workers), cwd=ROOT, env=os.environ.copy(),
                                stdout=subprocess.DEVNULL)
        try:
            wait_ready(port, proc)
            # warm every worker (imports, first connection) with cheap GETs
            send_all(port, [b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"]
                     * (args.workers * 4), args.workers * 4)
            db0, host0 = db_server_cpu_s(), host_cpu_ticks()
            cpu0, client0 = server_cpu_s(proc.pid), time.process_time()
            results, elapsed = rush(port, targets, fields, args.concurrency)
            cpu = (server_cpu_s(proc.pid) - cpu0, time.process_time() - client0)
            host1, db1 = host_cpu_ticks(), db_server_cpu_s()
            load = (None if db0 is None or db1 is None else db1 - db0, *host_shares(host0, host1))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out = count(db, targets, results, elapsed, cpu, load)
    print(json.dumps(out, indent=2))
    if args.out:
        args.out.write_text(json.dumps(out, indent=2) + "\n")
    return 0


def count(db: str, targets, results, elapsed: float, cpu: tuple[float, float],
          load: tuple[float | None, float | None, float | None]) -> dict:
    from django.db.models import Count

    from audit.models import AuditEvent
    from reporting.models import Submission

    unit_ids = [u for u, _ in targets]
    stored = Submission.objects.filter(unit_id__in=unit_ids, status="submitted").count()
    events = (AuditEvent.objects.filter(action="submission.submit", unit_id__in=unit_ids)
              .values("unit_id").annotate(n=Count("id")))
    duplicated = sum(max(0, e["n"] - 1) for e in events)
    latencies = sorted(t for _, t in results)
    errors = sum(1 for status, _ in results if status != 302)
    p99 = latencies[min(len(latencies) - 1, int(round(0.99 * len(latencies))) - 1)]
    return {
        f"rush_{db}_lost": len(targets) - stored,
        f"rush_{db}_duplicated": duplicated,
        f"rush_{db}_per_s": round(len(targets) / elapsed, 1),
        f"rush_{db}_p50_ms": round(statistics.median(latencies) * 1000, 1),
        f"rush_{db}_p99_ms": round(p99 * 1000, 1),
        f"rush_{db}_errors": errors,
        f"rush_{db}_server_cpu_ms": round(cpu[0] / len(targets) * 1000, 2),
        f"rush_{db}_client_cpu_ms": round(cpu[1] / len(targets) * 1000, 2),
        f"rush_{db}_db_cpu_ms": None if load[0] is None else round(load[0] / len(targets) * 1000, 2),
        f"rush_{db}_host_busy_pct": load[1],
        f"rush_{db}_host_steal_pct": load[2],
    }


if __name__ == "__main__":
    sys.exit(main())
