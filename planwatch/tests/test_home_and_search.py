"""The home redirect and the search page (planwatch/views.py)."""
import pytest
from django.urls import reverse

from plans.models import Activity, Assignment, Plan


@pytest.fixture
def plans(province, unit_a, unit_b):
    p = Plan.objects.create(province=province, number="66/KH-UBND", title="Tuyên truyền Đắk Nông 20 năm")
    a = Activity.objects.create(plan=p, ref="III.1", title="Đăng tải tin bài về Đắk Nông", position=1)
    Assignment.objects.create(activity=a, unit=unit_a, role="lead")
    p2 = Plan.objects.create(province=province, number="67/KH-UBND", title="Chuyển đổi số Đắk Nông")
    a2 = Activity.objects.create(plan=p2, ref="II.2", title="Hội nghị chuyển đổi số Đắk Nông", position=1)
    Assignment.objects.create(activity=a2, unit=unit_b, role="lead")
    return p, p2


def test_home_sends_anonymous_users_to_login(client, db):
    r = client.get(reverse("home"))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_home_sends_users_to_the_plan_list(client_for, officer):
    r = client_for(officer).get(reverse("home"))
    assert r.status_code == 302 and r["Location"] == reverse("plans:list")


def test_search_needs_login(client, db):
    r = client.get(reverse("search"), {"q": "dak nong"})
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_search_ignores_diacritics(client_for, officer, plans):
    r = client_for(officer).get(reverse("search"), {"q": "dak nong"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "66/KH-UBND" in body and "67/KH-UBND" in body
    assert "Hội nghị chuyển đổi số" in body


def test_search_respects_unit_boundaries(client_for, reporter, plans):
    body = client_for(reporter).get(reverse("search"), {"q": "dak nong"}).content.decode()
    assert "66/KH-UBND" in body
    assert "67/KH-UBND" not in body and "Hội nghị chuyển đổi số" not in body


def test_search_with_hostile_query(client_for, officer, plans):
    for q in ["%", "_", "' OR 1=1 --", "<script>alert(1)</script>", "đ" * 5000]:
        r = client_for(officer).get(reverse("search"), {"q": q})
        assert r.status_code == 200
        assert "<script>alert(1)</script>" not in r.content.decode()


def test_search_and_home_refuse_post(client_for, officer):
    c = client_for(officer)
    assert c.post(reverse("search")).status_code == 405
    assert c.post(reverse("home")).status_code == 405
