"""End to end in Chromium, banner monitoring (issue 5): an officer opens a plan's banner
spec, sets the page to check for one unit (a farm site on 127.0.0.1, with the banner),
checks that one unit now from the spec page, and sees the verdict and its evidence on
the spec page, the site history and the unit's assignment. Screenshots of the
dashboard, the spec page, the site history and the assignment page go to
out/screenshots/monitoring/."""
from __future__ import annotations


import pytest

from planwatch.testing import PASSWORD
from planwatch.tests.test_e2e_browser import browser_page  # noqa: F401
from planwatch.tests.test_e2e_browser import Shots
from planwatch.tests.test_e2e_browser import pytestmark  # noqa: F401

shot = Shots("monitoring")
_fresh_shots = shot.fixture()


@pytest.fixture(scope="module")
def farm():
    from monitoring.farm import Farm

    with Farm() as f:
        yield f


@pytest.fixture
def banner_plan(transactional_db, settings, monkeypatch, farm):
    """A plan whose activity is assigned to two units, each with a website that is
    never fetched as such (a made-up host), and a banner spec on it; the queue runs
    in the request's thread and the fetcher may reach loopback, where the farm is."""
    from huey.contrib.djhuey import HUEY

    from accounts.models import User
    from directory.models import Province, Unit, Website
    from monitoring.services import spec_save
    from plans.models import Activity, Assignment, Plan

    monkeypatch.setattr(HUEY, "immediate", True)
    settings.MONITOR_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.MONITOR_TIMEOUT, settings.MONITOR_RETRIES, settings.MONITOR_BACKOFF = 5.0, 0, 0.05
    province = Province.objects.create(name="Tỉnh Thử", code="tinh-thu")
    officer = User.objects.create_user(username="canbo.e2e", password=PASSWORD, role="officer", province=province,
                                       first_name="Lan")
    culture = Unit.objects.create(name="Sở Văn hóa, Thể thao và Du lịch", kind="so_nganh", province=province)
    finance = Unit.objects.create(name="Sở Tài chính", kind="so_nganh", province=province)
    culture_site = Website.objects.create(unit=culture, url="https://svhttdl.tinhthu.invalid")
    finance_site = Website.objects.create(unit=finance, url="https://stc.tinhthu.invalid")
    plan = Plan.objects.create(province=province, number="12/KH-UBND", title="Tuyên truyền Đại hội Đảng bộ tỉnh")
    activity = Activity.objects.create(plan=plan, position=1, ref="3", title="Treo banner trên trang thông tin điện tử")
    Assignment.objects.create(activity=activity, unit=culture, role="lead")
    finance_work = Assignment.objects.create(activity=activity, unit=finance, role="support")
    spec = spec_save(actor=officer, province=province, plan=plan, name="Banner Đại hội Đảng bộ tỉnh",
                     targets=[farm.target], keywords=["Đại hội"], interval_minutes=1440, peak_interval_minutes=360,
                     obey_robots=True, render_js=False)
    return spec, officer, culture_site, finance_site, finance_work


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def test_officer_sets_the_page_and_checks_one_unit(live_server, browser_page, banner_plan, farm):  # noqa: F811
    from audit.models import AuditEvent
    from monitoring.models import BannerEvent, Check, SiteSpec

    spec, officer, culture_site, finance_site, finance_work = banner_plan
    page, base = browser_page, live_server.url
    login(page, base, officer.username)

    page.goto(f"{base}/monitoring/")
    page.click(f"text={spec.name}")
    page.wait_for_selector("h1:has-text('Banner Đại hội Đảng bộ tỉnh')")
    assert page.locator("table.sites tbody tr").count() == 2
    assert page.locator("table.sites .verdict", has_text="Chưa kiểm tra").count() == 2

    # the finance department's banner is on a page of its own, not on its home page
    page.click(f"a:has-text('{finance_site.url}')")
    page.wait_for_selector("#page-form")
    page_url = farm.url("linked_image")
    page.fill("#id_page_url", "ftp://stc.tinhthu.invalid/banner")
    page.click("#page-form button[type=submit]")
    page.wait_for_selector("#page-form .errorlist")
    assert not SiteSpec.objects.exists()
    page.fill("#id_page_url", page_url)
    page.click("#page-form button[type=submit]")
    page.wait_for_selector("text=Đã lưu trang cần kiểm tra.")
    assert SiteSpec.objects.get(website=finance_site).page_url == page_url
    assert AuditEvent.objects.filter(action="banner_spec.site_update", unit=finance_site.unit).count() == 1

    # back on the spec page, check that one unit now
    page.click(f"a:has-text('{spec.name}')")
    page.wait_for_selector("#check-selected")
    assert page.locator(f"text={page_url}").count() == 1  # the page set is shown on the unit's row
    page.check(f"input[name=unit][value='{finance_site.unit_id}']")
    page.click("#check-selected")
    page.wait_for_selector("text=Đã kiểm tra 1 trang.")
    check = Check.objects.get()
    assert (check.website_id, check.verdict, check.reason, check.page_url) == (finance_site.pk, "present", "link",
                                                                                page_url)
    row = page.locator("table.sites tbody tr", has_text="Sở Tài chính")
    assert row.locator(".verdict-present").inner_text() == "Đã treo banner"
    assert "Có liên kết tới trang đích" in row.inner_text() and "HTTP 200" in row.inner_text()
    other = page.locator("table.sites tbody tr", has_text="Sở Văn hóa")
    assert "Chưa kiểm tra" in other.inner_text()  # the other unit was left alone
    row.locator("summary").click()
    assert spec.targets[0] in row.locator("pre").inner_text()  # the matched element's HTML
    shot(page, "02-spec")

    # the site's history: when the banner was placed, and the evidence
    row.locator(f"a:has-text('{finance_site.url}')").click()
    page.wait_for_selector("text=Lịch sử treo, gỡ banner")
    assert BannerEvent.objects.get().kind == "placed"
    assert page.locator("ul .verdict-present", has_text="Treo banner").count() == 1
    assert page.locator("table.checks tbody tr").count() == 1
    page.locator("table.checks summary").click()
    shot(page, "03-site-history")

    # "check now" on the site page checks that unit again and comes back here
    page.click("#check-unit")
    page.wait_for_selector("text=Đã kiểm tra 1 trang.")
    assert page.locator("table.checks tbody tr").count() == 2

    page.goto(f"{base}/monitoring/")
    cells = page.locator("tbody tr", has_text=spec.name).locator("td")
    assert [cells.nth(i).inner_text() for i in (2, 3, 4)] == ["1", "0", "0"]  # present, absent, failed
    shot(page, "01-dashboard")

    # the unit's assignment in the plan shows the banner and its evidence
    page.goto(f"{base}/plans/assignments/{finance_work.pk}/")
    section = page.locator("#banner")
    assert "Đã treo banner" in section.inner_text() and "HTTP 200" in section.inner_text()
    shot(page, "04-assignment")
