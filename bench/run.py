"""Benchmarks: `python bench/run.py --out bench/results.json` (`make bench`).

Parser throughput. Single process, wall clock (time.perf_counter), one warm-up round,
best of N rounds:

    parse_text_docs_per_s, parse_text_mb_per_s   the corpus of markdown plans, parsed from
                                                 bytes already in memory (MB = 10^6 bytes)
    parse_text_max_s, parse_text_max_doc         the slowest document (its best round)
    parse_text_failures                          documents that raised
    parse_host_speed_ms                          a fixed pure-Python workload (string, dict
                                                 and regex work), best of 5, just before the
                                                 corpus rounds: it grows with steal or a
                                                 slower CPU, but not with the cache and memory
                                                 contention of other guests, which slows the
                                                 parser more (246.7 docs/s at 71.5 ms and
                                                 197.5 at 66.6 in two runs on 2026-11-22)
    parse_docx_docs_per_s, parse_pdf_docs_per_s  the seeds built as DOCX and as PDF (null,
                                                 with a *_note, when they cannot be built)

The web application, on the embedded SQLite in a temporary PLANWATCH_DATA_DIR (migrated
first; var/ is never touched), one warm-up, median of N runs:

    import_plan_s    plans.services.plan_import_file of a generated 30-activity text plan
                     whose group mention ("Các sở, ban, ngành") expands to 60 units;
                     only the import is timed, each run a new plan (a new number)
    plan_page_ms     GET of the plan page (test Client, logged-in officer) of a plan of
                     100 activities x 60 units, rows written directly
(null, with an import_plan_note / plan_page_note, when they cannot run)

Exports (bench/export.py), on a temporary SQLite, one warm-up, median of N runs:

    export_3000x30_s aggregation of a request to 3,000 units x 30 count metrics (all
                     submitted, rows written with bulk_create) plus its DOCX report and
                     XLSX workbook, built in memory; the parts as export_aggregate_s,
                     export_docx_s, export_xlsx_s, and the process CPU time of the whole
                     as export_3000x30_cpu_s (null, with an export_note, on failure)

Deadline rush (bench/rush.py, one process per database: the embedded SQLite, then a
throwaway PostgreSQL from scripts/with-postgres.sh): 1,000 distinct units post their
answer through their token links against gunicorn on 127.0.0.1, 64 in flight:

    rush_<db>_lost, rush_<db>_duplicated   answers not stored / stored twice (must be 0)
    rush_<db>_per_s, rush_<db>_p50_ms, rush_<db>_p99_ms, rush_<db>_errors
    rush_<db>_server_cpu_ms, rush_<db>_client_cpu_ms   CPU time per answer of all gunicorn
                                           processes and of the posting client
    rush_<db>_db_cpu_ms                    CPU time per answer of the PostgreSQL server
                                           (null on SQLite)
    rush_<db>_host_busy_pct, rush_<db>_host_steal_pct   the machine during the posts: CPU
                                           in use, and CPU taken by other guests (steal)

Banner monitoring (bench/banner.py, on a temporary SQLite): a full round of
banner checks of 10,000 sites served by the test farm on 127.0.0.1, two consumers:

    banner_sites_per_s, banner_peak_mb, banner_cpu_ratio (CPU per site / parse time per page)

Without --only, each group runs in a process of its own (run.py --only GROUP), so that
one group's heap does not weigh on the next. Results are merged into the --out file: keys
written by other benchmarks are kept.
Every parse runs under a time limit, so one runaway document cannot hang the run.
No network access.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout even without `pip install -e`

from docparse import parse  # noqa: E402

SHARED = Path(os.environ.get("PLANWATCH_SHARED", ROOT.parent / "shared")).resolve()
CORPUS = SHARED / "corpus" / "plans"
SEEDS = SHARED / "seeds"

Doc = tuple[str, bytes]  # (file name, content)


class ParseTimeout(BaseException):
    """Raised inside a parse that ran past its limit. A BaseException, so the parser's
    own `except Exception` (which turns reader bugs into ParseError) lets it through."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ParseTimeout in the block after `seconds` (a no-op where SIGALRM is missing)."""
    if not hasattr(signal, "setitimer") or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise ParseTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_round(docs: list[Doc], limit: float) -> tuple[float, list[float], int]:
    """Parse every document once; return (total seconds, seconds per document, failures).
    A document that raises or times out counts as a failure and its time still counts."""
    per_doc, failures = [], 0
    gc.collect()
    start = time.perf_counter()
    for name, data in docs:
        t0 = time.perf_counter()
        try:
            with time_limit(limit):
                parse(data, name=name)
        except (Exception, ParseTimeout):
            failures += 1
        per_doc.append(time.perf_counter() - t0)
    return time.perf_counter() - start, per_doc, failures


def measure(docs: list[Doc], rounds: int, limit: float) -> dict:
    """Warm up once, then keep the best of `rounds` rounds.
    Returns {"docs_per_s", "mb_per_s", "max_s", "max_doc", "failures", "docs"}."""
    parse_round(docs, limit)  # warm-up: imports, compiled patterns, caches
    best_total, best_each, failures = float("inf"), [float("inf")] * len(docs), 0
    for _ in range(rounds):
        total, each, failures = parse_round(docs, limit)
        best_total = min(best_total, total)
        best_each = [min(a, b) for a, b in zip(best_each, each)]
    slowest = max(range(len(docs)), key=best_each.__getitem__)
    size = sum(len(data) for _, data in docs)
    return {
        "docs_per_s": round(len(docs) / best_total, 1),
        "mb_per_s": round(size / best_total / 1e6, 3),
        "max_s": round(best_each[slowest], 4),
        "max_doc": docs[slowest][0],
        "failures": failures,
        "docs": len(docs),
    }


def host_speed_ms() -> float:
    """Milliseconds for a fixed pure-Python workload, best of 5 (parse_host_speed_ms)."""
    unit = re.compile(r"(?:Sở|Ban|UBND)\s+\w+")
    line = "Sở Thông tin và Truyền thông chủ trì, phối hợp với UBND các huyện, thành phố thực hiện. " * 4
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        words: dict[str, int] = {}
        for i in range(20000):
            piece = line[i % 50:]
            words[piece[:12]] = words.get(piece[:12], 0) + len(piece.split())
            unit.search(piece)
        best = min(best, time.perf_counter() - t0)
    return round(best * 1000, 1)


def bench_text(rounds: int, limit: float) -> dict:
    docs = [(p.name, p.read_bytes()) for p in sorted(CORPUS.glob("*.md"))]
    if not docs:
        return {"parse_text_docs_per_s": None, "parse_text_note": f"no corpus at {CORPUS}"}
    speed = host_speed_ms()
    m = measure(docs, rounds, limit)
    return {
        "parse_text_docs_per_s": m["docs_per_s"],
        "parse_text_mb_per_s": m["mb_per_s"],
        "parse_text_max_s": m["max_s"],
        "parse_text_max_doc": m["max_doc"],
        "parse_text_failures": m["failures"],
        "parse_text_docs": m["docs"],
        "parse_host_speed_ms": speed,
    }


def build_fixtures(workdir: Path) -> tuple[list[Doc] | str, list[Doc] | str]:
    """The seeds as DOCX and as PDF, built once. Each list is replaced by a note (str)
    saying why when its builder is missing or fails."""
    try:
        from docparse.tests.builders import build_numbered_docx
    except Exception as exc:  # the builder, or python-docx, is not installed
        note = f"DOCX builder unavailable: {type(exc).__name__}: {exc}"
        return note, note
    try:
        docx_paths = [build_numbered_docx(s, workdir / f"{s.stem}.docx") for s in sorted(SEEDS.glob("*.txt"))]
    except Exception as exc:
        note = f"building the seed DOCX failed: {type(exc).__name__}: {exc}"
        return note, note
    docx: list[Doc] = [(p.name, p.read_bytes()) for p in docx_paths]
    try:
        from docparse.tests.pdf_builders import docx_to_pdf
    except Exception as exc:
        return docx, f"PDF builder unavailable: {type(exc).__name__}: {exc}"
    try:  # docx_to_pdf bounds each LibreOffice run itself
        pdf = [(p.name, p.read_bytes()) for p in (docx_to_pdf(d, workdir) for d in docx_paths)]
    except Exception as exc:
        return docx, f"converting the seeds to PDF failed: {type(exc).__name__}: {exc}"
    return docx, pdf


def bench_built(kind: str, docs: list[Doc] | str, rounds: int, limit: float) -> dict:
    """parse_<kind>_docs_per_s and parse_<kind>_failures, or null and parse_<kind>_note."""
    if isinstance(docs, str):
        return {f"parse_{kind}_docs_per_s": None, f"parse_{kind}_note": docs}
    m = measure(docs, rounds, limit)
    return {
        f"parse_{kind}_docs_per_s": m["docs_per_s"],
        f"parse_{kind}_max_s": m["max_s"],
        f"parse_{kind}_failures": m["failures"],
    }


# --- The web application ----------------------------------------------------------------

BENCH_UNITS = 60
IMPORT_ACTIVITIES = 30
PAGE_ACTIVITIES = 100
BENCH_GROUP = "Các sở, ban, ngành"
# Named leads among the 60 units; the rest are numbered centres.
BENCH_LEADS = (
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Thông tin và Truyền thông",
    "Sở Giáo dục và Đào tạo",
    "Đài Phát thanh và Truyền hình tỉnh",
    "Báo Đắk Nông",
)


_django_dir: Path | None = None


def django_setup(data_dir: Path) -> None:
    """Django on a fresh SQLite database in `data_dir`, migrated. Must run before any
    Django import: the settings read the environment once, so later calls (the web and
    the export benchmarks share the database) do nothing."""
    global _django_dir
    if _django_dir is not None:
        return
    for name in ("DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE"):
        os.environ.pop(name, None)
    os.environ["PLANWATCH_DATA_DIR"] = str(data_dir)
    os.environ["STATIC_MANIFEST"] = "0"  # templates resolve {% static %} without collectstatic
    os.environ["DJANGO_SETTINGS_MODULE"] = "planwatch.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    _django_dir = data_dir


def bench_directory():
    """A province with BENCH_UNITS units and BENCH_GROUP holding all of them."""
    from directory.models import Alias, Province, Unit, UnitGroup

    province = Province.objects.create(name="Tỉnh Đo", code="tinh-do-bench")
    names = list(BENCH_LEADS) + [f"Trung tâm Đo lường số {i:02d}" for i in range(BENCH_UNITS - len(BENCH_LEADS))]
    units = [Unit.objects.create(name=name, kind="so_nganh", province=province) for name in names]
    group = UnitGroup.objects.create(name=BENCH_GROUP, province=province)
    group.members.set(units)
    Alias.objects.create(text=BENCH_GROUP, group=group)
    return province, units, group


def bench_plan_text(number: int) -> bytes:
    """A text plan of IMPORT_ACTIVITIES activities, each led by a named unit and
    supported by the group."""
    lines = [
        "ỦY BAN NHÂN DÂN", "TỈNH ĐẮK NÔNG", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
        f"Số: {number}/KH-UBND", "", "Đắk Nông, ngày 10 tháng 1 năm 2025", "", "KẾ HOẠCH", "",
        f"Thông tin, tuyên truyền năm 2025 (đo hiệu năng {number})", "",
        "I. MỤC ĐÍCH, YÊU CẦU", "", "- Tuyên truyền kịp thời, đúng định hướng.", "",
        "II. TỔ CHỨC THỰC HIỆN", "",
    ]
    for i in range(1, IMPORT_ACTIVITIES + 1):
        month = (i - 1) % 12 + 1
        lines += [
            f"{i}. Hoạt động tuyên truyền số {i}", "",
            f"- Đơn vị chủ trì: {BENCH_LEADS[i % len(BENCH_LEADS)]}.", "",
            f"- Đơn vị phối hợp: {BENCH_GROUP}.", "",
            f"- Thời gian thực hiện: Tháng {month}/2025.", "",
        ]
    return "\n".join(lines).encode("utf-8")


def bench_import(province, rounds: int) -> dict:
    from plans.models import Assignment, Plan
    from plans.services import plan_import_file

    times = []
    for n in range(rounds + 1):  # the first is the warm-up
        data = bench_plan_text(100 + n)
        t0 = time.perf_counter()
        plan = plan_import_file(data=data, filename=f"bench-{n}.txt", province=province)
        elapsed = time.perf_counter() - t0
        if not isinstance(plan, Plan):
            raise RuntimeError(f"the import returned {type(plan).__name__}, not a Plan")
        if n:
            times.append(elapsed)
    activities = plan.activities.count()
    assignments = Assignment.objects.filter(activity__plan=plan).count()
    if activities != IMPORT_ACTIVITIES or assignments < IMPORT_ACTIVITIES * (BENCH_UNITS - 1):
        raise RuntimeError(f"the import read {activities} activities and {assignments} assignments")
    return {
        "import_plan_s": round(statistics.median(times), 4),
        "import_plan_activities": activities,
        "import_plan_assignments": assignments,
    }


def bench_page(province, units, group, rounds: int) -> dict:
    import datetime as dt

    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from plans.models import Activity, Assignment, Mention, Plan

    plan = Plan.objects.create(province=province, number="999/KH-UBND", title="Kế hoạch đo trang (100 × 60)")
    start = dt.date(2025, 1, 1)
    activities = Activity.objects.bulk_create(
        Activity(
            plan=plan, position=i, ref=f"II.{i + 1}", title=f"Hoạt động tuyên truyền số {i + 1}",
            start=start + dt.timedelta(days=3 * i), end=start + dt.timedelta(days=3 * i + 30),
        )
        for i in range(PAGE_ACTIVITIES)
    )
    mentions = Mention.objects.bulk_create(
        m for a in activities for m in (
            Mention(activity=a, role="lead", text=units[a.position % len(units)].name, status="unit",
                    unit=units[a.position % len(units)]),
            Mention(activity=a, role="support", text=BENCH_GROUP, status="group", group=group),
        )
    )
    lead_of = {m.activity_id: m for m in mentions if m.role == "lead"}
    support_of = {m.activity_id: m for m in mentions if m.role == "support"}
    Assignment.objects.bulk_create(
        Assignment(
            activity=a, unit=u, role="lead" if u.pk == lead_of[a.pk].unit_id else "support",
            start=a.start, end=a.end, mention=lead_of[a.pk] if u.pk == lead_of[a.pk].unit_id else support_of[a.pk],
            via_group=None if u.pk == lead_of[a.pk].unit_id else group,
        )
        for a in activities for u in units
    )
    officer = User.objects.create(username="bench.officer", role="officer", province=province)
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("plans:detail", args=[plan.pk])

    times = []
    for n in range(rounds + 1):  # the first is the warm-up
        t0 = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        if n:
            times.append(elapsed)
    return {
        "plan_page_ms": round(statistics.median(times) * 1000, 1),
        "plan_page_kb": round(len(response.content) / 1024, 1),
        "plan_page_assignments": PAGE_ACTIVITIES * len(units),
    }


def bench_django(data_dir: Path, rounds: int) -> dict:
    """import_plan_s and plan_page_ms, or null and a note for the one that fails."""
    try:
        django_setup(data_dir)
        province, units, group = bench_directory()
    except Exception as exc:
        note = f"Django setup failed: {type(exc).__name__}: {exc}"
        return {"import_plan_s": None, "import_plan_note": note, "plan_page_ms": None, "plan_page_note": note}
    results: dict = {}
    for key, note, run in (
        ("import_plan_s", "import_plan_note", lambda: bench_import(province, rounds)),
        ("plan_page_ms", "plan_page_note", lambda: bench_page(province, units, group, rounds)),
    ):
        try:
            results.update(run())
        except Exception as exc:
            results.update({key: None, note: f"{type(exc).__name__}: {exc}"})
    return results


def bench_exports(data_dir: Path, rounds: int) -> dict:
    """export_3000x30_s and its parts (bench/export.py), or null and export_note."""
    try:
        django_setup(data_dir)
        from bench.export import bench_export

        return bench_export(rounds=rounds)
    except Exception as exc:
        return {"export_3000x30_s": None, "export_note": f"{type(exc).__name__}: {exc}"}


def bench_banners(data_dir: Path) -> dict:
    """banner_sites_per_s, banner_peak_mb, banner_cpu_ratio (bench/banner.py), or null
    and banner_note."""
    try:
        django_setup(data_dir)
        from bench.banner import bench_banner

        return bench_banner()
    except Exception as exc:  # noqa: BLE001 - the note says what went wrong
        return {"banner_sites_per_s": None, "banner_note": f"{type(exc).__name__}: {exc}"}


def machine() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        # which build: Debian's optimised /usr/bin/python3.11 or another (docs/docparse.md)
        "python_executable": os.path.realpath(sys.executable),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
    }


def merge_results(out: Path, new: dict) -> dict:
    """The results already in `out` (if readable) updated with `new`. A note left by an
    earlier run is dropped once its figure is measured."""
    try:
        results = json.loads(out.read_text(encoding="utf-8"))
        if not isinstance(results, dict):
            results = {}
    except (OSError, ValueError):
        results = {}
    notes = {"import_plan_s": "import_plan_note", "plan_page_ms": "plan_page_note",
             "export_3000x30_s": "export_note", "banner_sites_per_s": "banner_note"}
    for key, value in new.items():
        if key.endswith("_docs_per_s") and value is not None:
            results.pop(key.replace("_docs_per_s", "_note"), None)
        if key in notes and value is not None:
            results.pop(notes[key], None)
        results[key] = value
    return results


def print_table(results: dict, keys: list[str]) -> None:
    width = max(len(k) for k in keys)
    for key in keys:
        value = results.get(key)
        print(f"  {key:<{width}}  {'null' if value is None else value}")


def bench_rush() -> dict:
    """bench/rush.py in its own process, on SQLite and then on a throwaway PostgreSQL
    (scripts/with-postgres.sh); a database that cannot run gets a rush_<db>_note."""
    out: dict = {}
    runs = [("sqlite", [sys.executable, str(ROOT / "bench" / "rush.py")]),
            ("postgresql", ["bash", str(ROOT / "scripts" / "with-postgres.sh"), sys.executable,
                            str(ROOT / "bench" / "rush.py")])]
    for db, cmd in runs:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        try:
            done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode)
            out.update(json.loads(done.stdout[done.stdout.index("{"):]))
        except Exception as exc:  # noqa: BLE001 - the note says what went wrong
            out[f"rush_{db}_note"] = f"{type(exc).__name__}: {exc}"
    return out


GROUPS = ("parser", "web", "export", "rush", "banner")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="docparse throughput and web application benchmarks")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    ap.add_argument("--rounds", type=int, default=3, help="measured rounds; the best is kept")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per parse")
    ap.add_argument("--web-rounds", type=int, default=9, help="measured runs of the web benchmarks; the median is kept")
    ap.add_argument("--export-rounds", type=int, default=3,
                    help="measured runs of the export benchmark; the median is kept")
    ap.add_argument("--only", choices=GROUPS, help="run one group of benchmarks (without it: each group in a process of its own)")
    args = ap.parse_args(argv)
    rounds = max(1, args.rounds)

    new: dict = {}
    if args.only is None:
        # Each group in a process of its own: one group's heap must not weigh on the next
        # (the banner group's memory peak and its CPU, through the garbage collector).
        new = run_groups(args)
    else:
        new = run_group(args, rounds)
    new["machine"] = machine()
    new["timestamp"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

    results = merge_results(args.out, new)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"results -> {args.out}")
    print_table(results, [k for k in new if k not in ("machine", "timestamp")])
    return 0



def run_groups(args) -> dict:
    """Every group through `run.py --only GROUP` in a new process; a group whose process
    fails gets a <group>_note."""
    new: dict = {}
    with tempfile.TemporaryDirectory(prefix="planwatch-bench-") as tmp:
        for group in GROUPS:
            out = Path(tmp) / f"{group}.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--only", group, "--out", str(out),
                   "--rounds", str(args.rounds), "--timeout", str(args.timeout), "--web-rounds", str(args.web_rounds),
                   "--export-rounds", str(args.export_rounds)]
            done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
            if done.returncode != 0 or not out.exists():
                new[f"{group}_note"] = f"run.py --only {group} exited with {done.returncode}"
                continue
            new.update({k: v for k, v in json.loads(out.read_text(encoding="utf-8")).items()
                        if k not in ("machine", "timestamp")})
    return new


def run_group(args, rounds: int) -> dict:
    new: dict = {}
    with tempfile.TemporaryDirectory(prefix="planwatch-bench-") as tmp:
        steps: list[tuple[str, Callable[[], dict]]] = []
        data_dir = Path(tmp) / "data"
        if args.only == "parser":
            print("building DOCX/PDF fixtures …", file=sys.stderr)
            docx, pdf = build_fixtures(Path(tmp))
            steps += [
                ("text", lambda: bench_text(rounds, args.timeout)),
                ("docx", lambda: bench_built("docx", docx, rounds, args.timeout)),
                ("pdf", lambda: bench_built("pdf", pdf, rounds, args.timeout)),
            ]
        if args.only == "web":
            steps.append(("web application", lambda: bench_django(data_dir, max(1, args.web_rounds))))
        if args.only == "export":
            steps.append(("exports", lambda: bench_exports(data_dir, max(1, args.export_rounds))))
        if args.only == "rush":
            steps.append(("deadline rush (SQLite, PostgreSQL)", bench_rush))
        if args.only == "banner":
            steps.append(("banner monitoring (10,000 farm sites)", lambda: bench_banners(data_dir)))
        for name, step in steps:
            print(f"benchmarking {name} …", file=sys.stderr)
            new.update(step())
    return new


if __name__ == "__main__":
    sys.exit(main())
