"""plans.tracking: status, notes, evidence, comments, accept and return, each with its
audit event, its permission rule and its rollback."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from plans import tracking
from plans.models import Assignment, Comment, Evidence
from plans.tests.test_tracking_common import (  # noqa: F401  (fixtures)
    EXE, HTML, docx_bytes, mine, pdf_bytes, plan, png_bytes, theirs, zip_named_docx,
)
from planwatch.lib.uploads import MAX_BYTES


def events(a, action=None):
    qs = AuditEvent.objects.filter(object_type="assignment", object_id=str(a.pk)).order_by("at", "id")
    return list(qs.filter(action=action) if action else qs)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def done(a, reporter):
    return tracking.assignment_set_status(assignment=a, user=reporter, status="done")


# --- status -----------------------------------------------------------------------------


def test_set_status_writes_and_audits(mine, reporter, province, unit_a):
    a = tracking.assignment_set_status(assignment=mine, user=reporter, status="in_progress")
    mine.refresh_from_db()
    assert a.status == mine.status == "in_progress"
    [e] = events(mine)
    assert e.action == "assignment.status" and e.actor == reporter and e.actor_label == reporter.username
    assert e.before == {"status": "todo"} and e.after == {"status": "in_progress"}
    assert e.province == province and e.unit == unit_a


def test_not_done_needs_a_reason(mine, reporter):
    with pytest.raises(tracking.TrackingError, match="lý do"):
        tracking.assignment_set_status(assignment=mine, user=reporter, status="not_done", reason="   ")
    mine.refresh_from_db()
    assert mine.status == "todo" and not events(mine)

    tracking.assignment_set_status(assignment=mine, user=reporter, status="not_done", reason="Không có kinh phí")
    mine.refresh_from_db()
    assert (mine.status, mine.status_reason) == ("not_done", "Không có kinh phí")
    # the reason belongs to "not done" only
    tracking.assignment_set_status(assignment=mine, user=reporter, status="in_progress", reason="ignored")
    mine.refresh_from_db()
    assert (mine.status, mine.status_reason) == ("in_progress", "")
    assert events(mine)[-1].before == {"status": "not_done", "status_reason": "Không có kinh phí"}


def test_unknown_status_and_huge_reason_are_refused(mine, reporter):
    with pytest.raises(tracking.TrackingError):
        tracking.assignment_set_status(assignment=mine, user=reporter, status="finished")
    with pytest.raises(tracking.TrackingError, match=str(tracking.TEXT_MAX)):
        tracking.assignment_set_status(assignment=mine, user=reporter, status="not_done", reason="x" * (tracking.TEXT_MAX + 1))
    assert not events(mine)


def test_same_status_is_not_a_change(mine, reporter):
    tracking.assignment_set_status(assignment=mine, user=reporter, status="todo")
    assert not events(mine)


def test_status_after_return_sends_the_work_back(mine, reporter, officer):
    done(mine, reporter)
    tracking.assignment_return(assignment=mine, user=officer, body="Thiếu đường dẫn bài viết")
    mine.refresh_from_db()
    assert mine.review == "returned" and mine.reviewed_by == officer
    # the same status again is the resubmission
    tracking.assignment_set_status(assignment=mine, user=reporter, status="done")
    mine.refresh_from_db()
    assert mine.review == "" and mine.reviewed_by is None and mine.reviewed_at is None
    e = events(mine, "assignment.status")[-1]
    assert e.before == {"status": "done", "review": "returned"} and e.after == {"status": "done", "review": ""}


def test_accepted_work_is_frozen(mine, reporter, officer):
    done(mine, reporter)
    link = tracking.assignment_add_link(assignment=mine, user=reporter, url="https://baotinh.vn/bai-1")
    tracking.assignment_accept(assignment=mine, user=officer)
    for call in (
        lambda: tracking.assignment_set_status(assignment=mine, user=reporter, status="in_progress"),
        lambda: tracking.assignment_add_link(assignment=mine, user=reporter, url="https://baotinh.vn/bai-2"),
        lambda: tracking.assignment_add_file(assignment=mine, user=reporter, data=pdf_bytes(), filename="a.pdf"),
        lambda: tracking.assignment_remove_evidence(evidence=link, user=reporter),
    ):
        with pytest.raises(tracking.TrackingError, match="chấp nhận"):
            call()
    assert Evidence.objects.filter(assignment=mine).count() == 1
    # notes and comments go on
    tracking.assignment_add_note(assignment=mine, user=reporter, body="Đã gửi bản giấy")


@pytest.mark.parametrize("who", ["other_reporter", "officer", "leader", "other_officer", "outsider"])
def test_only_the_units_reporters_report(request, mine, who):
    user = request.getfixturevalue(who)
    for call in (
        lambda: tracking.assignment_set_status(assignment=mine, user=user, status="done"),
        lambda: tracking.assignment_add_note(assignment=mine, user=user, body="x"),
        lambda: tracking.assignment_add_link(assignment=mine, user=user, url="https://baotinh.vn/"),
        lambda: tracking.assignment_add_file(assignment=mine, user=user, data=pdf_bytes(), filename="a.pdf"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not events(mine) and not mine.comments.exists() and not mine.evidence.exists()


# --- notes and comments ---------------------------------------------------------------------


def test_progress_note(mine, reporter):
    note = tracking.assignment_add_note(assignment=mine, user=reporter, body="  Đã đăng 3 tin  ")
    assert (note.kind, note.body, note.author) == ("progress", "Đã đăng 3 tin", reporter)
    [e] = events(mine)
    assert e.action == "assignment.note" and e.after == {"comment": note.pk, "body": "Đã đăng 3 tin"}


@pytest.mark.parametrize("body", ["", "   ", "x" * (tracking.TEXT_MAX + 1)])
def test_note_and_comment_text_is_checked(mine, reporter, body):
    with pytest.raises(tracking.TrackingError):
        tracking.assignment_add_note(assignment=mine, user=reporter, body=body)
    with pytest.raises(tracking.TrackingError):
        tracking.assignment_comment(assignment=mine, user=reporter, body=body)
    assert not mine.comments.exists() and not events(mine)


def test_both_sides_comment(mine, reporter, officer):
    tracking.assignment_comment(assignment=mine, user=officer, body="Đề nghị đơn vị báo cáo trước 30/9")
    tracking.assignment_comment(assignment=mine, user=reporter, body="Đơn vị đang thực hiện")
    assert [(c.kind, c.author) for c in mine.comments.all()] == [("comment", officer), ("comment", reporter)]
    assert [e.action for e in events(mine)] == ["assignment.comment"] * 2


@pytest.mark.parametrize("who", ["leader", "other_reporter", "other_officer", "outsider"])
def test_others_do_not_comment(request, mine, who):
    with pytest.raises(PermissionDenied):
        tracking.assignment_comment(assignment=mine, user=request.getfixturevalue(who), body="x")


# --- links ------------------------------------------------------------------------------


def test_add_link(mine, reporter):
    e = tracking.assignment_add_link(assignment=mine, user=reporter, url=" https://baotinh.vn/tin/20-nam ",
                                     title="Bài trên Báo tỉnh")
    assert (e.kind, e.url, e.title, e.created_by) == ("link", "https://baotinh.vn/tin/20-nam", "Bài trên Báo tỉnh", reporter)
    [ev] = events(mine)
    assert ev.action == "assignment.evidence_add" and ev.after["url"] == e.url and ev.after["evidence"] == e.pk


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(document.cookie)//http://x.vn", "data:text/html,<script>alert(1)</script>",
    "ftp://baotinh.vn/a", "baotinh.vn/tin", "http://", "https://" + "a" * 2000 + ".vn", "",
    "https://bao tinh.vn/", "vbscript:msgbox(1)",
])
def test_bad_links_are_refused(mine, reporter, url):
    with pytest.raises(tracking.TrackingError):
        tracking.assignment_add_link(assignment=mine, user=reporter, url=url)
    assert not mine.evidence.exists() and not events(mine)


def test_link_title_length(mine, reporter):
    with pytest.raises(tracking.TrackingError):
        tracking.assignment_add_link(assignment=mine, user=reporter, url="https://baotinh.vn/", title="x" * 501)


# --- files ------------------------------------------------------------------------------


@pytest.mark.parametrize("make, mime, ext", [
    (pdf_bytes, "application/pdf", "pdf"),
    (docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    (png_bytes, "image/png", "png"),
])
def test_add_file(settings, mine, reporter, make, mime, ext):
    data = make()
    e = tracking.assignment_add_file(assignment=mine, user=reporter, data=data, filename="../../Báo cáo kết quả.bin",
                                     title="Báo cáo")
    e.refresh_from_db()
    assert (e.kind, e.mime, e.size, e.sha256) == ("file", mime, len(data), hashlib.sha256(data).hexdigest())
    assert e.filename == "Báo cáo kết quả.bin"
    # stored under a random name with the extension of the detected type
    assert e.file.name.startswith("evidence/") and e.file.name.endswith("." + ext) and "Báo" not in e.file.name
    assert Path(e.file.path).read_bytes() == data
    [ev] = events(mine)
    assert ev.after["sha256"] == e.sha256 and ev.after["filename"] == e.filename


@pytest.mark.parametrize("data, name", [
    (EXE, "bao-cao.pdf"),
    (HTML, "bao-cao.pdf"),
    (zip_named_docx(), "bao-cao.docx"),
    (b"", "rong.pdf"),
    ("Chỉ là văn bản".encode(), "ghi-chu.pdf"),
])
def test_files_are_judged_by_content(settings, mine, reporter, data, name):
    with pytest.raises(tracking.TrackingError):
        tracking.assignment_add_file(assignment=mine, user=reporter, data=data, filename=name)
    assert not mine.evidence.exists() and not events(mine) and not stored_files(settings)


def test_file_over_20_mb_is_refused(settings, mine, reporter):
    data = pdf_bytes() + b"\0" * (MAX_BYTES + 1 - len(pdf_bytes()))
    assert len(data) == MAX_BYTES + 1
    with pytest.raises(tracking.TrackingError, match="20 MB"):
        tracking.assignment_add_file(assignment=mine, user=reporter, data=data, filename="lon.pdf")
    assert not mine.evidence.exists() and not stored_files(settings)


def test_clean_filename():
    assert tracking.clean_filename("C:\\Users\\a\\bao\x00cao\n.pdf") == "bao cao .pdf"
    assert tracking.clean_filename("...") == "tep"
    long = tracking.clean_filename("a" * 400 + ".docx")
    assert len(long) == 255 and long.endswith(".docx")


# --- removal ----------------------------------------------------------------------------


def test_remove_evidence(settings, mine, reporter, django_capture_on_commit_callbacks):
    e = tracking.assignment_add_file(assignment=mine, user=reporter, data=pdf_bytes(), filename="a.pdf")
    path = Path(e.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        tracking.assignment_remove_evidence(evidence=e, user=reporter)
    assert not Evidence.objects.filter(pk=e.pk).exists() and not path.exists()
    ev = events(mine)[-1]
    assert ev.action == "assignment.evidence_remove" and ev.before["filename"] == "a.pdf" and ev.after == {}


@pytest.mark.parametrize("who", ["other_reporter", "officer", "leader", "outsider"])
def test_only_the_unit_removes_evidence(request, mine, reporter, who):
    e = tracking.assignment_add_link(assignment=mine, user=reporter, url="https://baotinh.vn/")
    with pytest.raises(PermissionDenied):
        tracking.assignment_remove_evidence(evidence=e, user=request.getfixturevalue(who))
    assert Evidence.objects.filter(pk=e.pk).exists()


def test_another_reporter_of_the_unit_may_remove(mine, reporter, unit_a):
    from accounts.models import User

    colleague = User.objects.create_user("baocao.a2", role="reporter")
    colleague.units.set([unit_a])
    e = tracking.assignment_add_link(assignment=mine, user=reporter, url="https://baotinh.vn/")
    tracking.assignment_remove_evidence(evidence=e, user=colleague)
    assert not Evidence.objects.filter(pk=e.pk).exists()


# --- accept and return ------------------------------------------------------------------


def test_accept(mine, reporter, officer):
    with pytest.raises(tracking.TrackingError):  # nothing reported yet
        tracking.assignment_accept(assignment=mine, user=officer)
    done(mine, reporter)
    a = tracking.assignment_accept(assignment=mine, user=officer, body="Tốt")
    mine.refresh_from_db()
    assert a.review == mine.review == "accepted" and mine.reviewed_by == officer and mine.reviewed_at
    c = mine.comments.get()
    assert (c.kind, c.body, c.author) == ("accept", "Tốt", officer)
    e = events(mine, "assignment.accept")[0]
    assert e.before == {"review": ""} and e.after["review"] == "accepted" and e.after["comment"] == c.pk
    with pytest.raises(tracking.TrackingError):
        tracking.assignment_accept(assignment=mine, user=officer)


def test_return_needs_a_comment(mine, reporter, officer):
    done(mine, reporter)
    with pytest.raises(tracking.TrackingError):
        tracking.assignment_return(assignment=mine, user=officer, body=" ")
    tracking.assignment_return(assignment=mine, user=officer, body="Bổ sung ảnh chụp banner")
    mine.refresh_from_db()
    assert mine.review == "returned"
    assert mine.comments.get().kind == "return"
    with pytest.raises(tracking.TrackingError):  # already returned, nothing new from the unit
        tracking.assignment_return(assignment=mine, user=officer, body="Lần nữa")


def test_return_reopens_accepted_work(mine, reporter, officer):
    done(mine, reporter)
    tracking.assignment_accept(assignment=mine, user=officer)
    tracking.assignment_return(assignment=mine, user=officer, body="Chấp nhận nhầm")
    mine.refresh_from_db()
    assert mine.review == "returned"
    tracking.assignment_add_link(assignment=mine, user=reporter, url="https://baotinh.vn/")


def test_cannot_return_unreported_work(mine, officer):
    with pytest.raises(tracking.TrackingError):
        tracking.assignment_return(assignment=mine, user=officer, body="Chưa làm")


@pytest.mark.parametrize("who", ["reporter", "leader", "other_officer", "other_reporter", "outsider"])
def test_only_the_provinces_officers_review(request, theirs, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        tracking.assignment_accept(assignment=theirs, user=user)
    with pytest.raises(PermissionDenied):
        tracking.assignment_return(assignment=theirs, user=user, body="x")
    theirs.refresh_from_db()
    assert theirs.review == "" and not events(theirs)


# --- rollback ---------------------------------------------------------------------------


def test_everything_rolls_back(settings, monkeypatch, mine, theirs, reporter, officer):
    """audit_record writes its event and then fails: it is the last step of every
    service, so every write before it must roll back too, the event and any file."""
    link = tracking.assignment_add_link(assignment=mine, user=reporter, url="https://baotinh.vn/giu-lai")
    returned = Assignment.objects.get(pk=theirs.pk)
    before = {
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "comments": Comment.objects.count(), "evidence": Evidence.objects.count(),
        "events": AuditEvent.objects.count(), "files": stored_files(settings),
    }
    real = tracking.audit_record

    def audit_then_fail(**kwargs):
        real(**kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(tracking, "audit_record", audit_then_fail)
    calls = [
        lambda: tracking.assignment_set_status(assignment=mine, user=reporter, status="not_done", reason="Không làm"),
        lambda: tracking.assignment_add_note(assignment=mine, user=reporter, body="Ghi chú"),
        lambda: tracking.assignment_add_link(assignment=mine, user=reporter, url="https://baotinh.vn/moi"),
        lambda: tracking.assignment_add_file(assignment=mine, user=reporter, data=pdf_bytes(), filename="a.pdf"),
        lambda: tracking.assignment_remove_evidence(evidence=link, user=reporter),
        lambda: tracking.assignment_comment(assignment=mine, user=officer, body="Trao đổi"),
        lambda: tracking.assignment_accept(assignment=returned, user=officer, body="Tốt"),
        lambda: tracking.assignment_return(assignment=returned, user=officer, body="Thiếu"),
    ]
    for call in calls:
        with pytest.raises(RuntimeError, match="disk full"):
            call()
        after = {
            "assignments": list(Assignment.objects.order_by("pk").values()),
            "comments": Comment.objects.count(), "evidence": Evidence.objects.count(),
            "events": AuditEvent.objects.count(), "files": stored_files(settings),
        }
        assert after == before
