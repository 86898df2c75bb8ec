"""reporting.services.submission_save and submission_review: drafts, submit, deadline
rules, late flags, files, review, and nothing half-written on refusal."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from directory.models import Unit
from planwatch.lib.uploads import check_upload
from reporting import services
from reporting.models import Submission, SubmissionFile
from reporting.services import Answer, ReportError

from .conftest import metric


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


def answer(req, **by_kind):
    return Answer(values={metric(req, k).key: v for k, v in by_kind.items()})


def test_draft_then_submit(request_open, unit_a, reporter):
    s = services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, boolean="yes"),
                                 submit=False, user=reporter)
    assert s.status == Submission.Status.DRAFT and s.submitted_at is None
    s = services.submission_save(request=request_open, unit=unit_a, submit=True, user=reporter,
                                 answer=answer(request_open, count="12", boolean="no", date="20/03/2026",
                                               urls="https://baodaknong.vn/a\nhttps://baodaknong.vn/a\n"))
    c, b, d, u = (metric(request_open, k).key for k in ("count", "boolean", "date", "urls"))
    assert s.status == Submission.Status.SUBMITTED and not s.is_late
    assert s.values == {c: 12, b: False, d: "2026-03-20", u: ["https://baodaknong.vn/a"]}
    assert s.submitted_by == reporter and not s.via_token
    assert [e.action for e in AuditEvent.objects.filter(object_type="submission").order_by("at", "id")] == [
        "submission.save", "submission.submit"]


def test_required_metric_checked_on_submit_only(request_open, unit_a, reporter):
    with pytest.raises(ReportError) as e:
        services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, boolean="yes"),
                                 submit=True, user=reporter)
    assert metric(request_open, "count").key in e.value.errors
    assert not Submission.objects.exists() and not AuditEvent.objects.filter(object_type="submission").exists()


@pytest.mark.parametrize("kind,value", [("count", "-1"), ("count", "mười"), ("count", "1" * 30), ("date", "31/02/2026"),
                                         ("urls", "javascript:alert(1)"), ("urls", "ftp://x"), ("text", "x" * 10_001),
                                         ("boolean", "maybe"), ("urls", "\n".join(f"https://a.vn/{i}" for i in range(201)))])
def test_bad_values_write_nothing(request_open, unit_a, reporter, kind, value):
    with pytest.raises(ReportError):
        services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, **{kind: value}),
                                 submit=False, user=reporter)
    assert not Submission.objects.exists()


def test_text_loses_control_characters(request_open, unit_a, reporter):
    s = services.submission_save(request=request_open, unit=unit_a, submit=False, user=reporter,
                                 answer=answer(request_open, text="Khó\x00 khăn\x1b"))
    assert s.values[metric(request_open, "text").key] == "Khó khăn"


def test_unit_not_targeted_is_refused(request_open, province):
    stranger = Unit.objects.create(name="Đơn vị lạ", kind="so_nganh", province=province)
    with pytest.raises(PermissionDenied):
        services.submission_save(request=request_open, unit=stranger, answer=Answer(), submit=False)


def test_closed_or_draft_request_refuses(request_open, unit_a):
    for status in ("draft", "closed"):
        request_open.status = status
        request_open.save()
        with pytest.raises(ReportError):
            services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="1"), submit=True)


def test_edit_until_deadline_then_locked(request_open, unit_a):
    services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="1"), submit=True)
    s = services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="2"), submit=True)
    assert s.values[metric(request_open, "count").key] == 2 and not s.is_late
    later = request_open.deadline + dt.timedelta(minutes=1)
    with pytest.raises(ReportError):
        services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="3"),
                                 submit=True, now=later)
    s.refresh_from_db()
    assert s.values[metric(request_open, "count").key] == 2


def test_late_first_submission_is_flagged(request_open, unit_b):
    later = request_open.deadline + dt.timedelta(hours=2)
    s = services.submission_save(request=request_open, unit=unit_b, answer=answer(request_open, count="4"),
                                 submit=True, now=later, via_token=True)
    assert s.is_late and s.via_token and s.status == "submitted"


def test_returned_can_be_fixed_after_deadline_and_stays_on_time(request_open, unit_a, officer):
    s = services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="1"), submit=True)
    services.submission_review(user=officer, submission=s, approve=False, comment="Thiếu đường dẫn bài viết")
    s.refresh_from_db()
    assert s.status == "returned" and s.review_comment == "Thiếu đường dẫn bài viết"
    later = request_open.deadline + dt.timedelta(days=1)
    s = services.submission_save(request=request_open, unit=unit_a, submit=True, now=later,
                                 answer=answer(request_open, count="1", urls="https://a.vn/x"))
    assert s.status == "submitted" and not s.is_late
    services.submission_review(user=officer, submission=s, approve=True)
    s.refresh_from_db()
    assert s.status == "approved"
    with pytest.raises(ReportError):
        services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="9"), submit=True)


def test_review_rules(request_open, unit_a, officer, leader, other_officer):
    s = services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="1"), submit=False)
    with pytest.raises(ReportError):  # a draft is not reviewed
        services.submission_review(user=officer, submission=s, approve=True)
    s = services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="1"), submit=True)
    with pytest.raises(ReportError):  # returning needs a comment
        services.submission_review(user=officer, submission=s, approve=False, comment="  ")
    for who in (leader, other_officer):
        with pytest.raises(PermissionDenied):
            services.submission_review(user=who, submission=s, approve=True)
    s.refresh_from_db()
    assert s.status == "submitted"


def test_draft_save_after_submit_is_refused(request_open, unit_a):
    services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="1"), submit=True)
    with pytest.raises(ReportError):
        services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="5"), submit=False)


def test_files_added_kept_and_removed(request_open, unit_a, settings):
    key = metric(request_open, "file").key
    checked = check_upload(png())
    s = services.submission_save(request=request_open, unit=unit_a, submit=False,
                                 answer=Answer(files={key: [("ảnh minh chứng.png", checked)]}))
    f = SubmissionFile.objects.get()
    assert f.sha256 == checked.sha256 and f.mime == "image/png" and f.filename == "ảnh minh chứng.png"
    assert f.file.name.endswith(".png") and "minh" not in f.file.name
    assert s.values[key] == [f.pk]
    s = services.submission_save(request=request_open, unit=unit_a, submit=False, answer=Answer(remove_file_ids=[f.pk]))
    assert key not in s.values and not SubmissionFile.objects.exists()


def test_too_many_files_writes_nothing(request_open, unit_a):
    key = metric(request_open, "file").key
    checked = check_upload(png())
    with pytest.raises(ReportError):
        services.submission_save(request=request_open, unit=unit_a, submit=False,
                                 answer=Answer(files={key: [("a.png", checked)] * (services.MAX_FILES_PER_METRIC + 1)}))
    assert not SubmissionFile.objects.exists() and not Submission.objects.exists()


def test_removing_another_units_file_does_nothing(request_open, unit_a, unit_b):
    key = metric(request_open, "file").key
    services.submission_save(request=request_open, unit=unit_a, submit=False,
                             answer=Answer(files={key: [("a.png", check_upload(png()))]}))
    f = SubmissionFile.objects.get()
    services.submission_save(request=request_open, unit=unit_b, submit=False, answer=Answer(remove_file_ids=[f.pk]))
    assert SubmissionFile.objects.filter(pk=f.pk).exists()


def test_failure_midway_leaves_nothing(request_open, unit_a, monkeypatch):
    """The audit event of a first answer fails in the database, after the answer's own
    row went in: neither stays (insert_first writes both in one statement or transaction)."""
    import reporting.services as mod

    real = mod.audit_event

    def no_action(**kw):
        event = real(**kw)
        event.action = None  # NOT NULL: refused by the database itself
        return event

    monkeypatch.setattr(mod, "audit_event", no_action)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="1"), submit=True)
    assert not Submission.objects.exists() and not AuditEvent.objects.exists()


def test_failure_midway_leaves_an_earlier_answer_as_it_was(request_open, unit_a, monkeypatch):
    import reporting.services as mod

    first = services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="1"),
                                     submit=False)

    def boom(**kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mod, "audit_record", boom)
    with pytest.raises(RuntimeError):
        services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="2"), submit=True)
    s = Submission.objects.get()
    assert (s.pk, s.status, s.values) == (first.pk, Submission.Status.DRAFT, first.values)
    assert AuditEvent.objects.filter(object_type="submission").count() == 1


def test_progress_counts(request_open, unit_a, unit_b):
    services.submission_save(request=request_open, unit=unit_a, answer=answer(request_open, count="1"), submit=True)
    p = services.request_progress(request_open)
    assert p["submitted"] == 1 and p["none"] == 1 and p["late"] == 0
