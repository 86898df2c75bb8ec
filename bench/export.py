"""Export benchmark: `export_3000x30_s`, the time to aggregate a report request to
3,000 units with 30 count metrics, all submitted, and to build both its DOCX report and
its XLSX workbook in memory (one aggregation shared by both, as reporting.exports
builds them: the chart, the tables of every unit included). Median of N runs after one
warm-up; wall clock (time.perf_counter).

The rows are written with bulk_create into the database Django is set up with: bench/run.py
sets up a fresh SQLite in a temporary PLANWATCH_DATA_DIR first. Standalone:

    python bench/export.py              # its own temporary data directory

Also reports the parts: export_aggregate_s, export_docx_s, export_xlsx_s (medians), the
sizes of the files, and export_3000x30_cpu_s, the process CPU time of the same work (the
wall clock grows when other processes share the two cores; the CPU time hardly does).
"""
from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UNITS = 3000
METRICS = 30
DISTRICTS = 15  # the units are communes spread over these districts, plus departments


def bench_data(*, units: int = UNITS, metrics: int = METRICS):
    """A province, its districts, `units` target units and a request with `metrics`
    count metrics that every unit has submitted. Returns the ReportRequest."""
    from django.utils import timezone

    from directory.models import Province, Unit
    from planwatch.lib.text import fold
    from plans.models import Plan
    from reporting.models import Metric, ReportRequest, Submission, Target

    province = Province.objects.create(name="Tỉnh Đo Xuất", code=f"tinh-do-xuat-{time.time_ns()}")

    def unit(name: str, kind: str, parent=None) -> Unit:
        return Unit(name=name, kind=kind, parent=parent, province=province, search_key=fold(name))

    districts = Unit.objects.bulk_create(unit(f"Ủy ban nhân dân huyện Đo Lường {i:02d}", "ubnd_huyen")
                                         for i in range(DISTRICTS))
    departments = units // 10
    members = Unit.objects.bulk_create(
        [unit(f"Sở Đo lường và Thử nghiệm số {i:04d}", "so_nganh") for i in range(departments)]
        + [unit(f"Ủy ban nhân dân xã Thử Nghiệm {i:04d}", "ubnd_xa", districts[i % DISTRICTS])
           for i in range(units - departments)]
    )
    plan = Plan.objects.create(province=province, number="999/KH-UBND", issuer="Ủy ban nhân dân tỉnh Đo Xuất",
                               title="Kế hoạch đo hiệu năng xuất báo cáo", date=dt.date(2025, 1, 10), place="Đo Xuất")
    deadline = timezone.make_aware(dt.datetime(2025, 3, 31, 17, 0))
    request = ReportRequest.objects.create(plan=plan, province=province, status="open", deadline=deadline,
                                           title="Báo cáo kết quả tuyên truyền (đo hiệu năng)")
    keys = [m.key for m in Metric.objects.bulk_create(
        Metric(request=request, position=i, kind="count", label=f"Số tin, bài đăng tải theo chủ đề số {i + 1}")
        for i in range(metrics)
    )]
    Target.objects.bulk_create(Target(request=request, unit=u) for u in members)
    sent = deadline - dt.timedelta(days=2)
    Submission.objects.bulk_create(
        Submission(request=request, unit=u, status="submitted", values={k: (n + j) % 50 for j, k in enumerate(keys)},
                   submitted_at=sent, first_submitted_at=sent, is_late=n % 20 == 0)
        for n, u in enumerate(members)
    )
    return request


def bench_export(*, rounds: int = 3, units: int = UNITS, metrics: int = METRICS) -> dict:
    """{"export_3000x30_s": seconds, ...} (see the module docstring). Django must be set
    up on a migrated database; the rows it writes are left there."""
    from reporting.aggregate import request_aggregate
    from reporting.exports import report_document, workbook_bytes
    from reporting.models import Export

    request = bench_data(units=units, metrics=metrics)
    export = Export(kind="docx", request=request, params={
        "parent_body": "UBND tỉnh Đo Xuất", "issuer": "Sở Văn hóa, Thể thao và Du lịch", "symbol": "BC-SVHTTDL",
        "signer": {"authority": "KT. GIÁM ĐỐC", "position": "PHÓ GIÁM ĐỐC", "name": "Nguyễn Văn Đo"},
    })
    totals, cpu, parts = [], [], {"aggregate": [], "docx": [], "xlsx": []}
    for n in range(rounds + 1):  # the first is the warm-up (imports, matplotlib fonts)
        c0 = time.process_time()
        t0 = time.perf_counter()
        agg = request_aggregate(request=request)
        t1 = time.perf_counter()
        docx = report_document(export, agg).to_bytes()
        t2 = time.perf_counter()
        xlsx = workbook_bytes(request=request, agg=agg)
        t3 = time.perf_counter()
        c3 = time.process_time()
        if n:
            totals.append(t3 - t0)
            cpu.append(c3 - c0)
            parts["aggregate"].append(t1 - t0)
            parts["docx"].append(t2 - t1)
            parts["xlsx"].append(t3 - t2)
    if agg.sent != units or [t.answered for t in agg.totals] != [units] * metrics:
        raise RuntimeError(f"aggregated {agg.sent} submissions, expected {units}")
    return {
        f"export_{units}x{metrics}_s": round(statistics.median(totals), 3),
        f"export_{units}x{metrics}_cpu_s": round(statistics.median(cpu), 3),
        "export_aggregate_s": round(statistics.median(parts["aggregate"]), 3),
        "export_docx_s": round(statistics.median(parts["docx"]), 3),
        "export_xlsx_s": round(statistics.median(parts["xlsx"]), 3),
        "export_docx_kb": round(len(docx) / 1024, 1),
        "export_xlsx_kb": round(len(xlsx) / 1024, 1),
    }


if __name__ == "__main__":
    from bench.run import django_setup

    with tempfile.TemporaryDirectory(prefix="planwatch-bench-") as tmp:
        django_setup(Path(tmp) / "data")
        for key, value in bench_export().items():
            print(f"  {key:<20}  {value}")
