"""The banner screens: happy paths, what each person sees, and wrong methods. The full
role table is planwatch/tests/test_access.py."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.models import Website
from monitoring.models import BannerSpec, Check, ReferenceImage
from monitoring.services import banners_check, spec_save

from .farm import banner_png


@pytest.fixture
def immediate_queue():
    """Huey runs tasks in the calling thread: nothing reaches the queue in var/."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


@pytest.fixture
def spec(province, officer, farm, monitor_settings):
    return spec_save(actor=officer, province=province, name="Banner Đại hội", targets=[farm.target],
                     keywords=["Đại hội"], interval_minutes=1440, peak_interval_minutes=60, obey_robots=False,
                     render_js=False)


@pytest.fixture
def sites(farm, unit_a, unit_b):
    return (Website.objects.create(unit=unit_a, url=farm.url("linked_image")),
            Website.objects.create(unit=unit_b, url=farm.url("plain")))


def test_spec_page_lists_every_unit_with_evidence(client_for, officer, spec, sites):
    banners_check(spec=spec)
    page = client_for(officer).get(reverse("monitoring:spec", args=[spec.pk])).content.decode()
    assert "Sở Văn hóa, Thể thao và Du lịch" in page and "Sở Tài chính" in page
    assert "Đã treo banner" in page and "Chưa treo banner" in page
    assert "HTTP 200" in page and "Đoạn HTML" in page and "Kiểm tra ngay" in page


def test_reporter_sees_own_units_only(client_for, reporter, spec, sites):
    banners_check(spec=spec)
    page = client_for(reporter).get(reverse("monitoring:spec", args=[spec.pk])).content.decode()
    assert "Sở Văn hóa, Thể thao và Du lịch" in page and "Sở Tài chính" not in page
    assert "Kiểm tra ngay" not in page
    other = sites[1]
    assert client_for(reporter).get(reverse("monitoring:site", args=[spec.pk, other.pk])).status_code == 404


def test_leader_reads_but_cannot_edit(client_for, leader, spec):
    c = client_for(leader)
    assert c.get(reverse("monitoring:spec", args=[spec.pk])).status_code == 200
    assert c.get(reverse("monitoring:spec_edit", args=[spec.pk])).status_code == 403
    assert c.post(reverse("monitoring:check_now", args=[spec.pk])).status_code == 403


def test_other_province_gets_404(client_for, other_officer, spec):
    assert client_for(other_officer).get(reverse("monitoring:spec", args=[spec.pk])).status_code == 404


def test_officer_creates_and_edits_a_spec(client_for, officer, province):
    c = client_for(officer)
    data = {"name": "Banner 80 năm", "targets": "https://baodaknong.vn/chuyen-de/80-nam\nhttps://daknong.gov.vn/80nam",
            "keywords": "80 năm", "interval_minutes": 720, "peak_interval_minutes": 120, "obey_robots": "on",
            "active": "on"}
    r = c.post(reverse("monitoring:spec_new"), data)
    spec = BannerSpec.objects.get()
    assert r.status_code == 302 and spec.targets[1] == "https://daknong.gov.vn/80nam" and spec.province == province
    r = c.post(reverse("monitoring:spec_edit", args=[spec.pk]), {**data, "interval_minutes": 60})
    spec.refresh_from_db()
    assert r.status_code == 302 and spec.interval_minutes == 60
    assert c.post(reverse("monitoring:spec_new"), {**data, "targets": "javascript:alert(1)"}).status_code == 400


def test_reference_image_upload(client_for, officer, spec):
    c = client_for(officer)
    c.post(reverse("monitoring:spec_image", args=[spec.pk]),
           {"image": SimpleUploadedFile("banner.png", banner_png(), content_type="image/png")})
    assert ReferenceImage.objects.filter(spec=spec).count() == 1
    c.post(reverse("monitoring:spec_image", args=[spec.pk]),
           {"image": SimpleUploadedFile("x.png", b"<html>not an image</html>", content_type="image/png")})
    assert ReferenceImage.objects.filter(spec=spec).count() == 1


def test_check_now_runs_a_round(client_for, officer, spec, sites, immediate_queue):
    r = client_for(officer).post(reverse("monitoring:check_now", args=[spec.pk]))
    assert r.status_code == 302
    assert Check.objects.filter(spec=spec).count() == 2


def test_site_history_and_screenshot(client_for, officer, spec, sites):
    banners_check(spec=spec)
    c = client_for(officer)
    page = c.get(reverse("monitoring:site", args=[spec.pk, sites[0].pk])).content.decode()
    assert "Treo banner" in page and "Các lần kiểm tra" in page
    check = Check.objects.get(website=sites[0])
    assert c.get(reverse("monitoring:screenshot", args=[check.pk])).status_code == 404  # static checks have none


def test_wrong_methods(client_for, officer, spec):
    c = client_for(officer)
    assert c.get(reverse("monitoring:check_now", args=[spec.pk])).status_code == 405
    assert c.post(reverse("monitoring:dashboard")).status_code == 405
    assert c.get(reverse("monitoring:spec_image", args=[spec.pk])).status_code == 405


def test_assignment_page_shows_banner_compliance(client_for, reporter, province, unit_a, spec, sites):
    from plans.models import Activity, Assignment, Plan

    plan = Plan.objects.create(province=province, title="Kế hoạch tuyên truyền Đại hội")
    act = Activity.objects.create(plan=plan, position=1, ref="2", title="Treo banner tuyên truyền")
    a = Assignment.objects.create(activity=act, unit=unit_a, role="lead")
    BannerSpec.objects.filter(pk=spec.pk).update(plan=plan)
    banners_check(spec=spec)
    page = client_for(reporter).get(reverse("plans:assignment", args=[a.pk])).content.decode()
    assert "Banner trên trang web của đơn vị" in page and "Đã treo banner" in page
