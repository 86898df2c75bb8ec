"""Deadline rush: many units submit their report at the same moment (issue 4).

    python bench/rush.py [--units 1000] [--concurrency 64] [--workers N (cores)] [--out FILE]

One process per database (Django is set up once per process): on the embedded SQLite
in a temporary PLANWATCH_DATA_DIR, or on PostgreSQL when DATABASE_URL is set (bench/run.py
runs it under scripts/with-postgres.sh). It

1. migrates, and writes one open report request with 6 metrics addressed to `--units`
   distinct units (rows written directly);
2. starts gunicorn (sync workers, the production WSGI app) on a free 127.0.0.1 port;
3. posts each unit's answer once through its token link (/t/<token>/, the path a unit
   without an account uses) from an asyncio client that keeps `--concurrency` posts in
   flight: a bounded loop of exactly `--units` requests, no retries;
4. stops gunicorn (by its PID) and counts in the database.

Prints one JSON object; keys carry the database name (`sqlite` or `postgresql`):
    rush_<db>_lost         answers not stored as submitted (any cause, failed posts included)
    rush_<db>_duplicated   extra "submit" audit events beyond one per unit
    rush_<db>_per_s        posts per second, first send to last answer
    rush_<db>_p50_ms, rush_<db>_p99_ms   latency of one post (connect to full answer)
    rush_<db>_errors       posts that did not get the expected 302
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
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


async def post(port: int, path: str, body: bytes) -> tuple[int, float]:
    """One HTTP/1.1 POST on a new connection; (status, seconds). Status 0 on failure."""
    t0 = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout=60)
        writer.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    except (OSError, asyncio.TimeoutError, ValueError, IndexError):
        status = 0
    return status, time.perf_counter() - t0


async def rush(port: int, targets: list[tuple[int, str]], fields: dict, concurrency: int) -> tuple[list, float]:
    body = urlencode(fields).encode()
    sem = asyncio.Semaphore(concurrency)

    async def one(token: str):
        async with sem:
            return await post(port, f"/t/{token}/", body)

    t0 = time.perf_counter()
    results = await asyncio.gather(*(one(token) for _, token in targets))
    return results, time.perf_counter() - t0


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
    # One sync worker per core: the answer path is CPU-bound (more workers measured slower).
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)

    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))  # the server must sign tokens the same way
    os.environ["DEBUG"] = "0"
    with tempfile.TemporaryDirectory(prefix="planwatch-rush-") as tmp:
        db = setup_django(Path(tmp))
        targets, fields = make_request(args.units)
        from django.db import connections

        connections.close_all()
        port = free_port()
        cmd = [sys.executable, "-m", "gunicorn", "planwatch.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--worker-class", "sync", "--backlog", "2048",
               "--log-level", "warning", "--timeout", "60"]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=os.environ.copy())
        try:
            wait_ready(port, proc)
            # warm every worker (imports, first connection) with cheap GETs
            asyncio.run(warm(port, args.workers * 4))
            results, elapsed = asyncio.run(rush(port, targets, fields, args.concurrency))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out = count(db, targets, results, elapsed)
    print(json.dumps(out, indent=2))
    if args.out:
        args.out.write_text(json.dumps(out, indent=2) + "\n")
    return 0


async def warm(port: int, n: int) -> None:
    async def get():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            await writer.drain()
            await reader.read()
            writer.close()
        except OSError:
            pass

    await asyncio.gather(*(get() for _ in range(n)))


def count(db: str, targets, results, elapsed: float) -> dict:
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
    }


if __name__ == "__main__":
    sys.exit(main())
