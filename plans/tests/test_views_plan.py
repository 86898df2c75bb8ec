"""The plan page (plans:detail) with its timeline, and the activity page (plans:activity)."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.models import Unit, UnitGroup
from plans.models import Activity, Assignment, Mention, Plan, PlanPeriod
from plans.templatetags.plan_timeline import timeline_layout
from plans.tests.test_views_common import foreign_plan, plan  # noqa: F401  (fixtures)


def detail(p) -> str:
    return reverse("plans:detail", args=[p.pk])


def activity_url(plan, ref) -> str:
    return reverse("plans:activity", args=[plan.activities.get(ref=ref).pk])


def body(response) -> str:
    return response.content.decode()


# --- plan page: who sees what -------------------------------------------------------------


def test_plan_page_needs_login(client, plan):
    r = client.get(detail(plan))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_plan_page_for_officer(client_for, officer, plan, unit_a):
    r = client_for(officer).get(detail(plan))
    html = body(r)
    assert r.status_code == 200
    for text in ("529/KH-UBND", "Ủy ban nhân dân tỉnh Thử", "16/08/2023", "Tỉnh Thử", "Nguyễn Văn Ký",
                 "16/08/2023 – 31/03/2024", "từ nay đến hết tháng 3/2024", "01/12/2023 – 31/03/2024"):
        assert text in html, text
    # the table: every activity, lead and support units, counts
    for ref in ("III.1.1", "III.1.2", "III.2.1"):
        assert activity_url(plan, ref) in html
    assert reverse("directory:unit", args=[unit_a.pk]) in html
    assert "các cơ quan báo chí" in html and 'class="badge unknown"' in html
    row = re.search(r'<tr id="act-%d">.*?</tr>' % plan.activities.get(ref="III.1.1").pk, html, re.S).group(0)
    assert "1/2 hoàn thành" in row and "1 quá hạn" in row
    assert "30/09/2023" in row
    assert "Thay đổi so với" not in html  # no previous version


def test_plan_page_for_leader_is_read_only(client_for, leader, plan):
    html = body(client_for(leader).get(detail(plan)))
    assert "III.1.2" in html and "Bố trí kinh phí" in html


def test_plan_page_shows_reporters_their_units_work_only(client_for, reporter, other_reporter, plan):
    html = body(client_for(reporter).get(detail(plan)))
    assert "Xây dựng đề cương" in html
    assert "Bố trí kinh phí" not in html and "Tuyên truyền trên mạng xã hội" not in html
    row = re.search(r'<tr id="act-%d">.*?</tr>' % plan.activities.get(ref="III.1.1").pk, html, re.S).group(0)
    # unit_b's done support assignment is not the reporter's to see
    assert "0/1 hoàn thành" in row
    # reporters cannot open unit pages, so names are not links
    assert "/directory/units/" not in html

    html = body(client_for(other_reporter).get(detail(plan)))
    assert "Bố trí kinh phí" in html and "Tuyên truyền trên mạng xã hội" not in html


@pytest.mark.parametrize("who", ["other_officer", "outsider"])
def test_plan_page_hidden_from_others(request, client_for, plan, who):
    assert client_for(request.getfixturevalue(who)).get(detail(plan)).status_code == 404


def test_plan_page_missing_plan(client_for, officer, db):
    assert client_for(officer).get(reverse("plans:detail", args=[999999])).status_code == 404


def test_plan_page_wrong_method(client_for, officer, plan):
    assert client_for(officer).post(detail(plan)).status_code == 405


def test_plan_page_lists_changes_from_previous_version(client_for, officer, plan):
    new = Plan.objects.create(
        province=plan.province, number=plan.number, title=plan.title, date=dt.date(2023, 9, 1), previous=plan, version=2
    )
    Activity.objects.create(plan=new, position=1, ref="III.1.1", title="Xây dựng đề cương tuyên truyền",
                            start=dt.date(2023, 8, 16), end=dt.date(2023, 10, 31), deadline=dt.date(2023, 9, 30))
    Activity.objects.create(plan=new, position=2, ref="III.3.1", title="Thi viết về tỉnh")
    html = body(client_for(officer).get(detail(new)))
    assert "Bản 2" in html and "Thay đổi so với bản 1" in html
    assert "Hoạt động mới" in html and "III.3.1" in html
    assert "Hoạt động bỏ đi" in html and "III.1.2, III.2.1" in html
    assert "30/09/2023" in html and "31/10/2023" in html  # end date changed
    assert detail(plan) in html


def test_plan_page_hides_a_previous_version_the_reporter_cannot_see(client_for, reporter, plan, unit_a):
    new = Plan.objects.create(province=plan.province, number=plan.number, title=plan.title, previous=plan, version=2)
    a = Activity.objects.create(plan=new, position=1, ref="1", title="Hoạt động mới")
    Assignment.objects.create(activity=a, unit=unit_a, role="lead")
    plan.activities.get(ref="III.1.1").assignments.all().delete()
    html = body(client_for(reporter).get(detail(new)))
    assert "Thay đổi so với" not in html and detail(plan) not in html


# --- plan page: timeline ----------------------------------------------------------------


def test_timeline_on_the_plan_page(client_for, officer, plan):
    html = body(client_for(officer).get(detail(plan)))
    timeline = html[html.index('id="timeline"'):]
    assert timeline.count('class="tl-bar"') == 2  # III.2.1 has no date
    assert "Chưa có thời gian" in timeline and activity_url(plan, "III.2.1") in timeline
    assert timeline.count('class="tl-peak"') == 1 and timeline.count('class="tl-deadline"') == 2
    for month in ("08/2023", "12/2023", "03/2024"):
        assert f">{month}<" in timeline
    # positions are CSS numbers whatever the language: a decimal dot, never a comma
    positions = re.findall(r"(?:left|width):([^%;\"]+)%", timeline)
    assert positions and all(re.fullmatch(r"\d+\.\d+", p) for p in positions)
    # the plan ended long ago: no line for today, the legend says so
    assert 'class="tl-today"' not in timeline and "ngoài khoảng thời gian này" in timeline


def test_timeline_marks_today_inside_the_plan(client_for, officer, province):
    today = timezone.localdate()
    p = Plan.objects.create(province=province, number="1/KH", title="Kế hoạch năm nay")
    Activity.objects.create(plan=p, position=1, ref="1", title="Đang làm",
                            start=today - dt.timedelta(days=40), end=today + dt.timedelta(days=40))
    html = body(client_for(officer).get(detail(p)))
    assert html.count('class="tl-today"') == 1


def test_timeline_without_any_date(client_for, officer, province):
    p = Plan.objects.create(province=province, number="2/KH", title="Không có ngày")
    Activity.objects.create(plan=p, position=1, ref="1", title="Chưa rõ")
    html = body(client_for(officer).get(detail(p)))
    assert "tl-bar" not in html and "Chưa có thời gian" in html


def _a(start=None, end=None, deadline=None):
    return SimpleNamespace(start=start, end=end, deadline=deadline)


def test_timeline_layout_positions():
    d = dt.date
    layout = timeline_layout(
        [_a(d(2024, 1, 1), d(2024, 1, 31)), _a(deadline=d(2024, 2, 15)), _a(d(2024, 2, 10), d(2024, 2, 1)), _a()],
        [SimpleNamespace(start=d(2024, 2, 1), end=None, text="")],
        today=d(2024, 2, 1),
    )
    first, deadline_only, reversed_ = layout["bars"]
    # January and February 2024 = 60 days; January is 31 of them
    assert (first.left, first.width) == ("0.000", f"{31 / 60 * 100:.3f}")
    assert deadline_only.deadline_left == f"{45 / 60 * 100:.3f}" and float(deadline_only.width) > 0
    assert (reversed_.start, reversed_.end) == (d(2024, 2, 1), d(2024, 2, 10))
    assert [m.label for m in layout["months"]] == ["01/2024", "02/2024"]
    assert layout["peaks"][0].left == f"{31 / 60 * 100:.3f}"
    assert layout["today"] == f"{31 / 60 * 100:.3f}" and len(layout["undated"]) == 1


def test_timeline_layout_labels_quarters_on_long_plans():
    d = dt.date
    layout = timeline_layout([_a(d(2021, 1, 1), d(2025, 12, 31))], [], today=d(2030, 1, 1))
    labels = [m.label for m in layout["months"] if m.label]
    assert len(layout["months"]) == 60 and labels[:3] == ["01/2021", "04/2021", "07/2021"]
    assert layout["today"] is None


# --- plan page: size ------------------------------------------------------------------------


@pytest.fixture
def big_plan(province, unit_a):
    """100 activities × 60 units, each activity naming one group of the 60 and one unit,
    with a previous version of the same size (for the list of changes)."""
    units = Unit.objects.bulk_create(Unit(name=f"UBND xã {i}", kind="ubnd_xa", province=province) for i in range(60))
    group = UnitGroup.objects.create(name="UBND các xã", province=province, kinds=["ubnd_xa"])
    start = dt.date(2024, 1, 1)
    previous = None
    for version in (1, 2):
        p = Plan.objects.create(province=province, number="9/KH", title="Kế hoạch lớn", previous=previous, version=version)
        PlanPeriod.objects.create(plan=p, start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31))
        activities = Activity.objects.bulk_create(
            Activity(plan=p, position=i, ref=f"{i}", title=f"Hoạt động {i} bản {version}",
                     start=start + dt.timedelta(days=i), end=start + dt.timedelta(days=i + 30))
            for i in range(100)
        )
        Mention.objects.bulk_create(
            m for a in activities for m in (
                Mention(activity=a, role="lead", text="Sở Văn hóa", status="unit", unit=unit_a),
                Mention(activity=a, role="support", text="UBND các xã", status="group", group=group),
            )
        )
        Assignment.objects.bulk_create(
            Assignment(activity=a, unit=u, role="support", due=a.end, via_group=group) for a in activities for u in units
        )
        previous = p
    return previous


def test_plan_page_queries_do_not_grow_with_the_plan(client_for, officer, big_plan, django_assert_max_num_queries):
    c = client_for(officer)
    # session, user, plan, peaks, activities, mentions, counts, previous visible, diff (2 per plan)
    with django_assert_max_num_queries(12):
        r = c.get(detail(big_plan))
    html = body(r)
    assert r.status_code == 200
    assert html.count('class="tl-bar"') == 100 and "0/60 hoàn thành" in html


# --- activity page ------------------------------------------------------------------------


def test_activity_page_needs_login(client, plan):
    r = client.get(activity_url(plan, "III.1.1"))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_activity_page_for_officer(client_for, officer, plan, unit_a, unit_b):
    r = client_for(officer).get(activity_url(plan, "III.1.1"))
    html = body(r)
    assert r.status_code == 200
    for text in ("Xây dựng đề cương tuyên truyền", "Đề cương gửi các đơn vị.", "Văn bản", "Tháng 8-9/2023",
                 "16/08/2023", "30/09/2023", "Đề nghị Ban Tuyên giáo"):
        assert text in html, text
    # the source lines 3..5 of the plan, numbered, and nothing else of it
    assert 'id="L3"' in html and 'id="L5"' in html and 'id="L6"' not in html
    assert "Đơn vị phối hợp: Sở Tài chính; các cơ quan báo chí." in html
    assert "Bố trí kinh phí" not in html
    # mentions with their resolution; assignments with unit links, status and overdue mark
    assert 'class="badge unknown"' in html and 'class="badge unit"' in html
    assert reverse("directory:unit", args=[unit_a.pk]) in html and reverse("directory:unit", args=[unit_b.pk]) in html
    main = html.split("<main>", 1)[1]  # the navigation has a "Quá hạn" link of its own
    assert "Hoàn thành" in main and main.count("Quá hạn") == 1


def test_activity_page_for_leader(client_for, leader, plan):
    assert client_for(leader).get(activity_url(plan, "III.1.2")).status_code == 200


def test_activity_page_for_reporter_shows_own_assignments_only(client_for, reporter, plan, unit_a, unit_b):
    c = client_for(reporter)
    html = body(c.get(activity_url(plan, "III.1.1")))
    assignments = html[html.index('class="assignments"'):]
    assert unit_a.name in assignments or unit_a.display_name in assignments
    assert reverse("directory:unit", args=[unit_b.pk]) not in html
    assert c.get(activity_url(plan, "III.1.2")).status_code == 404
    assert c.get(activity_url(plan, "III.2.1")).status_code == 404


@pytest.mark.parametrize("who", ["other_officer", "outsider"])
def test_activity_page_hidden_from_others(request, client_for, plan, who):
    assert client_for(request.getfixturevalue(who)).get(activity_url(plan, "III.1.1")).status_code == 404


def test_activity_page_wrong_method(client_for, officer, plan):
    assert client_for(officer).post(activity_url(plan, "III.1.1")).status_code == 405


def test_activity_page_without_span_or_text(client_for, officer, foreign_plan, other_officer):
    a = foreign_plan.activities.get()
    html = body(client_for(other_officer).get(reverse("plans:activity", args=[a.pk])))
    assert "Văn bản gốc" not in html and "Chưa có phân công." in html
