"""Dashboards: a plan's units × activities matrix (plans:matrix), its progress chart
(plans:progress_chart, with the history behind it) and the province's overdue list
(plans:overdue)."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from directory.models import Unit
from plans import tracking
from plans.models import Activity, Assignment, Plan, PlanPeriod
from plans.tests.test_tracking_common import mine, plan, theirs  # noqa: F401  (fixtures)
from plans.views_tracking import status_history

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def matrix(p, query: str = "") -> str:
    return reverse("plans:matrix", args=[p.pk]) + query


def chart(p) -> str:
    return reverse("plans:progress_chart", args=[p.pk])


def body(r) -> str:
    return r.content.decode()


def cell_links(html: str) -> set[str]:
    return set(re.findall(r'<a class="m-[^"]*" title="[^"]*" href="([^"]+)"', html))


# --- matrix -----------------------------------------------------------------------------


def test_matrix_for_the_officer(client_for, officer, plan, mine, theirs):
    r = client_for(officer).get(matrix(plan))
    html = body(r)
    assert r.status_code == 200
    assert cell_links(html) == {reverse("plans:assignment", args=[a.pk]) for a in Assignment.objects.all()}
    assert "Sở Văn hóa, Thể thao và Du lịch" in html and "Sở Tài chính" in html
    assert 'class="m-todo m-late"' in html  # unit_a's overdue work
    assert html.count('<a class="m-done"') == 2
    # every activity is a column, III.2.1 without assignments too
    for ref in ("III.1.1", "III.1.2", "III.2.1"):
        assert f">{ref}</a></th>" in html
    # counts: unit_a's row has 1 todo and 1 overdue; the footer totals per status
    row = re.search(r'<tr><th class="unit" title="Sở Văn hóa, Thể thao và Du lịch">.*?</tr>', html, re.S).group(0)
    counts = re.findall(r'<td class="count">(\d*)</td>', row)
    assert counts == ["", "", "1", "", "1"]  # done, in progress, todo, not done, overdue
    totals = dict(re.findall(r'</span> ([^<]+)</th>.*?<td class="count total" colspan="5">(\d+)</td>',
                             html[html.index("<tfoot>"):], re.S))
    assert totals == {"Hoàn thành": "2", "Đang thực hiện": "0", "Chưa thực hiện": "1", "Không thực hiện": "0",
                      "Quá hạn": "1"}
    assert f'src="{chart(plan)}"' in html


def test_matrix_for_the_leader(client_for, leader, plan):
    assert len(cell_links(body(client_for(leader).get(matrix(plan))))) == 3


def test_matrix_shows_reporters_their_units_only(client_for, reporter, plan, mine):
    html = body(client_for(reporter).get(matrix(plan)))
    assert cell_links(html) == {reverse("plans:assignment", args=[mine.pk])}
    assert "Sở Tài chính" not in html and "III.1.2" not in html


@pytest.mark.parametrize("who", ["other_officer", "outsider"])
def test_matrix_hidden_from_others(request, client_for, plan, who):
    c = client_for(request.getfixturevalue(who))
    assert c.get(matrix(plan)).status_code == 404
    assert c.get(chart(plan)).status_code == 404


def test_matrix_needs_login(client, plan):
    for url in (matrix(plan), chart(plan)):
        r = client.get(url)
        assert r.status_code == 302 and reverse("login") in r["Location"]


def test_matrix_wrong_method_and_missing_plan(client_for, officer, plan):
    c = client_for(officer)
    assert c.post(matrix(plan)).status_code == 405 and c.post(chart(plan)).status_code == 405
    assert c.get(reverse("plans:matrix", args=[987654])).status_code == 404
    assert c.get(reverse("plans:progress_chart", args=[987654])).status_code == 404


def test_matrix_filters(client_for, officer, province, plan, mine, theirs):
    district = Unit.objects.create(name="UBND huyện Thử", kind="ubnd_huyen", province=province)
    a3 = plan.activities.get(ref="III.2.1")
    late = Assignment.objects.create(activity=a3, unit=district, role="lead", due=dt.date(2024, 1, 1), status="in_progress")
    c = client_for(officer)
    done = cell_links(body(c.get(matrix(plan, "?status=done"))))
    assert done == {reverse("plans:assignment", args=[a.pk]) for a in Assignment.objects.filter(status="done")}
    html = body(c.get(matrix(plan, "?kind=ubnd_huyen")))
    assert cell_links(html) == {reverse("plans:assignment", args=[late.pk])}
    assert ">III.1.1</a></th>" not in html  # columns without matches are dropped when filtering
    overdue = cell_links(body(c.get(matrix(plan, "?overdue=on"))))
    assert overdue == {reverse("plans:assignment", args=[a.pk]) for a in (mine, late)}
    assert "Không có phân công nào khớp bộ lọc." in body(c.get(matrix(plan, "?status=not_done")))
    # a bad filter value is ignored, not an error
    assert len(cell_links(body(c.get(matrix(plan, "?status=<script>&kind=x"))))) == 4


def test_matrix_marks_peak_activities(client_for, officer, plan):
    html = body(client_for(officer).get(matrix(plan)))
    assert "peak-col" not in html
    PlanPeriod.objects.create(plan=plan, start=dt.date(2023, 9, 1), end=dt.date(2023, 9, 10))
    html = body(client_for(officer).get(matrix(plan)))
    assert html.count('class="act peak-col"') == 1  # III.1.1 (Aug–Sep); III.1.2 is due in October


def big_plan(province, n_units: int, n_activities: int) -> Plan:
    p = Plan.objects.create(province=province, number=f"{n_units}x{n_activities}", title="Kế hoạch lớn")
    units = Unit.objects.bulk_create(
        Unit(name=f"UBND xã Thử {i:03d}", kind="ubnd_xa", province=province) for i in range(n_units)
    )
    acts = Activity.objects.bulk_create(
        Activity(plan=p, position=j, ref=f"{j + 1}", title=f"Hoạt động {j + 1}", deadline=dt.date(2024, 1, 1 + j % 28))
        for j in range(n_activities)
    )
    statuses = Assignment.Status.values
    Assignment.objects.bulk_create(
        Assignment(activity=a, unit=u, role="lead", due=a.deadline, status=statuses[(i + j) % 4])
        for i, u in enumerate(units) for j, a in enumerate(acts)
    )
    return p


def test_matrix_queries_do_not_grow_with_its_size(client_for, officer, province, django_assert_num_queries):
    small, big = big_plan(province, 2, 3), big_plan(province, 60, 100)
    c = client_for(officer)
    c.get(matrix(small))  # warm the session
    with django_assert_num_queries(6) as small_ctx:
        c.get(matrix(small))
    with django_assert_num_queries(len(small_ctx.captured_queries)):
        r = c.get(matrix(big))
    html = body(r)
    assert len(cell_links(html)) == 6000
    assert html.count('<td class="cell">') == 6000


def test_matrix_for_a_reporter_queries_do_not_grow(client_for, province, unit_a, django_assert_max_num_queries):
    from accounts.models import User

    p = big_plan(province, 30, 40)
    rep = User.objects.create_user("baocao.xa", role="reporter")
    rep.units.set(Unit.objects.filter(name__startswith="UBND xã")[:5])
    c = client_for(rep)
    with django_assert_max_num_queries(6):
        html = body(c.get(matrix(p)))
    assert len(cell_links(html)) == 5 * 40


# --- progress over time ---------------------------------------------------------------------


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2024, 1, day, hour, tzinfo=HCM)


def status_event(a: Assignment, when: dt.datetime, old: str, new: str) -> None:
    AuditEvent.objects.create(at=when, action="assignment.status", object_type="assignment", object_id=str(a.pk),
                              before={"status": old}, after={"status": new})


def test_status_history_replays_the_audit_trail(province, unit_a, unit_b):
    p = Plan.objects.create(province=province, title="Kế hoạch")
    act = Activity.objects.create(plan=p, position=1, ref="1", title="Hoạt động")
    a1 = Assignment.objects.create(activity=act, unit=unit_a, role="lead", status="done", created_at=at(1))
    a2 = Assignment.objects.create(activity=act, unit=unit_b, role="support", status="done", created_at=at(2, 23))
    status_event(a1, at(3), "todo", "in_progress")
    status_event(a1, at(5, 0), "in_progress", "done")
    # a resubmission after a return: no change of status
    AuditEvent.objects.create(at=at(5, 1), action="assignment.status", object_type="assignment", object_id=str(a1.pk),
                              before={"status": "done", "review": "returned"}, after={"status": "done", "review": ""})
    other = Plan.objects.create(province=province, title="Khác")
    stray = Assignment.objects.create(activity=Activity.objects.create(plan=other, position=1, ref="1", title="x"),
                                      unit=unit_a, role="lead", created_at=at(1))
    status_event(stray, at(2), "todo", "not_done")

    days, series = status_history(Assignment.objects.filter(activity__plan=p), until=dt.date(2024, 1, 6))
    assert days == [dt.date(2024, 1, d) for d in range(1, 7)]
    assert series == {
        "done": [0, 1, 1, 1, 2, 2],  # a2, imported done, counts from its creation
        "in_progress": [0, 0, 1, 1, 0, 0],
        "todo": [1, 1, 0, 0, 0, 0],
        "not_done": [0] * 6,
    }


def test_status_history_of_nothing(db):
    days, series = status_history(Assignment.objects.none(), until=dt.date(2024, 1, 6))
    assert days == [dt.date(2024, 1, 6)] and all(v == [0] for v in series.values())


def test_progress_chart_is_svg(client_for, officer, reporter, leader, plan, mine):
    tracking.assignment_set_status(assignment=mine, user=reporter, status="in_progress")
    for user in (officer, leader, reporter):
        r = client_for(user).get(chart(plan))
        assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
        assert r["X-Content-Type-Options"] == "nosniff"
        svg = body(r)
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<script" not in svg
        assert "Đang thực hiện" in svg  # the legend, as text


def test_progress_chart_of_a_plan_without_assignments(client_for, officer, province):
    p = Plan.objects.create(province=province, title="Trống")
    r = client_for(officer).get(chart(p))
    assert r.status_code == 200 and "<svg" in body(r)


# --- overdue ----------------------------------------------------------------------------


def overdue(query: str = "") -> str:
    return reverse("plans:overdue") + query


@pytest.fixture
def late_district(province, plan):
    """A district's overdue work in another plan, due 10 days before `plan`'s."""
    district = Unit.objects.create(name="UBND huyện Thử", kind="ubnd_huyen", province=province)
    p = Plan.objects.create(province=province, number="5/KH-UBND", title="Kế hoạch huyện", date=dt.date(2023, 1, 1))
    act = Activity.objects.create(plan=p, position=1, ref="1", title="Treo băng rôn", deadline=dt.date(2023, 9, 20))
    return Assignment.objects.create(activity=act, unit=district, role="lead", due=act.deadline, status="in_progress")


def test_overdue_for_the_officer(client_for, officer, mine, theirs, late_district):
    html = body(client_for(officer).get(overdue()))
    a, b = reverse("plans:assignment", args=[late_district.pk]), reverse("plans:assignment", args=[mine.pk])
    assert a in html and b in html and reverse("plans:assignment", args=[theirs.pk]) not in html
    assert html.index(a) < html.index(b)  # earliest due first
    days = (timezone.localdate() - dt.date(2023, 9, 30)).days
    assert f'<td class="num overdue">{days}</td>' in html and "2 nhiệm vụ quá hạn." in html
    html = body(client_for(officer).get(overdue("?sort=-due")))
    assert html.index(a) > html.index(b)


def test_overdue_filters(client_for, officer, plan, mine, late_district):
    c = client_for(officer)
    a, b = reverse("plans:assignment", args=[late_district.pk]), reverse("plans:assignment", args=[mine.pk])
    html = body(c.get(overdue(f"?plan={plan.pk}")))
    assert b in html and a not in html
    html = body(c.get(overdue("?kind=ubnd_huyen")))
    assert a in html and b not in html
    # the plan choice offers the plans with overdue work only
    assert f'<option value="{late_district.activity.plan_id}"' in html
    html = body(c.get(overdue("?plan=abc")))  # a bad value is ignored
    assert a in html and b in html


def test_overdue_for_the_leader(client_for, leader, mine, late_district):
    assert "2 nhiệm vụ quá hạn." in body(client_for(leader).get(overdue()))


def test_overdue_for_reporters_is_their_units(client_for, reporter, other_reporter, mine, late_district):
    html = body(client_for(reporter).get(overdue()))
    assert reverse("plans:assignment", args=[mine.pk]) in html and "1 nhiệm vụ quá hạn." in html
    html = body(client_for(other_reporter).get(overdue()))
    assert reverse("plans:assignment", args=[mine.pk]) not in html and "Không có nhiệm vụ quá hạn." in html


@pytest.mark.parametrize("who", ["other_officer", "outsider"])
def test_overdue_shows_others_nothing(request, client_for, mine, late_district, who):
    html = body(client_for(request.getfixturevalue(who)).get(overdue()))
    assert "Không có nhiệm vụ quá hạn." in html and "Treo băng rôn" not in html


def test_overdue_needs_login_and_get(client, client_for, officer, db):
    r = client.get(overdue())
    assert r.status_code == 302 and reverse("login") in r["Location"]
    assert client_for(officer).post(overdue()).status_code == 405


def test_closed_work_is_not_overdue(client_for, officer, reporter, mine):
    tracking.assignment_set_status(assignment=mine, user=reporter, status="not_done", reason="Không có kinh phí")
    assert "Không có nhiệm vụ quá hạn." in body(client_for(officer).get(overdue()))
