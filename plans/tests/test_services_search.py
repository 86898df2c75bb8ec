"""search_all (diacritics, every word, permissions) and plan_page_data."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Unit
from plans.models import Activity, Assignment, Plan
from plans.services import plan_import_file, plan_page_data, search_all
from plans.tests.test_services_common import directory, small_plan_bytes  # noqa: F401


@pytest.fixture
def plan(directory, province, officer):
    return plan_import_file(data=small_plan_bytes(), filename="kh.txt", province=province, user=officer)


def refs(result) -> list[str]:
    return [a.ref for a in result["activities"]]


def test_search_ignores_case_and_diacritics_and_needs_every_word(plan, officer):
    for query in ("triển lãm", "TRIEN LAM", "trien   lam anh", "Triển-lãm"):
        assert refs(search_all(user=officer, query=query)) == ["III.1"], query
    assert refs(search_all(user=officer, query="trien lam kinh phi")) == []
    assert [p.pk for p in search_all(user=officer, query="ky niem thanh lap")["plans"]] == [plan.pk]
    assert [p.pk for p in search_all(user=officer, query="12/KH-STTTT")["plans"]] == [plan.pk]
    assert [u.name for u in search_all(user=officer, query="so noi vu")["units"]] == ["Sở Nội vụ"]
    assert search_all(user=officer, query="  ,, ") == {"plans": [], "activities": [], "units": []}
    assert len(search_all(user=officer, query="s", limit=2)["units"]) == 2


def test_search_respects_permissions(plan, province, officer, leader, reporter, other_reporter, other_officer,
                                     outsider, directory):
    # III.3 assigns only unit_a (support); III.2 assigns unit_b (lead) and unit_a
    only_a = plan.activities.get(ref="III.3")
    assert set(only_a.assignments.values_list("unit", flat=True)) == {directory["a"].pk}
    assert refs(search_all(user=reporter, query="dang tai")) == ["III.3"]
    assert refs(search_all(user=other_reporter, query="dang tai")) == []
    assert refs(search_all(user=other_reporter, query="kinh phi")) == ["III.2"]
    assert refs(search_all(user=leader, query="dang tai")) == ["III.3"]
    for user in (other_officer, outsider):
        result = search_all(user=user, query="tuyen truyen")
        assert result["plans"] == [] and result["activities"] == []
    assert search_all(user=other_officer, query="so tai chinh")["units"] == []
    assert [u.name for u in search_all(user=other_reporter, query="so")["units"]] == ["Sở Tài chính"]


def test_plan_page_data_counts_units_and_timeline(plan, officer, reporter):
    data = plan_page_data(plan=plan, today=dt.date(2025, 5, 10))
    assert data["plan"] == plan and data["today"] == dt.date(2025, 5, 10)
    rows = {row["activity"].ref: row for row in data["activities"]}
    assert list(rows) == ["III.1", "III.2", "III.3"]
    first = rows["III.1"]
    assert (first["lead_count"], first["support_count"]) == (1, 2)
    assert first["lead_units"] == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert sorted(first["support_units"]) == ["Sở Nội vụ", "Sở Tài chính"]
    # III.2's deadline (14/4) has passed on 10/5 with both assignments open
    assert rows["III.2"]["overdue_count"] == 2 and rows["III.1"]["overdue_count"] == 0
    assert rows["III.3"]["unresolved"] == 1 and rows["III.1"]["unresolved"] == 0

    timeline = data["timeline"]
    # the plan's window (3–12/2025) is wider than any activity
    assert (timeline["start"], timeline["end"]) == (dt.date(2025, 3, 1), dt.date(2025, 12, 31))
    assert timeline["days"] == 306 and 0 < timeline["today_offset"] < 100
    bar = first["bar"]
    assert bar["offset"] == pytest.approx(31 / 306 * 100, abs=0.01)
    assert bar["width"] == pytest.approx(91 / 306 * 100, abs=0.01)
    assert rows["III.2"]["bar"]["width"] == pytest.approx(1 / 306 * 100, abs=0.01)  # a deadline only
    assert data["peaks"][0]["bar"]["offset"] == pytest.approx(92 / 306 * 100, abs=0.01)
    assert data["diff"] is None

    Assignment.objects.filter(activity__ref="III.2").update(status=Assignment.Status.DONE)
    data = plan_page_data(plan=plan, today=dt.date(2025, 5, 10))
    assert data["activities"][1]["overdue_count"] == 0 and data["activities"][1]["done_count"] == 2

    # a reporter sees only the activities of their unit: all three name unit_a
    assert len(plan_page_data(plan=plan, user=reporter)["activities"]) == 3


def test_plan_page_data_hides_other_units_activities_from_a_reporter(plan, other_reporter):
    assert [row["activity"].ref for row in plan_page_data(plan=plan, user=other_reporter)["activities"]] == [
        "III.1", "III.2"]


def _grow(plan: Plan, activities: int, units: list[Unit]) -> None:
    for i in range(activities):
        act = Activity.objects.create(plan=plan, position=10 + i, ref=f"X.{i}", title=f"Việc {i}",
                                      start=dt.date(2025, 4, 1), end=dt.date(2025, 9, 30))
        Assignment.objects.bulk_create(
            Assignment(activity=act, unit=u, role="lead" if k == 0 else "support") for k, u in enumerate(units)
        )


def test_plan_page_data_uses_a_fixed_number_of_queries(plan, province, officer):
    def queries() -> int:
        fresh = Plan.objects.get(pk=plan.pk)
        with CaptureQueriesContext(connection) as ctx:
            plan_page_data(plan=fresh, user=officer)
        return len(ctx.captured_queries)

    small = queries()
    units = [Unit.objects.create(name=f"Đơn vị {i}", province=province) for i in range(60)]
    _grow(plan, 100, units)
    assert queries() == small
    data = plan_page_data(plan=plan)
    assert len(data["activities"]) == 103 and data["activities"][-1]["support_count"] == 59
