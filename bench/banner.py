"""Banner monitoring benchmark: a full check of 10,000 farm sites (issue 5).

    python bench/banner.py [--sites 10000]     # its own temporary data directory

The farm (monitoring/farm.py) runs in a separate process on 127.0.0.1 and serves
the sites as /b/<n>/ on one port: 50–150 KB Vietnamese home pages cycling through
farm.BENCH_MIX (mostly compliant sites, some absent, lookalike, image-only, short-URL,
iframe, 404 and wrong-charset ones). The round is the production path:
monitoring.services.banners_check on a fresh SQLite, writing a Check row and updating
a SiteState per site. All sites share one host, so the per-host limit is lifted
(MONITOR_PER_HOST=0); the total limit stays at its default.

    banner_sites_per_s   sites checked per second, wall clock of banners_check
    banner_peak_mb       peak resident memory of the checking process (ru_maxrss)
    banner_cpu_ratio     the process CPU time per site during the round, divided by the
                         time selectolax's lexbor parser alone takes on one farm page
                         (median page, best of 5): how far the pipeline is from the
                         parsing floor
    banner_sites, banner_cpu_s, banner_parse_ms, banner_verdicts
"""
from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITES = 10_000
CONSUMERS = 2  # consumer processes splitting the round, as MONITOR_CONSUMERS deploys them


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _farm_start() -> tuple[subprocess.Popen, int, int]:
    for _attempt in range(5):
        port, ext = _free_port(), _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "monitoring.farm", str(port), str(ext)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = proc.stdout.readline()  # "farm ready", or EOF if it died (port taken)
        if "ready" in line:
            return proc, port, ext
        proc.wait(10)
    raise RuntimeError("the farm did not start")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def parse_ms(port: int, samples: int = 40) -> float:
    """Median time (ms) selectolax lexbor takes to parse one farm page (UTF-8 bytes,
    its fastest input), best of 5."""
    from selectolax.lexbor import LexborHTMLParser

    from monitoring.farm import BENCH_MIX

    pages = [urllib.request.urlopen(f"http://127.0.0.1:{port}/b/{n}/", timeout=10).read()
             for n in range(samples) if BENCH_MIX[n % len(BENCH_MIX)] not in ("not_found", "wrong_charset")]
    each = []
    for html in pages:
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            LexborHTMLParser(html)
            best = min(best, time.perf_counter() - t0)
        each.append(best)
    return statistics.median(each) * 1000


def bench_banner(*, sites: int = SITES, consumers: int = CONSUMERS) -> dict:
    """Needs Django set up on an empty, migrated database (bench/run.py does that)."""
    from django.conf import settings

    from directory.models import Province, Unit, Website
    from monitoring.checker import image_hash
    from monitoring.models import BannerSpec, ReferenceImage
    from django.db.models import Count

    from monitoring.models import Check
    from monitoring.services import banners_check, round_open
    from monitoring.farm import banner_png
    from planwatch.lib.text import fold

    farm, port, ext = _farm_start()
    try:
        settings.MONITOR_ALLOWED_NETWORKS = ["127.0.0.0/8"]
        settings.MONITOR_PER_HOST = 0
        province = Province.objects.create(name="Tỉnh Đo Banner", code=f"tinh-do-banner-{time.time_ns()}")
        units = Unit.objects.bulk_create(
            Unit(name=f"Đơn vị đo {i:05d}", kind="ubnd_xa", province=province, search_key=fold(f"Don vi do {i:05d}"))
            for i in range(sites))
        Website.objects.bulk_create(Website(unit=u, url=f"http://127.0.0.1:{port}/b/{i}/") for i, u in enumerate(units))
        spec = BannerSpec.objects.create(
            province=province, name="Banner đo", targets=[f"http://127.0.0.1:{ext}/chuyen-muc/dai-hoi-dang-bo-tinh"],
            keywords=["Đại hội Đảng"], obey_robots=True)
        ReferenceImage.objects.create(spec=spec, phash=image_hash(banner_png()), sha256="-", image="banners/x.png")
        floor_ms = parse_ms(port)
        cpu0, t0 = time.process_time(), time.perf_counter()
        rnd = round_open(spec=spec, label="bench")
        helpers = _helpers_start(rnd.pk, consumers - 1)
        result = banners_check(round=rnd)
        for proc in helpers:
            proc.join(timeout=1800)
        wall = time.perf_counter() - t0
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        # the farm is not waited for yet, so RUSAGE_CHILDREN holds the consumers only
        cpu = time.process_time() - cpu0 + children.ru_utime + children.ru_stime
        peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children.ru_maxrss)
    finally:
        _stop(farm)
    verdicts = dict(Check.objects.filter(round=rnd).values_list("verdict").annotate(n=Count("id")))
    checked = sum(verdicts.values())
    return {
        "banner_sites_per_s": round(checked / wall, 1),
        "banner_peak_mb": round(peak_kb / 1024, 1),
        "banner_cpu_ratio": round((cpu / checked) / (floor_ms / 1000), 2),
        "banner_sites": checked,
        "banner_consumers": consumers,
        "banner_cpu_s": round(cpu, 2),
        "banner_parse_ms": round(floor_ms, 3),
        "banner_verdicts": verdicts,
        "banner_checked_by_main": result.checked,
    }


def _helper(round_id: int) -> None:
    from monitoring.models import Round
    from django.db.models import Count

    from monitoring.models import Check
    from monitoring.services import banners_check, round_open

    banners_check(round=Round.objects.get(pk=round_id))


def _helpers_start(round_id: int, n: int) -> list:
    """n more consumers of the round, forked from this process (the production setup
    is several queue consumers calling banners_check on one round)."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's connection
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_helper, args=(round_id,)) for _ in range(n)]
    for p in procs:
        p.start()
    return procs


def main() -> int:
    import argparse
    import json

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=SITES)
    ap.add_argument("--consumers", type=int, default=CONSUMERS)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="planwatch-bench-") as tmp:
        os.environ["PLANWATCH_DATA_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planwatch.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        print(json.dumps(bench_banner(sites=args.sites, consumers=args.consumers), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
