"""The audit log (audit:list): who sees which events, the filters and the pages."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from audit.views import EVENTS_PER_PAGE
from plans import tracking
from plans.models import Activity, Assignment
from plans.tests.test_tracking_common import mine, plan, theirs  # noqa: F401  (fixtures)

URL = reverse("audit:list")
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def body(r) -> str:
    return r.content.decode()


@pytest.fixture
def trail(mine, theirs, reporter, other_reporter, officer, other_officer, foreign_assignment):
    """One event on unit_a's work, one on unit_b's, one in the other province."""
    tracking.assignment_add_note(assignment=mine, user=reporter, body="Ghi chú của đơn vị A")
    tracking.assignment_comment(assignment=theirs, user=other_reporter, body="Trao đổi của đơn vị B")
    tracking.assignment_comment(assignment=foreign_assignment, user=other_officer, body="Việc của tỉnh khác")


@pytest.fixture
def foreign_assignment(other_province):
    from directory.models import Unit
    from plans.models import Plan

    p = Plan.objects.create(province=other_province, number="77/KH-UBND", title="Kế hoạch của tỉnh khác")
    act = Activity.objects.create(plan=p, position=1, ref="1", title="Hoạt động tỉnh khác")
    unit = Unit.objects.create(name="Sở của tỉnh khác", kind="so_nganh", province=other_province)
    return Assignment.objects.create(activity=act, unit=unit, role="lead")


def test_needs_login(client, db):
    r = client.get(URL)
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_get_only(client_for, officer):
    assert client_for(officer).post(URL).status_code == 405


@pytest.mark.parametrize("who, sees", [
    ("officer", {"A", "B"}),
    ("leader", {"A", "B"}),
    ("reporter", {"A"}),
    ("other_reporter", {"B"}),
    ("other_officer", {"other"}),
    ("outsider", set()),
])
def test_who_sees_what(request, client_for, trail, who, sees):
    html = body(client_for(request.getfixturevalue(who)).get(URL))
    texts = {"A": "Ghi chú của đơn vị A", "B": "Trao đổi của đơn vị B", "other": "Việc của tỉnh khác"}
    assert {k for k, text in texts.items() if text in html} == sees
    if not sees:
        assert "Không có sự kiện nào." in html


def test_events_link_their_assignment(client_for, officer, trail, mine):
    html = body(client_for(officer).get(URL))
    assert reverse("plans:assignment", args=[mine.pk]) in html
    assert "Ghi tiến độ" in html and "Trao đổi" in html and "Phân công #" in html


def test_status_changes_show_before_and_after(client_for, officer, reporter, mine):
    tracking.assignment_set_status(assignment=mine, user=reporter, status="in_progress")
    html = body(client_for(officer).get(URL))
    assert "<del>Chưa thực hiện</del> → <ins>Đang thực hiện</ins>" in html and "baocao.a" in html


def test_filter_by_type_unit_and_object(client_for, officer, trail, mine, theirs, unit_a, province):
    audit_record(actor=officer, action="province.touch", obj=province, province=province)
    c = client_for(officer)
    html = body(c.get(URL + "?type=assignment"))
    assert "Ghi chú của đơn vị A" in html and "province.touch" not in html
    html = body(c.get(URL + "?type=province"))
    assert "province.touch" in html and "Ghi chú của đơn vị A" not in html
    html = body(c.get(URL + f"?unit={unit_a.pk}"))
    assert "Ghi chú của đơn vị A" in html and "Trao đổi của đơn vị B" not in html
    html = body(c.get(URL + f"?type=assignment&id={theirs.pk}"))
    assert "Trao đổi của đơn vị B" in html and "Ghi chú của đơn vị A" not in html


def test_unit_filter_offers_visible_units_only(client_for, reporter, other_reporter, trail, unit_a, unit_b):
    html = body(client_for(reporter).get(URL))
    assert f'<option value="{unit_a.pk}"' in html and f'<option value="{unit_b.pk}"' not in html
    # asking for another unit's events shows nothing of them
    html = body(client_for(reporter).get(URL + f"?unit={unit_b.pk}"))
    assert "Trao đổi của đơn vị B" not in html and "Bộ lọc không hợp lệ" in html


def test_filter_by_date(client_for, officer, trail, mine):
    old = AuditEvent.objects.get(after__body="Ghi chú của đơn vị A")
    old.at = dt.datetime(2024, 3, 10, 23, 30, tzinfo=HCM)  # 16:30 UTC: the local date counts
    old.save()
    c = client_for(officer)
    html = body(c.get(URL + "?since=2024-03-10&until=2024-03-10"))
    assert "Ghi chú của đơn vị A" in html and "Trao đổi của đơn vị B" not in html
    html = body(c.get(URL + "?since=2024-03-11"))
    assert "Ghi chú của đơn vị A" not in html and "Trao đổi của đơn vị B" in html


@pytest.mark.parametrize("query", ["?since=not-a-date", "?unit=abc", "?type=<script>", "?id=" + "9" * 100, "?page=-1"])
def test_hostile_filters(client_for, officer, trail, query):
    r = client_for(officer).get(URL + query)
    assert r.status_code == 200 and "<script>" not in body(r)[body(r).index("<main>"):]


def test_pages(client_for, officer, reporter, mine):
    for i in range(EVENTS_PER_PAGE + 5):
        tracking.assignment_add_note(assignment=mine, user=reporter, body=f"Ghi chú số {i:03d}")
    c = client_for(officer)
    html = body(c.get(URL))
    assert "Ghi chú số 054" in html and "Ghi chú số 004" not in html  # newest first
    assert "Trang 1/2" in html and "page=2" in html
    html = body(c.get(URL + "?type=assignment&page=2"))
    assert "Ghi chú số 004" in html and "Ghi chú số 005" not in html and "type=assignment&amp;page=1" in html
