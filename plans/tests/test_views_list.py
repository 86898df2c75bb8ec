"""The plan list (plans:list) and the upload form (plans:upload)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Plan, PlanImport
from plans.tests.test_views_common import foreign_plan, pending_import, plan  # noqa: F401  (fixtures)

LIST = reverse("plans:list")
UPLOAD = reverse("plans:upload")


def body(response) -> str:
    return response.content.decode()


# --- list -------------------------------------------------------------------------------


def test_list_needs_login(client, db):
    r = client.get(LIST)
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_list_for_officer(client_for, officer, plan, foreign_plan, pending_import):
    PlanImport.objects.create(
        province=plan.province, filename="da-xac-nhan.docx", sha256="2" * 64, status=PlanImport.Status.CONFIRMED
    )
    r = client_for(officer).get(LIST)
    html = body(r)
    assert r.status_code == 200
    assert "529/KH-UBND" in html and "16/08/2023" in html and "Ủy ban nhân dân tỉnh Thử" in html
    assert reverse("plans:detail", args=[plan.pk]) in html
    assert "<td>3</td>" in html  # activities
    assert "Bản 1" in html
    assert "77/KH-UBND" not in html
    # officers are offered the upload and their province's imports under review only
    assert f'href="{UPLOAD}"' in html
    assert reverse("plans:review", args=[pending_import.pk]) in html and "ke-hoach-12.txt" in html
    assert "da-xac-nhan.docx" not in html


def test_list_newest_first_with_demo_label(client_for, leader, plan):
    newer = Plan.objects.create(province=plan.province, number="600/KH-UBND", title="Kế hoạch mẫu", date=dt.date(2024, 5, 1), is_demo=True)
    html = body(client_for(leader).get(LIST))
    assert html.index(newer.number) < html.index(plan.number)
    assert html.count("Dữ liệu mẫu") == 1


def test_list_for_leader_has_no_upload_or_imports(client_for, leader, plan, pending_import):
    html = body(client_for(leader).get(LIST))
    assert "529/KH-UBND" in html
    assert f'href="{UPLOAD}"' not in html.split("<main>")[1]
    assert "ke-hoach-12.txt" not in html


def test_list_for_reporters_only_plans_with_their_units(client_for, reporter, outsider, plan, foreign_plan):
    html = body(client_for(reporter).get(LIST))
    assert "529/KH-UBND" in html and "77/KH-UBND" not in html
    # the count is the plan's, not the reporter's share of it
    assert "<td>3</td>" in html


def test_list_for_outsider_is_empty(client_for, outsider, plan):
    html = body(client_for(outsider).get(LIST))
    assert "529/KH-UBND" not in html and "Chưa có kế hoạch nào." in html


def test_list_for_other_officer(client_for, other_officer, plan, foreign_plan):
    html = body(client_for(other_officer).get(LIST))
    assert "77/KH-UBND" in html and "529/KH-UBND" not in html


def test_list_filter_ignores_diacritics(client_for, officer, plan):
    Plan.objects.create(province=plan.province, number="67/KH-UBND", title="Chuyển đổi số", date=dt.date(2024, 1, 1))
    html = body(client_for(officer).get(LIST, {"q": "tai lap"}))
    assert "529/KH-UBND" in html and "67/KH-UBND" not in html
    html = body(client_for(officer).get(LIST, {"q": "TÁI LẬP 529"}))  # every word, in any order
    assert "529/KH-UBND" in html and "67/KH-UBND" not in html
    html = body(client_for(officer).get(LIST, {"q": "không có gì"}))
    assert "Không có kế hoạch nào khớp." in html


@pytest.mark.parametrize("q", ["%", "_", "' OR 1=1 --", "<script>alert(1)</script>", "đ" * 500])
def test_list_filter_with_hostile_query(client_for, officer, plan, q):
    r = client_for(officer).get(LIST, {"q": q})
    assert r.status_code == 200 and "<script>alert(1)</script>" not in body(r)


def test_list_pages(client_for, officer, province):
    Plan.objects.bulk_create(
        Plan(province=province, number=f"{i}/KH", title=f"Kế hoạch {i}", date=dt.date(2024, 1, 1) + dt.timedelta(days=i))
        for i in range(60)
    )
    c = client_for(officer)
    assert "Trang 1/2" in body(c.get(LIST))
    assert "Trang 2/2" in body(c.get(LIST, {"page": 2}))
    assert c.get(LIST, {"page": "x"}).status_code == 200


def test_list_wrong_method(client_for, officer):
    assert client_for(officer).post(LIST).status_code == 405


# --- upload -----------------------------------------------------------------------------


def test_upload_needs_login(client, db):
    r = client.get(UPLOAD)
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_upload_form_for_officer(client_for, officer):
    r = client_for(officer).get(UPLOAD)
    html = body(r)
    assert r.status_code == 200
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html and 'name="file"' in html


@pytest.mark.parametrize("who", ["leader", "reporter", "outsider"])
def test_upload_refused_to_non_officers(request, client_for, who):
    c = client_for(request.getfixturevalue(who))
    assert c.get(UPLOAD).status_code == 403
    assert c.post(UPLOAD, {"file": SimpleUploadedFile("a.txt", b"x")}).status_code == 403


def test_upload_wrong_method(client_for, officer):
    c = client_for(officer)
    assert c.put(UPLOAD).status_code == 405
    assert c.delete(UPLOAD).status_code == 405


def test_upload_without_file_shows_the_form_again(client_for, officer):
    r = client_for(officer).post(UPLOAD, {})
    assert r.status_code == 400 and "errorlist" in body(r)
    assert not PlanImport.objects.exists()


def test_upload_of_a_text_that_is_no_plan_shows_the_service_message(client_for, officer):
    f = SimpleUploadedFile("thu-moi.txt", "Kính mời các đồng chí dự họp.".encode())
    r = client_for(officer).post(UPLOAD, {"file": f})
    assert r.status_code == 400
    assert "không tìm thấy hoạt động nào" in body(r)
    assert not PlanImport.objects.exists()


def test_upload_over_the_size_limit_is_refused_before_reading(client_for, officer, settings):
    settings.PLAN_UPLOAD_MAX_BYTES = 1000
    r = client_for(officer).post(UPLOAD, {"file": SimpleUploadedFile("lon.txt", b"x" * 2000)})
    assert r.status_code == 400 and "Tệp quá lớn" in body(r)
    assert not PlanImport.objects.exists()
