"""The assignment page and its actions (plans:assignment*), evidence downloads and
removal (plans:evidence_*), and the reporter's "my work" (plans:my_work)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from plans import tracking
from plans.models import Activity, Assignment, Evidence, Plan, PlanPeriod
from plans.tests.test_tracking_common import (  # noqa: F401  (fixtures)
    EXE, HTML, mine, pdf_bytes, plan, theirs, zip_named_docx,
)
from planwatch.lib.uploads import MAX_BYTES

ACTIONS = ["assignment_status", "assignment_note", "assignment_link", "assignment_file", "assignment_comment",
           "assignment_accept", "assignment_return"]
# Who may open unit_a's assignment page at all; the others get 404.
SEES_MINE = ["officer", "leader", "reporter"]
BLIND_TO_MINE = ["other_reporter", "other_officer", "outsider"]


def page(a) -> str:
    return reverse("plans:assignment", args=[a.pk])


def act(name, a) -> str:
    return reverse(f"plans:{name}", args=[a.pk])


def body(r) -> str:
    return r.content.decode()


def upload(data: bytes, name: str = "bao-cao.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def link(mine, reporter):
    return tracking.assignment_add_link(assignment=mine, user=reporter, url="https://baotinh.vn/tin-1", title="Tin 1")


@pytest.fixture
def pdf(mine, reporter):
    return tracking.assignment_add_file(assignment=mine, user=reporter, data=pdf_bytes(), filename="Báo cáo \"số 1\".pdf")


# --- the page ---------------------------------------------------------------------------


def test_page_needs_login(client, mine):
    r = client.get(page(mine))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_page_for_the_reporter(client_for, reporter, mine, link, pdf):
    tracking.assignment_add_note(assignment=mine, user=reporter, body="Đã xây dựng dự thảo")
    r = client_for(reporter).get(page(mine))
    html = body(r)
    assert r.status_code == 200
    assert "Xây dựng đề cương tuyên truyền" in html and "Sở Văn hóa, Thể thao và Du lịch" in html
    assert "Quá hạn" in html
    for name in ("assignment_status", "assignment_note", "assignment_link", "assignment_file", "assignment_comment"):
        assert act(name, mine) in html, name
    assert act("assignment_accept", mine) not in html and act("assignment_return", mine) not in html
    assert 'href="https://baotinh.vn/tin-1" rel="noopener noreferrer nofollow"' in html
    assert reverse("plans:evidence_file", args=[pdf.pk]) in html and "Báo cáo &quot;số 1&quot;.pdf" in html
    assert reverse("plans:evidence_remove", args=[link.pk]) in html
    assert "Đã xây dựng dự thảo" in html
    # the history
    assert "Thêm minh chứng" in html and "Ghi tiến độ" in html
    assert 'hx-post="%s"' % act("assignment_status", mine) in html  # htmx, with a plain form underneath
    assert 'method="post" action="%s"' % act("assignment_status", mine) in html


def test_page_for_the_officer(client_for, officer, reporter, mine):
    html = body(client_for(officer).get(page(mine)))
    assert act("assignment_comment", mine) in html
    assert act("assignment_status", mine) not in html and act("assignment_link", mine) not in html
    assert "chưa thể nghiệm thu" in html
    tracking.assignment_set_status(assignment=mine, user=reporter, status="done")
    html = body(client_for(officer).get(page(mine)))
    assert act("assignment_accept", mine) in html and act("assignment_return", mine) in html


def test_page_for_the_leader_is_read_only(client_for, leader, mine, link):
    html = body(client_for(leader).get(page(mine)))
    assert "Tin 1" in html
    for name in ACTIONS:
        assert act(name, mine) not in html, name
    assert reverse("plans:evidence_remove", args=[link.pk]) not in html


@pytest.mark.parametrize("who", BLIND_TO_MINE)
def test_page_hidden_from_others(request, client_for, mine, who):
    assert client_for(request.getfixturevalue(who)).get(page(mine)).status_code == 404


def test_page_of_a_missing_assignment(client_for, officer, db):
    assert client_for(officer).get(reverse("plans:assignment", args=[987654])).status_code == 404


def test_page_marks_peak_periods(client_for, reporter, plan, mine):
    assert "cao điểm</span>" not in body(client_for(reporter).get(page(mine)))  # Aug–Sep vs Dec–Mar
    PlanPeriod.objects.create(plan=plan, start=dt.date(2023, 9, 1), end=dt.date(2023, 9, 15))
    assert "cao điểm</span>" in body(client_for(reporter).get(page(mine)))


# --- wrong methods ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_take_post_only(client_for, reporter, mine, name):
    c = client_for(reporter)
    assert c.get(act(name, mine)).status_code == 405
    assert c.put(act(name, mine)).status_code == 405


def test_page_and_download_take_get_only(client_for, reporter, mine, pdf):
    c = client_for(reporter)
    assert c.post(page(mine)).status_code == 405
    assert c.post(reverse("plans:evidence_file", args=[pdf.pk])).status_code == 405
    assert c.get(reverse("plans:evidence_remove", args=[pdf.pk])).status_code == 405
    assert c.delete(page(mine)).status_code == 405


# --- who may act ------------------------------------------------------------------------

# A valid post of each action, so that only permission decides.
POSTS = {
    "assignment_status": {"status": "in_progress"},
    "assignment_note": {"body": "Ghi chú"},
    "assignment_link": {"url": "https://baotinh.vn/"},
    "assignment_file": None,  # built per test: an upload can be read once
    "assignment_comment": {"body": "Trao đổi"},
    "assignment_accept": {"body": ""},
    "assignment_return": {"body": "Trả lại"},
}
# Who may take each action on unit_a's (done) assignment.
MAY = {
    "assignment_status": {"reporter"},
    "assignment_note": {"reporter"},
    "assignment_link": {"reporter"},
    "assignment_file": {"reporter"},
    "assignment_comment": {"reporter", "officer"},
    "assignment_accept": {"officer"},
    "assignment_return": {"officer"},
}


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("who", ["officer", "leader", "reporter", "other_reporter", "other_officer", "outsider", "anonymous"])
def test_who_may_act(request, client, client_for, mine, name, who):
    Assignment.objects.filter(pk=mine.pk).update(status="done")
    data = POSTS[name] or {"file": upload(pdf_bytes())}
    c = client if who == "anonymous" else client_for(request.getfixturevalue(who))
    r = c.post(act(name, mine), data)
    if who == "anonymous":
        assert r.status_code == 302 and reverse("login") in r["Location"]
    elif who in MAY[name]:
        assert r.status_code == 302 and r["Location"].startswith(page(mine)), body(r)
    elif who in SEES_MINE:
        assert r.status_code == 403
    else:
        assert r.status_code == 404
    wrote = AuditEvent.objects.filter(object_id=str(mine.pk)).exists()
    assert wrote == (who in MAY[name])


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_on_a_missing_assignment(client_for, reporter, db, name):
    assert client_for(reporter).post(reverse(f"plans:{name}", args=[987654]), {"body": "x"}).status_code == 404


# --- the actions ------------------------------------------------------------------------


def test_status_form(client_for, reporter, mine):
    c = client_for(reporter)
    r = c.post(act("assignment_status", mine), {"status": "in_progress"})
    assert r.status_code == 302 and r["Location"] == page(mine) + "#status"
    mine.refresh_from_db()
    assert mine.status == "in_progress"
    assert "Đã cập nhật trạng thái." in body(c.get(r["Location"]))


def test_not_done_without_reason_keeps_the_form(client_for, reporter, mine):
    r = client_for(reporter).post(act("assignment_status", mine), {"status": "not_done", "reason": ""})
    assert r.status_code == 400
    assert "Chưa nhập lý do không thực hiện." in body(r)
    mine.refresh_from_db()
    assert mine.status == "todo"


def test_htmx_post_answers_with_the_page(client_for, reporter, mine):
    r = client_for(reporter).post(act("assignment_note", mine), {"body": "Đã đăng tin"}, HTTP_HX_REQUEST="true")
    html = body(r)
    assert r.status_code == 200 and 'id="assignment"' in html and "Đã ghi tiến độ." in html and "Đã đăng tin" in html
    # errors come back as 200 too, or htmx would not swap them in
    r = client_for(reporter).post(act("assignment_link", mine), {"url": "javascript:alert(1)"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "http://" in body(r) and not mine.evidence.exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "//evil.example/x"])
def test_hostile_links_are_refused(client_for, reporter, mine, url):
    r = client_for(reporter).post(act("assignment_link", mine), {"url": url, "title": "<script>x</script>"})
    assert r.status_code == 400 and not mine.evidence.exists()
    assert "<script>x</script>" not in body(r)


def test_link_titles_are_escaped(client_for, reporter, mine):
    client_for(reporter).post(act("assignment_link", mine), {"url": "https://baotinh.vn/?q=<b>", "title": "<img src=x onerror=alert(1)>"})
    html = body(client_for(reporter).get(page(mine)))
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_huge_text_is_refused(client_for, reporter, mine):
    r = client_for(reporter).post(act("assignment_comment", mine), {"body": "x" * 200_000})
    assert r.status_code == 400 and not mine.comments.exists()


def test_upload_and_download(client_for, reporter, officer, leader, mine):
    r = client_for(reporter).post(act("assignment_file", mine), {"file": upload(pdf_bytes(), "Kết quả tháng 9.pdf"),
                                                                 "title": "Báo cáo"})
    assert r.status_code == 302
    e = mine.evidence.get()
    assert e.filename == "Kết quả tháng 9.pdf" and e.mime == "application/pdf"
    for user in (reporter, officer, leader):
        r = client_for(user).get(reverse("plans:evidence_file", args=[e.pk]))
        assert r.status_code == 200
        assert b"".join(r.streaming_content) == pdf_bytes()
        assert r["Content-Type"] == "application/pdf"
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''K%E1%BA%BFt%20qu%E1%BA%A3%20th%C3%A1ng%209.pdf" in r["Content-Disposition"]
        assert "sandbox" in r["Content-Security-Policy"]


@pytest.mark.parametrize("who", BLIND_TO_MINE)
def test_files_are_hidden_from_others(request, client_for, pdf, who):
    assert client_for(request.getfixturevalue(who)).get(reverse("plans:evidence_file", args=[pdf.pk])).status_code == 404


def test_files_need_login(client, pdf):
    r = client.get(reverse("plans:evidence_file", args=[pdf.pk]))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_download_of_a_link_or_missing_evidence(client_for, officer, link):
    c = client_for(officer)
    assert c.get(reverse("plans:evidence_file", args=[link.pk])).status_code == 404
    assert c.get(reverse("plans:evidence_file", args=[987654])).status_code == 404


def test_download_of_a_file_gone_from_storage(client_for, officer, pdf):
    pdf.file.storage.delete(pdf.file.name)
    assert client_for(officer).get(reverse("plans:evidence_file", args=[pdf.pk])).status_code == 404


@pytest.mark.parametrize("data, name, content_type", [
    (EXE, "bao-cao.pdf", "application/pdf"),
    (HTML, "bao-cao.pdf", "application/pdf"),
    (HTML, "anh.png", "image/png"),
    (zip_named_docx(), "bao-cao.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_uploads_are_judged_by_content(client_for, reporter, mine, data, name, content_type):
    r = client_for(reporter).post(act("assignment_file", mine), {"file": upload(data, name, content_type)})
    assert r.status_code == 400 and not mine.evidence.exists()
    assert "nội dung tệp" in body(r) or "Office" in body(r)


def test_upload_over_20_mb(client_for, reporter, mine):
    data = pdf_bytes() + b"\0" * (MAX_BYTES + 1 - len(pdf_bytes()))
    r = client_for(reporter).post(act("assignment_file", mine), {"file": upload(data)})
    assert r.status_code == 400 and "20 MB" in body(r) and not mine.evidence.exists()


def test_upload_without_a_file(client_for, reporter, mine):
    assert client_for(reporter).post(act("assignment_file", mine), {"title": "x"}).status_code == 400


def test_remove_evidence(client_for, reporter, mine, link):
    r = client_for(reporter).post(reverse("plans:evidence_remove", args=[link.pk]))
    assert r.status_code == 302 and r["Location"] == page(mine) + "#evidence"
    assert not Evidence.objects.filter(pk=link.pk).exists()


@pytest.mark.parametrize("who, status", [("officer", 403), ("leader", 403), ("other_reporter", 404),
                                         ("other_officer", 404), ("outsider", 404)])
def test_remove_evidence_by_others(request, client_for, link, who, status):
    r = client_for(request.getfixturevalue(who)).post(reverse("plans:evidence_remove", args=[link.pk]))
    assert r.status_code == status and Evidence.objects.filter(pk=link.pk).exists()


def test_remove_after_acceptance_is_refused(client_for, reporter, officer, mine, link):
    tracking.assignment_set_status(assignment=mine, user=reporter, status="done")
    tracking.assignment_accept(assignment=mine, user=officer)
    c = client_for(reporter)
    r = c.post(reverse("plans:evidence_remove", args=[link.pk]), follow=True)
    assert "không thể thay đổi" in body(r) and Evidence.objects.filter(pk=link.pk).exists()
    # and the page offers no way to change it
    html = body(c.get(page(mine)))
    assert act("assignment_status", mine) not in html and reverse("plans:evidence_remove", args=[link.pk]) not in html


def test_accept_and_return(client_for, reporter, officer, mine):
    tracking.assignment_set_status(assignment=mine, user=reporter, status="done")
    c = client_for(officer)
    r = c.post(act("assignment_return", mine), {"body": ""})
    assert r.status_code == 400
    r = c.post(act("assignment_return", mine), {"body": "Thiếu minh chứng"})
    assert r.status_code == 302 and r["Location"] == page(mine) + "#review"
    mine.refresh_from_db()
    assert mine.review == "returned"
    html = body(client_for(reporter).get(page(mine)))
    assert "Thiếu minh chứng" in html and "Gửi lại" in html
    client_for(reporter).post(act("assignment_status", mine), {"status": "done"})
    mine.refresh_from_db()
    assert mine.review == ""
    assert client_for(officer).post(act("assignment_accept", mine), {}).status_code == 302
    mine.refresh_from_db()
    assert mine.review == "accepted"


def test_accept_of_unreported_work(client_for, officer, mine):
    r = client_for(officer).post(act("assignment_accept", mine), {})
    assert r.status_code == 400 and "Chỉ chấp nhận" in body(r)


# --- links from the other pages ----------------------------------------------------------


def test_activity_and_unit_pages_link_assignments(client_for, officer, plan, mine, unit_a):
    html = body(client_for(officer).get(reverse("plans:activity", args=[mine.activity_id])))
    assert page(mine) in html
    html = body(client_for(officer).get(reverse("directory:unit", args=[unit_a.pk])))
    assert page(mine) in html
    html = body(client_for(officer).get(reverse("plans:detail", args=[plan.pk])))
    assert reverse("plans:matrix", args=[plan.pk]) in html


# --- my work ----------------------------------------------------------------------------


def my_work() -> str:
    return reverse("plans:my_work")


def test_my_work_needs_login(client, db):
    r = client.get(my_work())
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_my_work_takes_get_only(client_for, reporter):
    assert client_for(reporter).post(my_work()).status_code == 405


def test_my_work_lists_the_units_work_overdue_first(client_for, reporter, province, unit_a, plan, mine, theirs):
    later = Plan.objects.create(province=province, number="9/KH-STTTT", title="Kế hoạch sau")
    PlanPeriod.objects.create(plan=later, start=dt.date(2099, 1, 1), end=dt.date(2099, 1, 31))
    act1 = Activity.objects.create(plan=later, position=1, ref="1", title="Tuyên truyền dịp Tết",
                                   start=dt.date(2099, 1, 10), end=dt.date(2099, 2, 10))
    act2 = Activity.objects.create(plan=later, position=2, ref="2", title="Tổng kết năm", deadline=dt.date(2099, 6, 30))
    a_peak = Assignment.objects.create(activity=act1, unit=unit_a, role="support", end=act1.end)
    a_calm = Assignment.objects.create(activity=act2, unit=unit_a, role="lead", due=act2.deadline)
    html = body(client_for(reporter).get(my_work()))
    assert page(theirs) not in html  # unit_b's
    # overdue first, then by due date
    positions = [html.index(page(a)) for a in (mine, a_peak, a_calm)]
    assert positions == sorted(positions)
    row = html[html.index(page(a_peak)) - 400: html.index(page(a_peak)) + 400]
    assert "peak-row" in html and "cao điểm" in row
    calm = html[html.index(page(a_calm)):html.index(page(a_calm)) + 300]
    assert "cao điểm" not in calm
    overdue_row = html[html.rindex("<tr", 0, html.index(page(mine))):html.index(page(mine))]
    assert "overdue-row" in overdue_row

    open_only = body(client_for(reporter).get(my_work() + "?status=done"))
    assert page(mine) not in open_only and "Không có nhiệm vụ nào." in open_only


def test_my_work_for_someone_without_units(client_for, officer, plan):
    html = body(client_for(officer).get(my_work()))
    assert "chưa gắn với đơn vị nào" in html and reverse("plans:overdue") in html


def test_my_work_for_a_reporter_of_two_units(client_for, reporter, unit_b, mine, theirs):
    reporter.units.add(unit_b)
    html = body(client_for(reporter).get(my_work()))
    assert page(mine) in html and page(theirs) in html
