"""A unit's page: its details, and its assignments overdue first, per role."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.models import Alias, Succession, Unit, Website
from plans.models import Activity, Assignment, Plan


def url(unit) -> str:
    return reverse("directory:unit", args=[unit.pk])


@pytest.fixture
def work(province, other_province, unit_a, unit_b):
    """Assignments of unit_a in two plans of `province`, and one in a plan of another
    province (invisible to the officer of `province`)."""
    today = timezone.localdate()
    plan = Plan.objects.create(province=province, number="529/KH-UBND", title="Kế hoạch thông tin, tuyên truyền")
    other = Plan.objects.create(province=other_province, number="7/KH-UBND", title="Kế hoạch tỉnh khác")
    rows = {}
    for ref, due, status in [
        ("1.1", today + dt.timedelta(days=30), "todo"),  # due later
        ("1.2", today - dt.timedelta(days=10), "in_progress"),  # overdue
        ("1.3", today - dt.timedelta(days=40), "done"),  # past due but done: not overdue
        ("1.4", None, "todo"),  # no due date: last
        ("1.5", today + dt.timedelta(days=2), "todo"),  # due soon
        ("1.6", today - dt.timedelta(days=3), "todo"),  # overdue, more recent
    ]:
        activity = Activity.objects.create(plan=plan, ref=ref, title=f"Hoạt động {ref}", position=int(ref[-1]))
        rows[ref] = Assignment.objects.create(activity=activity, unit=unit_a, role="lead", due=due, status=status)
    theirs = Activity.objects.create(plan=other, ref="9", title="Hoạt động của tỉnh khác")
    Assignment.objects.create(activity=theirs, unit=unit_a, role="support")
    mine_b = Activity.objects.create(plan=plan, ref="2.1", title="Việc của Sở Tài chính")
    Assignment.objects.create(activity=mine_b, unit=unit_b, role="lead")
    return rows


def test_anonymous_goes_to_login(client, unit_a):
    response = client.get(url(unit_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_method(client_for, officer, unit_a):
    assert client_for(officer).post(url(unit_a)).status_code == 405


def test_assignments_overdue_first_then_by_due(client_for, officer, unit_a, work):
    response = client_for(officer).get(url(unit_a))
    assert response.status_code == 200
    refs = [a.activity.ref for a in response.context["page"]]
    assert refs == ["1.2", "1.6", "1.3", "1.5", "1.1", "1.4"]
    overdue = [a.activity.ref for a in response.context["page"] if a.overdue == 0]
    assert overdue == ["1.2", "1.6"]
    assert [a.is_overdue() for a in response.context["page"]][:2] == [True, True]
    html = response.content.decode()
    plan = work["1.1"].activity.plan
    assert reverse("plans:detail", args=[plan.pk]) in html
    assert reverse("plans:activity", args=[work["1.2"].activity.pk]) in html
    assert "Hoạt động của tỉnh khác" not in html  # another province's plan
    assert "Việc của Sở Tài chính" not in html  # another unit's assignment
    # dates are written dd/mm/yyyy
    assert (timezone.localdate() - dt.timedelta(days=10)).strftime("%d/%m/%Y") in html


def test_details(client_for, officer, province, unit_a):
    parent = Unit.objects.create(name="Ủy ban nhân dân tỉnh Thử", province=province)
    unit_a.parent = parent
    unit_a.valid_to = dt.date(2025, 6, 30)
    unit_a.is_demo = True
    unit_a.save()
    Alias.objects.create(text="Sở VHTTDL", unit=unit_a)
    Website.objects.create(unit=unit_a, url="https://svhttdl.thu.gov.vn", is_demo=True)
    successor = Unit.objects.create(name="Sở Văn hóa và Thể thao", province=province)
    Succession.objects.create(predecessor=unit_a, successor=successor, effective=dt.date(2025, 7, 1), kind="renamed")
    html = client_for(officer).get(url(unit_a)).content.decode()
    for text in ("Sở VHTTDL", "https://svhttdl.thu.gov.vn", "Ủy ban nhân dân tỉnh Thử", "30/06/2025", "01/07/2025",
                 "Sở Văn hóa và Thể thao", "Dữ liệu mẫu", "Đổi tên"):
        assert text in html, text
    assert reverse("directory:unit", args=[successor.pk]) in html


@pytest.mark.parametrize("person, status", [
    ("officer", 200), ("leader", 200), ("reporter", 200),
    ("other_reporter", 404), ("other_officer", 404), ("outsider", 404),
])
def test_who_may_open_unit_a(client_for, unit_a, request, person, status):
    assert client_for(request.getfixturevalue(person)).get(url(unit_a)).status_code == status


def test_reporter_sees_own_assignments(client_for, reporter, unit_a, work):
    response = client_for(reporter).get(url(unit_a))
    refs = {a.activity.ref for a in response.context["page"]}
    assert refs == {"1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "9"}


def test_missing_unit(client_for, officer, db):
    assert client_for(officer).get(reverse("directory:unit", args=[999999])).status_code == 404
