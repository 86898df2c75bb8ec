"""Parser throughput benchmark: `python bench/run.py --out bench/results.json` (`make bench`).

Single process, wall clock (time.perf_counter), one warm-up round, best of N rounds:

    parse_text_docs_per_s, parse_text_mb_per_s   the corpus of markdown plans, parsed from
                                                 bytes already in memory (MB = 10^6 bytes)
    parse_text_max_s, parse_text_max_doc         the slowest document (its best round)
    parse_text_failures                          documents that raised
    parse_docx_docs_per_s, parse_pdf_docs_per_s  the seeds built as DOCX and as PDF (null,
                                                 with a *_note, when they cannot be built)

Results are merged into the --out file: keys written by other benchmarks are kept.
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
import signal
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


def bench_text(rounds: int, limit: float) -> dict:
    docs = [(p.name, p.read_bytes()) for p in sorted(CORPUS.glob("*.md"))]
    if not docs:
        return {"parse_text_docs_per_s": None, "parse_text_note": f"no corpus at {CORPUS}"}
    m = measure(docs, rounds, limit)
    return {
        "parse_text_docs_per_s": m["docs_per_s"],
        "parse_text_mb_per_s": m["mb_per_s"],
        "parse_text_max_s": m["max_s"],
        "parse_text_max_doc": m["max_doc"],
        "parse_text_failures": m["failures"],
        "parse_text_docs": m["docs"],
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


def machine() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
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
    for key, value in new.items():
        if key.endswith("_docs_per_s") and value is not None:
            results.pop(key.replace("_docs_per_s", "_note"), None)
        results[key] = value
    return results


def print_table(results: dict, keys: list[str]) -> None:
    width = max(len(k) for k in keys)
    for key in keys:
        value = results.get(key)
        print(f"  {key:<{width}}  {'null' if value is None else value}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="docparse throughput benchmark")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    ap.add_argument("--rounds", type=int, default=3, help="measured rounds; the best is kept")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per parse")
    args = ap.parse_args(argv)
    rounds = max(1, args.rounds)

    new: dict = {}
    steps: list[tuple[str, Callable[[], dict]]] = [("text", lambda: bench_text(rounds, args.timeout))]
    with tempfile.TemporaryDirectory(prefix="planwatch-bench-") as tmp:
        print("building DOCX/PDF fixtures …", file=sys.stderr)
        docx, pdf = build_fixtures(Path(tmp))
        steps += [
            ("docx", lambda: bench_built("docx", docx, rounds, args.timeout)),
            ("pdf", lambda: bench_built("pdf", pdf, rounds, args.timeout)),
        ]
        for name, step in steps:
            print(f"benchmarking {name} …", file=sys.stderr)
            new.update(step())
    new["machine"] = machine()
    new["timestamp"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

    results = merge_results(args.out, new)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"results -> {args.out}")
    print_table(results, [k for k in new if k not in ("machine", "timestamp")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
