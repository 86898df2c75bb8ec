"""The demo data (planwatch/demo.py) and `manage.py loaddemo`.

The demo DOCX must read back, through docparse, as exactly the activities written
into them; loaddemo must load them (and the seeds) into the demo directory with every
unit mention resolved, and a second run must change nothing.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

import docparse
from planwatch import demo

ROOT = Path(__file__).resolve().parents[2]
SEEDS = Path(os.environ.get("PLANWATCH_SHARED", ROOT.parent / "shared")).resolve() / "seeds"


@pytest.mark.parametrize("spec", demo.DEMO_PLANS, ids=lambda p: p.layout)
def test_demo_plan_reads_back_as_written(spec):
    plan = docparse.parse(demo.demo_plan_docx(spec), name=spec.filename)

    assert plan.number == spec.number
    assert plan.date == spec.date.isoformat()
    assert plan.issuer == "Ủy ban nhân dân tỉnh Đắk Nông"
    assert plan.title == spec.title and "dữ liệu mẫu" in plan.title
    assert [(p.start, p.end) for p in plan.peaks] == [(spec.peak_start, spec.peak_end)]
    read = [(a.ref, a.title, a.lead, a.support, a.start, a.end, a.deadline) for a in plan.activities]
    written = [
        (spec.ref(i), a.title, list(a.lead), list(a.support), a.start, a.end, a.deadline)
        for i, a in enumerate(spec.activities)
    ]
    assert read == written


def test_demo_plans_use_both_layouts():
    assert {p.layout for p in demo.DEMO_PLANS} == {"outline", "table"}


def test_demo_docx_bytes_are_the_same_on_every_run(tmp_path):
    first = [path.read_bytes() for _, path in demo.demo_documents_write(tmp_path)]
    second = [path.read_bytes() for _, path in demo.demo_documents_write(tmp_path)]
    assert first == second
    assert [demo.demo_plan_docx(p) for p in demo.DEMO_PLANS] == first


@pytest.mark.parametrize(
    "texts, province",
    [
        (("Ủy ban nhân dân tỉnh Kon Tum", None, None), "Kon Tum"),
        ((None, "Đắk Lắk", "Hợp tác truyền thông"), "Đắk Lắk"),
        (("Sở Thông tin và Truyền thông tỉnh Đắk Nông", "Đắk Nông", None), "Đắk Nông"),
        ((None, None, "Truyền thông nhiệm vụ trọng tâm tỉnh Kon Tum năm 2024"), "Kon Tum"),
        ((None, None, None), demo.DEMO_PROVINCE),
    ],
)
def test_seed_province_follows_the_issuer(texts, province):
    assert demo.seed_province_name(*texts) == province


def _counts() -> dict[str, int]:
    from accounts.models import User
    from directory.models import Unit, UnitGroup
    from plans.models import Activity, Assignment, Mention, Plan, PlanImport
    from reporting.models import ReportRequest, Submission

    models = (User, Unit, UnitGroup, Plan, PlanImport, Activity, Mention, Assignment, ReportRequest, Submission)
    return {m.__name__: m.objects.count() for m in models}


def _loaddemo(**options) -> str:
    out = io.StringIO()
    call_command("loaddemo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_loaddemo_loads_accounts_and_plans_and_is_idempotent(settings, tmp_path):
    from accounts.models import User
    from plans.models import Assignment, Mention, Plan

    settings.DATA_DIR = tmp_path
    seeds = SEEDS if SEEDS.is_dir() else None
    output = _loaddemo(seeds=seeds) if seeds else _loaddemo(no_seeds=True)

    assert demo.DEMO_LABEL in output and demo.DEMO_PASSWORD in output
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == sorted(p.filename for p in demo.DEMO_PLANS)

    officer = User.objects.get(username="canbo.daknong")
    assert officer.role == "officer" and officer.is_staff and officer.province.name == demo.DEMO_PROVINCE
    assert officer.check_password(demo.DEMO_PASSWORD)
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="lanhdao.daknong").role == "leader"
    reporter = User.objects.get(username="baodaknong")
    assert reporter.role == "reporter" and [u.name for u in reporter.units.all()] == ["Báo Đắk Nông"]

    demo_plans = Plan.objects.filter(number__in=[p.number for p in demo.DEMO_PLANS], province=officer.province)
    assert demo_plans.count() == len(demo.DEMO_PLANS)
    assert all(p.is_demo for p in Plan.objects.all())
    for spec in demo.DEMO_PLANS:
        plan = demo_plans.get(number=spec.number)
        assert plan.activities.count() == len(spec.activities)
        assert plan.peaks.count() == 1
    # the demo directory knows every unit the demo plans name
    unresolved = Mention.objects.filter(activity__plan__in=demo_plans).exclude(status__in=["unit", "group"])
    assert list(unresolved.values_list("text", flat=True)) == []
    # the reporter of Báo Đắk Nông has work in both demo plans
    assert Assignment.objects.filter(unit__in=reporter.units.all(), activity__plan__in=demo_plans).count() >= 2

    # an open report request with one answer sent and one draft
    from reporting.models import ReportRequest

    request = ReportRequest.objects.get()
    assert request.status == "open" and request.targets.count() >= 10 and demo.DEMO_LABEL in request.title
    assert sorted(request.submissions.values_list("status", flat=True)) == ["draft", "submitted"]

    if seeds:
        assert "Bỏ qua" not in output, output
        provinces = set(Plan.objects.exclude(pk__in=demo_plans).values_list("province__name", flat=True))
        assert provinces == {"Đắk Nông", "Đắk Lắk", "Kon Tum"}

    before = _counts()
    again = _loaddemo(seeds=seeds) if seeds else _loaddemo(no_seeds=True)
    assert _counts() == before
    assert "password unchanged" in again
