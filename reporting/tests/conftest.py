"""Fixtures of reporting tests: a plan of `province` with two activities, and an open
report request on it addressed to unit_a and unit_b with one metric of each kind."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone


@pytest.fixture
def plan(province, unit_a, unit_b):
    from plans.models import Activity, Assignment, Plan

    p = Plan.objects.create(province=province, number="35/KH-UBND", title="Tuyên truyền kỷ niệm", date=dt.date(2026, 1, 5))
    banner = Activity.objects.create(plan=p, position=0, ref="II.1", title="Đặt banner trên cổng thông tin")
    news = Activity.objects.create(plan=p, position=1, ref="II.2", title="Đăng tin, bài")
    for act in (banner, news):
        for u in (unit_a, unit_b):
            Assignment.objects.create(activity=act, unit=u, role="lead", due=dt.date(2026, 3, 31))
    return p


@pytest.fixture
def request_open(plan, officer, unit_a, unit_b):
    from reporting.models import Metric, ReportRequest, Target

    req = ReportRequest.objects.create(
        plan=plan, province=plan.province, title="Báo cáo kết quả tuyên truyền", status="open",
        deadline=timezone.now() + dt.timedelta(days=5), created_by=officer,
    )
    kinds = [("count", "Số tin, bài đăng tải", True), ("boolean", "Đã đặt banner", False), ("date", "Ngày đặt banner", False),
             ("text", "Khó khăn, vướng mắc", False), ("urls", "Đường dẫn bài viết", False), ("file", "Tệp báo cáo", False)]
    for i, (kind, label, required) in enumerate(kinds):
        Metric.objects.create(request=req, position=i, label=label, kind=kind, required=required)
    for u in (unit_a, unit_b):
        Target.objects.create(request=req, unit=u)
    return req


def metric(req, kind):
    return req.metrics.get(kind=kind)


@pytest.fixture
def thread_database(transactional_db, tmp_path):
    """What connections opened by other threads use: on PostgreSQL the test database; on
    SQLite a file copy of it, the way a deployment runs it (WAL, busy timeout, IMMEDIATE
    transactions). The test's own in-memory SQLite database is shared-cache, whose table
    locks fail at once ("database table is locked") instead of waiting like a file's.
    Read results back through `in_thread`."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "threads.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    settings_dict = connection.settings_dict  # the dict new connections are made from
    name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = name


def in_thread(function):
    """function() run in a new thread, with its own database connection."""
    out, errors = [], []

    def run():
        try:
            out.append(function())
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not errors, errors
    return out[0]
