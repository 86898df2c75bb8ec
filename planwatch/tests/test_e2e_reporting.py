"""End to end in Chromium, the reporting workflow of issue 4: an officer creates a
report request on seed 000's plan for 10 units and opens it; eight units answer, five
through their token links (no account), two as logged-in reporters through the short
link, and one through its token link after the deadline (flagged late); the officer
returns one answer, the unit fixes it, the officer approves it and exports the summary
as DOCX and XLSX. Screenshots go to out/screenshots/reporting/."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from planwatch.testing import PASSWORD
from planwatch.tests.test_e2e_browser import CHROMIUM, FLAGS, SEED_000, browser_page  # noqa: F401
from planwatch.tests.test_e2e_browser import Shots
from planwatch.tests.test_e2e_browser import pytestmark  # noqa: F401

shot = Shots("reporting")
_fresh_shots = shot.fixture()


@pytest.fixture
def seed_plan(transactional_db, monkeypatch):
    """Seed 000 imported for Đắk Nông, an officer, and reporter accounts for two units."""
    from huey.contrib.djhuey import HUEY

    from accounts.models import User
    from directory.models import Province
    from directory.services import directory_load_demo
    from plans.services import plan_import_file

    monkeypatch.setattr(HUEY, "immediate", True)  # exports run in the request's thread
    directory_load_demo()
    dak_nong = Province.objects.get(name="Đắk Nông")
    plan = plan_import_file(data=SEED_000.read_bytes(), filename=SEED_000.name, province=dak_nong, user=None)
    officer = User.objects.create_user(username="canbo.e2e", password=PASSWORD, role="officer", province=dak_nong)
    unit_ids = list(dict.fromkeys(plan.activities.values_list("assignments__unit_id", flat=True).order_by(
        "assignments__unit__name")))
    unit_ids = [u for u in unit_ids if u][:10]
    reporters = []
    for i, uid in enumerate(unit_ids[5:7]):
        u = User.objects.create_user(username=f"baocao{i}", password=PASSWORD, role="reporter", province=dak_nong)
        u.units.set([uid])
        reporters.append(u)
    return plan, officer, unit_ids, reporters


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def answer(page, count: str, *, banner: str = "yes") -> None:
    page.fill("#answer-form input[type=number]", count)
    page.select_option("#answer-form select", banner)
    page.click("#submit-answer")
    page.wait_for_load_state()


def test_request_answers_review_and_exports(live_server, browser_page, seed_plan, settings):  # noqa: F811
    from directory.models import Unit
    from reporting.models import ReportRequest, Submission

    plan, officer, unit_ids, reporters = seed_plan
    page, base = browser_page, live_server.url
    settings.SITE_URL = base  # links printed in letters point at this server
    names = {u.pk: u.name for u in Unit.objects.filter(pk__in=unit_ids)}

    # 1. the officer builds the request for 10 units and opens it
    login(page, base, officer.username)
    page.goto(f"{base}/reports/new/?plan={plan.pk}")
    page.fill("#id_title", "Báo cáo kết quả tuyên truyền kỷ niệm 20 năm tái lập tỉnh")
    page.fill("#id_deadline", (dt.datetime.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_units", [str(u) for u in unit_ids])
    page.fill("#id_m-0-label", "Số tin, bài đăng tải")
    page.select_option("#id_m-0-kind", "count")
    page.check("#id_m-0-required")
    page.fill("#id_m-1-label", "Đã đặt banner")
    page.select_option("#id_m-1-kind", "boolean")
    shot(page, "01-new-request")
    page.click("#request-form button[type=submit]")
    page.click("#open-request")
    page.wait_for_selector("text=Đang nhận báo cáo")
    req = ReportRequest.objects.get()
    assert req.status == "open" and req.targets.count() == 10
    links = _token_links(page)
    assert len(links) == 10
    assert page.locator("img[alt=QR]").count() == 1
    shot(page, "02-request")

    browser = page.context.browser
    # 2a. five units without accounts answer through their token links
    anon = browser.new_context(locale="vi-VN").new_page()
    for i, uid in enumerate(unit_ids[:5]):
        anon.goto(links[names[uid]])
        assert names[uid] in anon.content()
        answer(anon, str(10 + i))
        assert "Đã gửi" in anon.content()
    shot(anon, "03-token-answer")
    # 2b. two reporters answer after logging in through the short link
    for rep in reporters:
        ctx = browser.new_context(locale="vi-VN")
        p = ctx.new_page()
        login(p, base, rep.username)
        p.goto(f"{base}/f/{req.slug}/")
        answer(p, "7")
        assert "Đã gửi" in p.content()
        ctx.close()
    # 2c. the deadline passes; one more unit answers late through its token link
    ReportRequest.objects.filter(pk=req.pk).update(deadline=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    anon.goto(links[names[unit_ids[7]]])
    assert "nộp muộn" in anon.content()
    answer(anon, "3", banner="no")
    assert Submission.objects.filter(status="submitted").count() == 8
    late = Submission.objects.get(is_late=True)
    assert late.unit_id == unit_ids[7]

    page.goto(f"{base}/reports/{req.pk}/")
    body = page.content()
    assert body.count("nộp muộn") >= 1 and "Chưa báo cáo: 2" in body
    shot(page, "04-progress")

    # 3. the officer returns the first unit's answer; the unit fixes it; the officer approves
    first = Submission.objects.get(unit_id=unit_ids[0])
    page.goto(f"{base}/reports/submissions/{first.pk}/")
    page.fill("#id_comment", "Đề nghị bổ sung số liệu tin, bài trên trang thông tin điện tử.")
    page.click("#return-submission")
    page.wait_for_selector("#submission-status:has-text('Trả lại để sửa')")
    anon.goto(links[names[unit_ids[0]]])
    assert "Đề nghị bổ sung số liệu" in anon.content()
    shot(anon, "05-returned")
    answer(anon, "25")
    first.refresh_from_db()
    assert first.status == "submitted" and first.values[str(req.metrics.get(kind="count").pk)] == 25
    assert not first.is_late  # fixing a returned answer after the deadline is not late
    page.goto(f"{base}/reports/submissions/{first.pk}/")
    page.click("#review-form button[value=approve]")
    page.wait_for_selector("#submission-status:has-text('Đã duyệt')")

    # 4. the exports, built by the queue (immediate here) and downloaded
    _export_and_check(page, base, req)


def _token_links(page) -> dict[str, str]:
    out = {}
    for row in page.locator("#targets tbody tr").all():
        name = row.get_attribute("data-unit")
        link = row.locator("input.token-link")
        if name and link.count():
            out[name] = link.input_value()
    return out


def _export_and_check(page, base, req) -> None:
    """Exports DOCX and XLSX from the request page and reads both back."""
    import docx
    import openpyxl

    for kind in ("docx", "xlsx"):
        page.goto(f"{base}/reports/{req.pk}/")
        page.click(f"#export-buttons form:has(input[value={kind}]) button")
        page.wait_for_selector("#download")
        with page.expect_download() as info:
            page.click("#download")
        data = open(info.value.path(), "rb").read()
        if kind == "docx":
            text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
            assert "BÁO CÁO" in text
        else:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            assert len(wb.sheetnames) >= 2
    shot(page, "06-export")
