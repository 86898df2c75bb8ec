"""Assignment tracking: the unit reports status, progress notes and evidence; the
department comments, accepts or returns the work (issue 4, "Assignment tracking").

Every service here is one transaction: it locks the assignment row, checks who acts
and what they sent, writes, and records an audit event (object "assignment", so the
assignment's whole history is one filter) before committing. Nothing is left behind
when any step fails; an evidence file written to storage is deleted again.

Who may do what (accounts.permissions):
- the assignment unit's reporters (`can_report_for`): status, notes, evidence, comments;
- officers of the plan's province (`can_edit_plans`): comments, accept, return.
Seeing the assignment at all is the view's business (a 404 outside visible_assignments);
these functions raise PermissionDenied for a user who may see but not act.

Once the department has accepted the work it is frozen: the unit can neither change
its status nor add or remove evidence until an officer returns it.
"""
from __future__ import annotations

import os
import re
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import can_edit_plans, can_report_for
from audit.services import audit_record
from planwatch.lib.uploads import UploadRejected, check_upload

from .models import Assignment, Comment, Evidence

# A note, comment or reason is a few paragraphs, not a document.
TEXT_MAX = 5000
URL_MAX = Evidence._meta.get_field("url").max_length
TITLE_MAX = Evidence._meta.get_field("title").max_length
FILENAME_MAX = Evidence._meta.get_field("filename").max_length

# The audit actions written here, with their labels for the history and the audit log.
ACTIONS = {
    "assignment.status": gettext_lazy("Cập nhật trạng thái"),
    "assignment.note": gettext_lazy("Ghi tiến độ"),
    "assignment.evidence_add": gettext_lazy("Thêm minh chứng"),
    "assignment.evidence_remove": gettext_lazy("Xóa minh chứng"),
    "assignment.comment": gettext_lazy("Trao đổi"),
    "assignment.accept": gettext_lazy("Chấp nhận"),
    "assignment.return": gettext_lazy("Trả lại"),
}

_http_url = URLValidator(schemes=["http", "https"])
_unsafe_name = re.compile(r"[\x00-\x1f\x7f/\\]+")


class TrackingError(ValueError):
    """The request cannot be carried out as sent; str() is for the user."""


# --- helpers ----------------------------------------------------------------------------


def _lock(assignment: Assignment) -> Assignment:
    """The assignment re-read under a row lock, with its plan, for the transaction."""
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("activity__plan", "unit")
        .get(pk=assignment.pk)
    )


def _text(value: str, *, required: bool, what: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise TrackingError(_("Chưa nhập %(what)s.") % {"what": what})
    if len(value) > TEXT_MAX:
        raise TrackingError(_("%(what)s dài quá %(max)s ký tự.") % {"what": what.capitalize(), "max": TEXT_MAX})
    return value


def _require_reporter(user, assignment: Assignment) -> None:
    if not can_report_for(user, assignment.unit_id):
        raise PermissionDenied


def _require_officer(user, assignment: Assignment) -> None:
    if not can_edit_plans(user, assignment.activity.plan.province_id):
        raise PermissionDenied


def _require_open(assignment: Assignment) -> None:
    if assignment.review == Assignment.Review.ACCEPTED:
        raise TrackingError(_("Sở đã chấp nhận kết quả này; không thể thay đổi nữa."))


def _audit(user, action: str, assignment: Assignment, before: dict, after: dict) -> None:
    audit_record(
        actor=user, action=action, obj=assignment, before=before, after=after,
        unit=assignment.unit, province=assignment.activity.plan.province,
    )


def _state(a: Assignment) -> dict:
    return {"status": a.status, "status_reason": a.status_reason, "review": a.review}


def clean_filename(name: str) -> str:
    """The user's file name as shown and offered on download: no folders, no control
    characters, at most FILENAME_MAX characters with the extension kept."""
    name = _unsafe_name.sub(" ", os.path.basename((name or "").replace("\\", "/"))).strip(" .")
    if len(name) > FILENAME_MAX:
        stem, ext = os.path.splitext(name)
        ext = ext[:16]
        name = stem[: FILENAME_MAX - len(ext)] + ext
    return name or "tep"


# --- the unit's side --------------------------------------------------------------------


def assignment_set_status(*, assignment: Assignment, user, status: str, reason: str = "") -> Assignment:
    """Set the work's status; 'not_done' needs a reason (kept only for that status).
    After the department returned the work, posting a status (even the same one) sends
    it back for review: the review goes back to ''. Returns the updated assignment.
    Raises PermissionDenied, TrackingError."""
    if status not in Assignment.Status.values:
        raise TrackingError(_("Trạng thái không hợp lệ."))
    reason = _text(reason, required=status == Assignment.Status.NOT_DONE, what=_("lý do không thực hiện"))
    if status != Assignment.Status.NOT_DONE:
        reason = ""
    with transaction.atomic():
        a = _lock(assignment)
        _require_reporter(user, a)
        _require_open(a)
        before = _state(a)
        a.status, a.status_reason = status, reason
        if a.review == Assignment.Review.RETURNED:
            a.review, a.reviewed_by, a.reviewed_at = Assignment.Review.NONE, None, None
        old, new = _state_changes(before, _state(a))
        if old or new:
            a.save(update_fields=["status", "status_reason", "review", "reviewed_by", "reviewed_at", "updated_at"])
            _audit(user, "assignment.status", a, old, new)
    return a


def _state_changes(before: dict, after: dict) -> tuple[dict, dict]:
    """The changed keys; a change of status always names both statuses, which the
    progress chart reads (plans.views_tracking.status_history)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    if keys and "status" not in keys:
        keys.insert(0, "status")
    return {k: before[k] for k in keys}, {k: after[k] for k in keys}


def assignment_add_note(*, assignment: Assignment, user, body: str) -> Comment:
    """A progress note of the unit, in the thread. Raises PermissionDenied, TrackingError."""
    body = _text(body, required=True, what=_("nội dung ghi chú"))
    with transaction.atomic():
        a = _lock(assignment)
        _require_reporter(user, a)
        note = Comment.objects.create(assignment=a, kind=Comment.Kind.PROGRESS, author=user, body=body)
        _audit(user, "assignment.note", a, {}, {"comment": note.pk, "body": body})
    return note


def assignment_add_link(*, assignment: Assignment, user, url: str, title: str = "") -> Evidence:
    """A link to a published article or post (http or https only). Raises
    PermissionDenied, TrackingError."""
    url = (url or "").strip()
    title = (title or "").strip()
    if not url:
        raise TrackingError(_("Chưa nhập liên kết."))
    if len(url) > URL_MAX:
        raise TrackingError(_("Liên kết dài quá %(max)s ký tự.") % {"max": URL_MAX})
    try:
        _http_url(url)
    except ValidationError:
        raise TrackingError(
            _("Liên kết phải là địa chỉ web đầy đủ, bắt đầu bằng http:// hoặc https://.")
        ) from None
    if len(title) > TITLE_MAX:
        raise TrackingError(_("Mô tả dài quá %(max)s ký tự.") % {"max": TITLE_MAX})
    with transaction.atomic():
        a = _lock(assignment)
        _require_reporter(user, a)
        _require_open(a)
        evidence = Evidence.objects.create(assignment=a, kind=Evidence.Kind.LINK, url=url, title=title, created_by=user)
        _audit(user, "assignment.evidence_add", a, {},
               {"evidence": evidence.pk, "kind": "link", "url": url, "title": title})
    return evidence


def assignment_add_file(*, assignment: Assignment, user, data: bytes, filename: str, title: str = "") -> Evidence:
    """An uploaded file (PDF, DOCX, XLSX or an image, by its content), stored under a
    random name with the extension of its detected type; the user's name is kept in
    `filename` only. Raises PermissionDenied, TrackingError."""
    try:
        checked = check_upload(data)
    except UploadRejected as e:
        raise TrackingError(str(e)) from None
    title = (title or "").strip()
    if len(title) > TITLE_MAX:
        raise TrackingError(_("Mô tả dài quá %(max)s ký tự.") % {"max": TITLE_MAX})
    name = clean_filename(filename)
    stored = None
    try:
        with transaction.atomic():
            a = _lock(assignment)
            _require_reporter(user, a)
            _require_open(a)
            evidence = Evidence(
                assignment=a, kind=Evidence.Kind.FILE, title=title, filename=name, mime=checked.mime,
                size=checked.size, sha256=checked.sha256, created_by=user,
            )
            evidence.file.save(f"{uuid.uuid4().hex}.{checked.ext}", ContentFile(checked.data), save=False)
            stored = evidence.file.name
            evidence.save()
            _audit(user, "assignment.evidence_add", a, {}, {
                "evidence": evidence.pk, "kind": "file", "filename": name, "mime": checked.mime,
                "size": checked.size, "sha256": checked.sha256,
            })
    except BaseException:
        # The row is gone with the transaction; the file must go too.
        if stored:
            Evidence._meta.get_field("file").storage.delete(stored)
        raise
    return evidence


def assignment_remove_evidence(*, evidence: Evidence, user) -> None:
    """Remove a link or file, by a reporter of the assignment's unit, while the work
    is not accepted. A file leaves storage once the removal is committed. Raises
    PermissionDenied, TrackingError."""
    with transaction.atomic():
        a = _lock(evidence.assignment)
        _require_reporter(user, a)
        _require_open(a)
        row = Evidence.objects.select_for_update().filter(pk=evidence.pk, assignment=a).first()
        if row is None:
            raise TrackingError(_("Minh chứng này không còn."))
        before = {"evidence": row.pk, "kind": row.kind}
        before.update({"url": row.url, "title": row.title} if row.kind == Evidence.Kind.LINK else
                      {"filename": row.filename, "sha256": row.sha256})
        name = row.file.name
        row.delete()
        _audit(user, "assignment.evidence_remove", a, before, {})
        if name:
            storage = Evidence._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(name))


# --- both sides -------------------------------------------------------------------------


def assignment_comment(*, assignment: Assignment, user, body: str) -> Comment:
    """A message in the thread, from the unit's reporters or the province's officers.
    Raises PermissionDenied, TrackingError."""
    body = _text(body, required=True, what=_("nội dung trao đổi"))
    with transaction.atomic():
        a = _lock(assignment)
        if not (can_report_for(user, a.unit_id) or can_edit_plans(user, a.activity.plan.province_id)):
            raise PermissionDenied
        comment = Comment.objects.create(assignment=a, kind=Comment.Kind.COMMENT, author=user, body=body)
        _audit(user, "assignment.comment", a, {}, {"comment": comment.pk, "body": body})
    return comment


# --- the department's side --------------------------------------------------------------


def assignment_accept(*, assignment: Assignment, user, body: str = "") -> Assignment:
    """Accept the unit's reported result (status done or not done), with an optional
    comment. Raises PermissionDenied, TrackingError."""
    body = _text(body, required=False, what=_("nhận xét"))
    with transaction.atomic():
        a = _lock(assignment)
        _require_officer(user, a)
        if not a.is_closed:
            raise TrackingError(
                _("Chỉ chấp nhận khi đơn vị đã báo cáo hoàn thành hoặc không thực hiện.")
            )
        if a.review == Assignment.Review.ACCEPTED:
            raise TrackingError(_("Kết quả này đã được chấp nhận."))
        return _review(a, user, Assignment.Review.ACCEPTED, Comment.Kind.ACCEPT, body, "assignment.accept")


def assignment_return(*, assignment: Assignment, user, body: str) -> Assignment:
    """Return the work to the unit with a comment saying why (required); an accepted
    result may be returned too, which reopens it. Raises PermissionDenied, TrackingError."""
    body = _text(body, required=True, what=_("lý do trả lại"))
    with transaction.atomic():
        a = _lock(assignment)
        _require_officer(user, a)
        if a.review == Assignment.Review.RETURNED:
            raise TrackingError(_("Kết quả này đã được trả lại và đơn vị chưa cập nhật."))
        if not a.is_closed and a.review != Assignment.Review.ACCEPTED:
            raise TrackingError(_("Đơn vị chưa báo cáo kết quả; hãy dùng trao đổi để nhắc."))
        return _review(a, user, Assignment.Review.RETURNED, Comment.Kind.RETURN, body, "assignment.return")


def _review(a: Assignment, user, review: str, kind: str, body: str, action: str) -> Assignment:
    before = {"review": a.review}
    a.review, a.reviewed_by, a.reviewed_at = review, user, timezone.now()
    a.save(update_fields=["review", "reviewed_by", "reviewed_at", "updated_at"])
    comment = Comment.objects.create(assignment=a, kind=kind, author=user, body=body)
    _audit(user, action, a, before, {"review": review, "comment": comment.pk, "body": body})
    return a
