"""Report requests and submissions: building a request, opening it, the units' answers
and the department's review. Every function validates first, then writes in one
transaction together with its audit event."""
from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_event, audit_record
from directory.models import Unit, UnitGroup
from directory.services import group_expand
from planwatch.lib.http import http_url
from planwatch.lib.statements import Select, insert_first, insert_new
from planwatch.lib.uploads import CheckedFile

from .models import Metric, ReportRequest, Submission, SubmissionFile, Target

MAX_METRICS = 60
MAX_TARGETS = 5000
MAX_FILES_PER_METRIC = 10


class ReportError(ValueError):
    """A request or submission was refused; `errors` maps a field (metric key, or "")
    to messages for the user."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"": [errors]}
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))


@dataclass
class MetricSpec:
    label: str
    kind: str
    help: str = ""
    required: bool = False
    activity_id: int | None = None


@dataclass
class RequestData:
    title: str
    deadline: dt.datetime
    description: str = ""
    written_deadline: dt.date | None = None
    remind_days: int = 3
    unit_ids: list[int] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    metrics: list[MetricSpec] | None = None  # None: keep the metrics as they are


def _check_officer(user, request_or_plan) -> None:
    if not (user.is_authenticated and user.can_edit_province(request_or_plan.province_id)):
        raise PermissionDenied


def _targets_wanted(*, plan, province_id: int, unit_ids: Iterable[int], group_ids: Iterable[int]) -> dict[int, int | None]:
    """{unit id: via group id or None} for the units picked directly and through groups.
    Groups expand on the plan's date (today when the plan has none); units must belong
    to the province or to none (central press)."""
    on = plan.date or timezone.localdate()
    wanted: dict[int, int | None] = {}
    for group in UnitGroup.objects.filter(pk__in=list(group_ids)):
        for unit in group_expand(group=group, on=on):
            wanted.setdefault(unit.pk, group.pk)
    for pk in unit_ids:
        wanted[int(pk)] = None
    allowed = set(
        Unit.objects.filter(pk__in=list(wanted)).filter(
            models_q_province(province_id)
        ).values_list("pk", flat=True)
    )
    outside = set(wanted) - allowed
    if outside:
        raise ReportError(_("Có đơn vị không thuộc tỉnh của kế hoạch."))
    if len(wanted) > MAX_TARGETS:
        raise ReportError(_("Quá nhiều đơn vị (tối đa %(n)d).") % {"n": MAX_TARGETS})
    return wanted


def models_q_province(province_id: int):
    from django.db.models import Q

    return Q(province_id=province_id) | Q(province__isnull=True)


def _write_metrics(request: ReportRequest, specs: list[MetricSpec]) -> None:
    if len(specs) > MAX_METRICS:
        raise ReportError(_("Tối đa %(n)d chỉ tiêu.") % {"n": MAX_METRICS})
    valid_kinds = set(Metric.Kind.values)
    activity_ids = set(request.plan.activities.values_list("pk", flat=True))
    rows = []
    for i, spec in enumerate(specs):
        label = spec.label.strip()
        if not label:
            continue
        if spec.kind not in valid_kinds:
            raise ReportError(_("Kiểu chỉ tiêu không hợp lệ: %(k)s") % {"k": spec.kind[:20]})
        if spec.activity_id is not None and spec.activity_id not in activity_ids:
            raise ReportError(_("Hoạt động không thuộc kế hoạch này."))
        rows.append(Metric(request=request, position=i, label=label[:500], kind=spec.kind,
                           help=spec.help.strip()[:500], required=spec.required, activity_id=spec.activity_id))
    request.metrics.all().delete()
    Metric.objects.bulk_create(rows)
    metrics_changed(request)


def metrics_changed(request: ReportRequest) -> None:
    """Call after any change to the metrics of `request`, in the same transaction: the
    metrics kept in memory under its old version are then no longer used."""
    ReportRequest.objects.filter(pk=request.pk).update(metrics_version=models.F("metrics_version") + 1)
    request.refresh_from_db(fields=["metrics_version"])


def _write_targets(request: ReportRequest, wanted: dict[int, int | None]) -> None:
    existing = {t.unit_id: t for t in request.targets.all()}
    answered = set(request.submissions.values_list("unit_id", flat=True))
    dropped = [uid for uid in existing if uid not in wanted]
    if any(uid in answered for uid in dropped):
        raise ReportError(_("Không thể bỏ đơn vị đã có báo cáo."))
    request.targets.filter(unit_id__in=dropped).delete()
    Target.objects.bulk_create(
        [Target(request=request, unit_id=uid, via_group_id=gid) for uid, gid in wanted.items() if uid not in existing]
    )


def _check_request_data(data: RequestData) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Cần nhập tiêu đề.")]
    if data.deadline is None:
        errors["deadline"] = [_("Cần nhập hạn báo cáo.")]
    if not 0 <= data.remind_days <= 60:
        errors["remind_days"] = [_("Số ngày nhắc phải từ 0 đến 60.")]
    if errors:
        raise ReportError(errors)


def request_create(*, user, plan, data: RequestData) -> ReportRequest:
    """A new request (status draft) for `plan`, with its metrics and target units."""
    _check_officer(user, plan)
    _check_request_data(data)
    wanted = _targets_wanted(plan=plan, province_id=plan.province_id, unit_ids=data.unit_ids, group_ids=data.group_ids)
    with transaction.atomic():
        request = ReportRequest.objects.create(
            plan=plan, province_id=plan.province_id, title=data.title.strip()[:500], description=data.description.strip(),
            deadline=data.deadline, written_deadline=data.written_deadline, remind_days=data.remind_days, created_by=user,
        )
        request.groups.set(data.group_ids)
        _write_metrics(request, data.metrics or [])
        _write_targets(request, wanted)
        audit_record(actor=user, action="request.create", obj=request, province=plan.province,
                     after={"title": request.title, "targets": len(wanted), "metrics": request.metrics.count()})
    return request


def request_update(*, user, request: ReportRequest, data: RequestData) -> ReportRequest:
    """Change a request. Its metrics change only while it is a draft (answers refer to
    them); target units can be added at any time, and dropped while they have no answer."""
    _check_officer(user, request)
    _check_request_data(data)
    if data.metrics is not None and (request.status != ReportRequest.Status.DRAFT or request.submissions.exists()):
        # answers refer to the metrics (and their files hang off them): never rewrite them
        raise ReportError(_("Chỉ sửa được chỉ tiêu khi yêu cầu còn đang soạn và chưa có đơn vị nào báo cáo."))
    wanted = _targets_wanted(plan=request.plan, province_id=request.province_id, unit_ids=data.unit_ids,
                             group_ids=data.group_ids)
    with transaction.atomic():
        request = ReportRequest.objects.select_for_update().get(pk=request.pk)
        before = {"title": request.title, "deadline": request.deadline, "written_deadline": request.written_deadline,
                  "targets": request.targets.count()}
        request.title = data.title.strip()[:500]
        request.description = data.description.strip()
        request.deadline = data.deadline
        request.written_deadline = data.written_deadline
        request.remind_days = data.remind_days
        request.save()
        request.groups.set(data.group_ids)
        if data.metrics is not None:
            _write_metrics(request, data.metrics)
        _write_targets(request, wanted)
        audit_record(actor=user, action="request.update", obj=request, province=request.province, before=before,
                     after={"title": request.title, "deadline": request.deadline,
                            "written_deadline": request.written_deadline, "targets": len(wanted)})
    return request


def request_set_status(*, user, request: ReportRequest, status: str) -> ReportRequest:
    """Open a request for answers, or close it. Opening needs at least one metric and one unit."""
    _check_officer(user, request)
    if status not in ReportRequest.Status.values:
        raise ReportError(_("Trạng thái không hợp lệ."))
    with transaction.atomic():
        request = ReportRequest.objects.select_for_update().get(pk=request.pk)
        if status == ReportRequest.Status.OPEN and (not request.metrics.exists() or not request.targets.exists()):
            raise ReportError(_("Cần ít nhất một chỉ tiêu và một đơn vị trước khi mở nhận báo cáo."))
        if status == ReportRequest.Status.DRAFT and request.submissions.exists():
            raise ReportError(_("Đã có đơn vị báo cáo: không đưa yêu cầu về trạng thái đang soạn được."))
        before = {"status": request.status}
        request.status = status
        request.save(update_fields=["status"])
        audit_record(actor=user, action="request.status", obj=request, province=request.province,
                     before=before, after={"status": status})
    return request


def target_token_renew(*, user, target: Target, revoke: bool = False) -> Target:
    """Replace a unit's token link (the old one stops working), or revoke it."""
    from planwatch.lib import tokens

    _check_officer(user, target.request)
    with transaction.atomic():
        target = Target.objects.select_for_update().get(pk=target.pk)
        target.token_nonce = "" if revoke else tokens.new_nonce()
        target.token_revoked_at = timezone.now() if revoke else None
        target.save(update_fields=["token_nonce", "token_revoked_at"])
        audit_record(actor=user, action="target.token_revoke" if revoke else "target.token_renew", obj=target,
                     province=target.request.province, unit=target.unit)
    return target


def target_by_token(token: str) -> Target | None:
    """The target a token link belongs to, with its request and unit, or None
    (malformed, unknown or revoked)."""
    from planwatch.lib import tokens

    pk = tokens.split(token)
    if pk is None:
        return None
    rows = _TARGET_BY_ID.run(pk)
    if not rows:
        return None
    target, request, unit = rows[0]
    target.request, target.unit = request, unit
    return target if target.check_token(token) else None


# (request id, slug, metrics_version) -> its metrics, most recently used last. A request's
# metrics are read with every answer, and change only while it is a draft; the version
# says when they did, and the random slug keeps a reused id (a rolled-back row on SQLite)
# from meeting another request's metrics.
_METRIC_SETS: OrderedDict[tuple, tuple[Metric, ...]] = OrderedDict()
_METRIC_SETS_MAX = 256
_METRIC_SETS_LOCK = threading.Lock()


def request_metrics(request: ReportRequest) -> list[Metric]:
    """The metrics of `request` in their order (as `request.metrics.all()`). The rows
    are shared between answers in this process: read them, do not change them."""
    key = (request.pk, request.slug, request.metrics_version)
    with _METRIC_SETS_LOCK:  # threaded web workers share it
        metrics = _METRIC_SETS.get(key)
        if metrics is not None:
            _METRIC_SETS.move_to_end(key)
            return list(metrics)
    metrics = tuple(metric for metric, in _METRICS_OF_REQUEST.run(request.pk))
    with _METRIC_SETS_LOCK:
        _METRIC_SETS[key] = metrics
        while len(_METRIC_SETS) > _METRIC_SETS_MAX:
            _METRIC_SETS.popitem(last=False)
    return list(metrics)


# --- the reads of a token-link answer, written out once -----------------------------------
# A deadline brings every unit at once (issue 4, bench/rush.py). On that path the ORM took
# several times longer to compile each query than the database took to run it, so its
# reads are plain SQL built once (planwatch.lib.statements); its writes use insert_first
# (a first answer) and insert_new.

# Only the columns an answer needs: wide rows of three tables cost more than the query.
_TARGET_BY_ID = Select(
    [(Target, "t", ["id", "request", "unit", "token_nonce"]),
     (ReportRequest, "r", ["id", "plan", "province", "title", "description", "slug", "status", "deadline",
                           "written_deadline", "metrics_version"]),
     (Unit, "u", ["id", "name", "kind", "province"])],
    "FROM reporting_target t JOIN reporting_reportrequest r ON r.id = t.request_id "
    "JOIN directory_unit u ON u.id = t.unit_id WHERE t.id = %s")
_METRICS_OF_REQUEST = Select([(Metric, "m", None)],
                              "FROM reporting_metric m WHERE m.request_id = %s ORDER BY m.position, m.id")
_SUBMISSION_LOCKED = Select([(Submission, "s", None)],
                             "FROM reporting_submission s WHERE s.request_id = %s AND s.unit_id = %s", lock=True)


# --- answers ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = 10_000
MAX_URLS = 200
MAX_COUNT = 10**9


def clean_value(metric: Metric, raw) -> tuple[object | None, str | None]:
    """(value, None) or (None, message) for one raw answer (a string from a form, or
    already typed). An empty answer is (None, None)."""
    kind = metric.kind
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return None, None
    if kind == Metric.Kind.COUNT:
        try:
            n = int(str(raw).strip().replace(".", "").replace(",", "")) if not isinstance(raw, int) else raw
        except ValueError:
            return None, _("Cần nhập một số nguyên.")
        if not 0 <= n <= MAX_COUNT:
            return None, _("Số phải từ 0 đến %(n)d.") % {"n": MAX_COUNT}
        return n, None
    if kind == Metric.Kind.BOOLEAN:
        if isinstance(raw, bool):
            return raw, None
        v = str(raw).strip().lower()
        if v in ("yes", "true", "1", "co", "có"):
            return True, None
        if v in ("no", "false", "0", "khong", "không"):
            return False, None
        return None, _("Chọn Có hoặc Không.")
    if kind == Metric.Kind.DATE:
        if isinstance(raw, dt.date):
            return raw.isoformat(), None
        v = str(raw).strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(v, fmt).date().isoformat(), None
            except ValueError:
                pass
        return None, _("Ngày không hợp lệ (dd/mm/yyyy).")
    if kind == Metric.Kind.TEXT:
        v = _CONTROL.sub("", str(raw)).strip()
        if len(v) > MAX_TEXT:
            return None, _("Tối đa %(n)d ký tự.") % {"n": MAX_TEXT}
        return v, None
    if kind == Metric.Kind.URLS:
        lines = raw if isinstance(raw, list) else str(raw).splitlines()
        urls = [u.strip() for u in lines if u and u.strip()]
        if len(urls) > MAX_URLS:
            return None, _("Tối đa %(n)d liên kết.") % {"n": MAX_URLS}
        bad = [u for u in urls if len(u) > 2000 or not http_url(u, typed=True)]
        if bad:
            return None, _("Liên kết không hợp lệ (cần bắt đầu bằng http:// hoặc https://): %(u)s") % {"u": bad[0][:100]}
        return list(dict.fromkeys(urls)), None
    return None, None  # file metrics are answered by uploads


@dataclass
class Answer:
    """A unit's answer as posted: raw values by metric key, new files by metric key,
    and ids of earlier files to drop."""

    values: dict[str, object] = field(default_factory=dict)
    files: dict[str, list[tuple[str, CheckedFile]]] = field(default_factory=dict)  # key: [(name, checked)]
    remove_file_ids: list[int] = field(default_factory=list)


def _who(user, target: Target | None) -> tuple[object | None, str]:
    if user is not None and user.is_authenticated:
        return user, ""
    return None, _("Liên kết riêng: %(u)s") % {"u": target.unit.name if target else "?"}


def submission_save(*, request: ReportRequest, unit: Unit, answer: Answer, submit: bool, user=None,
                    via_token: bool = False, now: dt.datetime | None = None,
                    target: Target | None = None, metrics: list[Metric] | None = None) -> Submission:
    """Save a unit's answer as a draft, or submit it.

    Rules: the request must be open; the unit must be one of its targets. Before the
    deadline a unit may save, submit and edit freely. After it, a unit whose answer was
    not yet sent may still submit (flagged late), and a returned answer may be fixed;
    a sent answer can no longer be changed. Required metrics are checked on submit only.
    `target` and `metrics` may be passed when the caller has them already (the rush
    path of token links reads each row once). Raises ReportError (nothing written) or
    PermissionDenied."""
    now = now or timezone.now()
    if request.status != ReportRequest.Status.OPEN:
        raise ReportError(_("Yêu cầu báo cáo này không còn nhận báo cáo."))
    if target is None or target.request_id != request.pk or target.unit_id != unit.pk:
        target = Target.objects.filter(request=request, unit=unit).order_by().first()
    if target is None:
        raise PermissionDenied
    metrics = {m.key: m for m in (metrics if metrics is not None else request_metrics(request))}
    values: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for key, raw in answer.values.items():
        metric = metrics.get(str(key))
        if metric is None or metric.kind == Metric.Kind.FILE:
            continue
        value, error = clean_value(metric, raw)
        if error:
            errors.setdefault(metric.key, []).append(error)
        elif value is not None:
            values[metric.key] = value
    for key, files in answer.files.items():
        metric = metrics.get(str(key))
        if metric is None or metric.kind != Metric.Kind.FILE:
            errors.setdefault("", []).append(_("Tệp gửi cho chỉ tiêu không nhận tệp."))
    if errors:
        raise ReportError(errors)

    actor, label = _who(user, target)
    if not answer.files and not answer.remove_file_ids:
        submission = _first_answer(request, unit, metrics, values, submit, actor, label, via_token, now)
        if submission is not None:
            return submission
    try:
        with transaction.atomic():
            # at most one row (the unique constraint)
            rows = _SUBMISSION_LOCKED.run(request.pk, unit.pk)
            submission = rows[0][0] if rows else None
            created = submission is None
            if created:  # written once, at the end (one INSERT); the constraint catches a twin
                submission = Submission(request=request, unit=unit)
            return _save_locked(submission, created, request, metrics, values, answer, submit, actor, label,
                                via_token, now, target)
    except IntegrityError:
        # Two first answers of the same unit at once: the other one created the row; retry once on it.
        with transaction.atomic():
            submission = Submission.objects.select_for_update().order_by().get(request=request, unit=unit)
            return _save_locked(submission, False, request, metrics, values, answer, submit, actor, label,
                                via_token, now, target)


def _first_answer(request, unit, metrics, values, submit, actor, label, via_token, now) -> Submission | None:
    """The unit's first answer, without files, written with its audit event in one go
    (insert_first: a single statement on PostgreSQL). None when the unit has answered
    before (nothing written: the caller takes the locked path, whose rules cover an
    existing answer), when a required metric is missing (the locked path says which),
    or when the database cannot do it."""
    if submit and _missing(metrics, values):
        return None
    submission = Submission(request=request, unit=unit)
    before = {"status": submission.status, "values": {}}
    _fill(submission, values, submit, actor, via_token, now, late=now > request.deadline)
    event = audit_event(actor=actor, actor_label=label, action="submission.submit" if submit else "submission.save",
                        obj=submission, province=request.province_id, unit=unit.pk, before=before,
                        after={"status": submission.status, "values": values, "late": submission.is_late})
    return submission if insert_first(submission, event, "object_id") else None


def _missing(metrics: dict[str, Metric], answered) -> list[Metric]:
    """The required metrics not in `answered` (keys)."""
    return [m for m in metrics.values() if m.required and m.key not in answered]


def _fill(submission, values, submit, actor, via_token, now, *, late: bool) -> None:
    """Set the answer's values and, when it is sent, its sending fields. A draft save
    keeps a returned answer "returned" until it is sent again."""
    submission.values = values
    if submit:
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = now
        if submission.first_submitted_at is None:
            submission.first_submitted_at = now
            submission.is_late = late
        submission.submitted_by = actor
        submission.via_token = via_token


def _save_locked(submission, created, request, metrics, values, answer, submit, actor, label, via_token, now, target):
    late = now > request.deadline
    if submission.is_sent and (late or submission.status == Submission.Status.APPROVED):
        raise ReportError(_("Báo cáo đã gửi và đã hết hạn chỉnh sửa.") if late
                          else _("Báo cáo đã được duyệt, không sửa được nữa."))
    if submission.is_sent and not submit:
        raise ReportError(_("Báo cáo đã gửi: bấm “Gửi báo cáo” để cập nhật."))
    before = {"status": submission.status, "values": dict(submission.values)}

    # Files: keep the earlier ones not removed, add the new ones. Everything is checked
    # before the first file is written, so a refusal leaves no file behind.
    removed = set(answer.remove_file_ids)
    if removed:  # only this submission's own files can be removed
        removed = set() if created else set(submission.files.filter(pk__in=removed).values_list("pk", flat=True))
    file_values: dict[str, list[int]] = {}
    for key, metric in metrics.items():
        if metric.kind == Metric.Kind.FILE and not created:
            ids = [i for i in submission.values.get(key, []) if i not in removed]
            if ids:
                file_values[key] = ids
    for key, items in answer.files.items():
        if len(file_values.get(key, [])) + len(items) > MAX_FILES_PER_METRIC:
            raise ReportError({key: [_("Tối đa %(n)d tệp cho mỗi chỉ tiêu.") % {"n": MAX_FILES_PER_METRIC}]})
    if submit:
        answered = set(values) | set(file_values) | {k for k, items in answer.files.items() if items}
        missing = _missing(metrics, answered)
        if missing:
            raise ReportError({m.key: [_("Chỉ tiêu bắt buộc.")] for m in missing})

    if removed:
        submission.files.filter(pk__in=removed).delete()
    if created and answer.files:
        submission.save()  # the files need its id
    for key, items in answer.files.items():
        for name, checked in items:
            row = SubmissionFile(submission=submission, metric=metrics[key], filename=name[:255],
                                 mime=checked.mime, size=checked.size, sha256=checked.sha256)
            row.file.save(f"{checked.sha256[:16]}.{checked.ext}", ContentFile(checked.data), save=False)
            row.save()
            file_values.setdefault(key, []).append(row.pk)
    values.update(file_values)

    _fill(submission, values, submit, actor, via_token, now, late=late)
    if submission.pk is None:
        insert_new(submission)  # the first answer of this unit
    else:
        submission.save()
    audit_record(actor=actor, actor_label=label, action="submission.submit" if submit else "submission.save",
                 obj=submission, province=request.province_id, unit=submission.unit_id, before=before,
                 after={"status": submission.status, "values": values, "late": submission.is_late})
    return submission


def submission_review(*, user, submission: Submission, approve: bool, comment: str = "") -> Submission:
    """Approve a sent answer, or return it to the unit with a comment (required)."""
    _check_officer(user, submission.request)
    comment = _CONTROL.sub("", comment or "").strip()
    if not approve and not comment:
        raise ReportError({"comment": [_("Cần ghi ý kiến khi trả lại báo cáo.")]})
    if len(comment) > MAX_TEXT:
        raise ReportError({"comment": [_("Tối đa %(n)d ký tự.") % {"n": MAX_TEXT}]})
    with transaction.atomic():
        submission = Submission.objects.select_for_update().select_related("request", "unit").get(pk=submission.pk)
        if submission.status not in (Submission.Status.SUBMITTED, Submission.Status.APPROVED):
            raise ReportError(_("Chỉ xem xét được báo cáo đã gửi."))
        before = {"status": submission.status, "review_comment": submission.review_comment}
        submission.status = Submission.Status.APPROVED if approve else Submission.Status.RETURNED
        submission.review_comment = comment
        submission.reviewed_by = user
        submission.reviewed_at = timezone.now()
        submission.save()
        audit_record(actor=user, action="submission.approve" if approve else "submission.return", obj=submission,
                     province=submission.request.province, unit=submission.unit, before=before,
                     after={"status": submission.status, "review_comment": comment})
    return submission


def request_progress(request: ReportRequest) -> dict[str, int]:
    """Counts of targets by answer state, for the request page: none, draft, submitted,
    returned, approved, late."""
    counts = {s: 0 for s in Submission.Status.values}
    late = 0
    for status, is_late in request.submissions.values_list("status", "is_late"):
        counts[status] += 1
        late += bool(is_late)
    counts["none"] = request.targets.count() - sum(counts.values())
    counts["late"] = late
    return counts
