"""The banner screens: happy paths, what each person sees, and wrong methods. The full
role table is planwatch/tests/test_access.py."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.models import Website
from monitoring.farm import banner_png
from monitoring.models import BannerSpec, Check, ReferenceImage
from monitoring.services import banners_check, spec_save


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


def test_check_now_for_the_units_picked(client_for, officer, spec, sites, immediate_queue):
    c = client_for(officer)
    r = c.post(reverse("monitoring:check_now", args=[spec.pk]), {"scope": "units", "unit": [sites[0].unit_id]})
    assert r.status_code == 302 and r["Location"] == reverse("monitoring:spec", args=[spec.pk])
    assert list(Check.objects.values_list("website", flat=True)) == [sites[0].pk]
    page = c.get(r["Location"]).content.decode()
    assert "Đã kiểm tra 1 trang." in page
    # two units at once
    c.post(reverse("monitoring:check_now", args=[spec.pk]),
           {"scope": "units", "unit": [sites[0].unit_id, sites[1].unit_id]})
    assert Check.objects.count() == 3


def test_check_now_with_no_unit_picked_checks_nothing(client_for, officer, spec, sites, immediate_queue):
    c = client_for(officer)
    r = c.post(reverse("monitoring:check_now", args=[spec.pk]), {"scope": "units"})
    assert r.status_code == 302 and Check.objects.count() == 0
    assert "Chưa chọn đơn vị nào" in c.get(r["Location"]).content.decode()


def test_check_now_refuses_units_not_visible(client_for, officer, spec, sites, other_province, immediate_queue):
    from directory.models import Unit

    elsewhere = Unit.objects.create(name="Sở Tài chính tỉnh Khác", kind="so_nganh", province=other_province)
    c = client_for(officer)
    url = reverse("monitoring:check_now", args=[spec.pk])
    assert c.post(url, {"scope": "units", "unit": [sites[0].unit_id, elsewhere.pk]}).status_code == 404
    assert c.post(url, {"scope": "units", "unit": ["x"]}).status_code == 404
    assert Check.objects.count() == 0


def test_check_now_from_the_site_page_goes_back_there(client_for, officer, spec, sites, immediate_queue):
    site = sites[1]
    r = client_for(officer).post(reverse("monitoring:check_now", args=[spec.pk]),
                                 {"unit": site.unit_id, "website": site.pk})
    assert r["Location"] == reverse("monitoring:site", args=[spec.pk, site.pk])
    assert list(Check.objects.values_list("website", flat=True)) == [site.pk]


def test_officer_sets_the_page_to_check(client_for, officer, spec, sites, farm, immediate_queue):
    from audit.models import AuditEvent
    from monitoring.models import SiteSpec

    c = client_for(officer)
    site = sites[1]  # its home page has no banner; the page set here does
    page_url = farm.url("text_link")
    r = c.post(reverse("monitoring:site_page", args=[spec.pk, site.pk]), {"page_url": page_url, "enabled": "on"})
    assert r.status_code == 302
    assert SiteSpec.objects.get(spec=spec, website=site).page_url == page_url
    event = AuditEvent.objects.get(action="banner_spec.site_update")
    assert event.unit_id == site.unit_id and event.after["page_url"] == page_url and event.before["page_url"] == ""
    page = c.get(reverse("monitoring:site", args=[spec.pk, site.pk])).content.decode()
    assert page_url in page and "Đã lưu trang cần kiểm tra" in page
    assert page_url in c.get(reverse("monitoring:spec", args=[spec.pk])).content.decode()
    c.post(reverse("monitoring:check_now", args=[spec.pk]), {"scope": "units", "unit": [site.unit_id]})
    check = Check.objects.get(website=site)
    assert (check.verdict, check.page_url) == ("present", page_url)
    # saving the same values again records nothing; blank goes back to the home page
    c.post(reverse("monitoring:site_page", args=[spec.pk, site.pk]), {"page_url": page_url, "enabled": "on"})
    assert AuditEvent.objects.filter(action="banner_spec.site_update").count() == 1
    c.post(reverse("monitoring:site_page", args=[spec.pk, site.pk]), {"page_url": "", "enabled": "on"})
    assert SiteSpec.objects.get(spec=spec, website=site).page_url == ""


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://daknong.gov.vn/", "http://user:pw@daknong.gov.vn/",
                                 "daknong.gov.vn/trang", "https://", "http://daknong.gov.vn:99999/",
                                 "https://daknong.gov.vn/" + "x" * 600])
def test_page_to_check_must_be_an_http_url(client_for, officer, spec, sites, bad):
    from monitoring.models import SiteSpec

    r = client_for(officer).post(reverse("monitoring:site_page", args=[spec.pk, sites[0].pk]),
                                 {"page_url": bad, "enabled": "on"})
    assert r.status_code == 400 and "http://" in r.content.decode()
    assert not SiteSpec.objects.exists()


def test_a_site_can_be_left_out(client_for, officer, spec, sites, immediate_queue):
    c = client_for(officer)
    c.post(reverse("monitoring:site_page", args=[spec.pk, sites[1].pk]), {"page_url": ""})
    c.post(reverse("monitoring:check_now", args=[spec.pk]))
    assert list(Check.objects.values_list("website", flat=True)) == [sites[0].pk]
    assert "Không kiểm tra trang web này" in c.get(reverse("monitoring:spec", args=[spec.pk])).content.decode()


def test_who_may_set_the_page_to_check(client_for, officer, leader, reporter, other_officer, spec, sites):
    url = reverse("monitoring:site_page", args=[spec.pk, sites[0].pk])
    data = {"page_url": "https://svhttdl.daknong.gov.vn/banner", "enabled": "on"}
    assert client_for(leader).post(url, data).status_code == 403
    assert client_for(reporter).post(url, data).status_code == 404  # their own unit's site, but reporters do not edit
    assert client_for(other_officer).post(url, data).status_code == 404
    assert client_for(officer).get(url).status_code == 405
    page = client_for(reporter).get(reverse("monitoring:site", args=[spec.pk, sites[0].pk])).content.decode()
    assert 'id="page-form"' not in page and "Kiểm tra ngay" not in page


def test_spec_page_lists_sites_not_checked_yet(client_for, officer, spec, sites):
    page = client_for(officer).get(reverse("monitoring:spec", args=[spec.pk])).content.decode()
    for site in sites:
        assert reverse("monitoring:site", args=[spec.pk, site.pk]) in page
    assert "Chưa kiểm tra" in page and 'name="unit"' in page


def test_dashboard_counts_the_units_the_user_may_see(client_for, officer, reporter, spec, sites):
    banners_check(spec=spec)
    row = BannerSpec.objects.get(pk=spec.pk)
    assert row.states.count() == 2
    officer_page = client_for(officer).get(reverse("monitoring:dashboard")).content.decode()
    assert "<td>1</td><td>1</td><td>0</td>" in officer_page  # present, absent, failed
    reporter_page = client_for(reporter).get(reverse("monitoring:dashboard")).content.decode()
    assert "<td>1</td><td>0</td><td>0</td>" in reporter_page  # unit A only


def test_evidence_links_only_http_addresses(client_for, officer, spec, sites, farm):
    """A site that redirects to javascript: or sets <base href="javascript:..."> leaves
    its http(s) address as the final URL; an address of another scheme stored by an
    older version is shown as text, never as a link."""
    Website.objects.filter(pk=sites[0].pk).update(url=farm.url("javascript_redirect"))
    Website.objects.filter(pk=sites[1].pk).update(url=farm.url("base_javascript"))
    banners_check(spec=spec)
    finals = dict(Check.objects.values_list("website_id", "final_url"))
    assert finals == {sites[0].pk: farm.url("javascript_redirect"), sites[1].pk: farm.url("base_javascript")}
    check = Check.objects.get(website=sites[0])
    Check.objects.filter(pk=check.pk).update(final_url="javascript:alert(document.cookie)")
    c = client_for(officer)
    for url in (reverse("monitoring:site", args=[spec.pk, sites[0].pk]), reverse("monitoring:spec", args=[spec.pk])):
        page = c.get(url).content.decode()
        assert "javascript:alert(document.cookie)" in page  # shown, as text
        assert 'href="javascript:' not in page.replace("&#x27;", "'")
        assert f'href="{farm.url("base_javascript")}"' in page or url.endswith(f"/site/{sites[0].pk}/")


def test_dashboard_of_one_plan_and_the_links_to_it(client_for, officer, reporter, other_officer, province, spec):
    from plans.models import Plan

    plan = Plan.objects.create(province=province, number="7/KH-UBND", title="Kế hoạch tuyên truyền Đại hội")
    other = spec_save(actor=officer, province=province, plan=plan, name="Banner của kế hoạch", targets=[spec.targets[0]],
                      keywords=[], interval_minutes=60, peak_interval_minutes=30, obey_robots=False, render_js=False)
    c = client_for(officer)
    page = c.get(reverse("monitoring:dashboard"), {"plan": plan.pk}).content.decode()
    assert other.name in page and spec.name not in page and "7/KH-UBND" in page
    assert c.get(reverse("monitoring:dashboard"), {"plan": "x"}).status_code == 404
    plan_page = c.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert f'{reverse("monitoring:dashboard")}?plan={plan.pk}' in plan_page
    assert client_for(other_officer).get(reverse("monitoring:dashboard"), {"plan": plan.pk}).status_code == 404
    for user in (officer, reporter):  # the menu of every page
        assert f'href="{reverse("monitoring:dashboard")}"' in client_for(user).get(reverse("plans:list")).content.decode()


def test_the_audit_log_names_banner_changes(client_for, officer, spec, sites):
    c = client_for(officer)
    c.post(reverse("monitoring:site_page", args=[spec.pk, sites[1].pk]),
           {"page_url": "https://stc.gov.vn/tin-tuc", "enabled": "on"})
    page = c.get(reverse("audit:list")).content.decode()
    for label in ("Tạo yêu cầu treo banner", "Đổi trang cần kiểm tra banner", "Yêu cầu treo banner",
                  "Trang cần kiểm tra"):
        assert label in page, label
    assert "banner_spec." not in page and ">bannerspec<" not in page
    assert f'href="{reverse("monitoring:spec", args=[spec.pk])}"' in page
