"""Plan services: import (upload → review → confirm), versions, search and the plan page.

An import is an ordered list of steps, each a function here:

1. `plan_import_upload` reads the file with docparse and resolves every unit mention
   against the directory; the reading is kept on a `PlanImport` as `review` JSON.
2. The officer corrects the review (`plan_review_set_field`, `plan_review_set_mention`,
   `plan_review_add_mention`, `plan_review_remove_mention`).
3. `plan_confirm` writes Plan, PlanPeriods, Activities, Mentions and Assignments in one
   transaction.

`plan_import_file` runs 1 and 3 in one go (the importplan command, the demo loader).

Services that take a `user` raise django.core.exceptions.PermissionDenied when the user
may not edit the province's plans; `user=None` is the system (commands, the demo
loader) and is not checked. Every other refusal is a `PlanImportError` whose message
can be shown to the officer as it is.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

import docparse
from accounts.permissions import can_edit_plans, visible_activities, visible_plans, visible_units
from directory import services as directory_services
from directory.models import Province, Unit, UnitGroup
from planwatch.lib.search import query_words, search_filter

from .diff import plan_diff
from .models import Activity, Assignment, Mention, Plan, PlanImport, PlanPeriod

__all__ = [
    "PlanImportError",
    "build_review",
    "plan_confirm",
    "plan_diff",
    "plan_find_duplicate",
    "plan_import_discard",
    "plan_import_file",
    "plan_import_upload",
    "plan_imports_purge",
    "plan_page_data",
    "plan_review_add_mention",
    "plan_review_remove_mention",
    "plan_review_set_field",
    "plan_review_set_mention",
    "plan_review_unresolved",
    "search_all",
]


class PlanImportError(Exception):
    """An import step was refused; `message` is Vietnamese and meant for the officer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Review fields --------------------------------------------------------------------
# What the officer may edit, with the label used in error messages. Dates are ISO
# strings or None in the review; the rest are strings.
HEADER_FIELDS = {
    "number": "Số, ký hiệu",
    "kind": "Loại văn bản",
    "title": "Trích yếu",
    "issuer": "Cơ quan ban hành",
    "date": "Ngày ban hành",
    "place": "Địa danh",
    "window_start": "Thực hiện từ",
    "window_end": "Thực hiện đến",
    "window_text": "Thời gian thực hiện (nguyên văn)",
}
ACTIVITY_FIELDS = {
    "include": "Đưa vào kế hoạch",
    "ref": "Mục",
    "title": "Tên hoạt động",
    "content": "Nội dung",
    "form": "Hình thức",
    "location": "Địa điểm",
    "duration": "Thời lượng",
    "audience": "Đối tượng",
    "funding": "Kinh phí",
    "time_text": "Thời gian (nguyên văn)",
    "start": "Bắt đầu",
    "end": "Kết thúc",
    "deadline": "Hạn hoàn thành",
}
DATE_FIELDS = {"date", "window_start", "window_end", "start", "end", "deadline"}
REQUIRED_FIELDS = {"title"}
# The model's CharField limits: PostgreSQL enforces them, so they are checked on edit
# and the parser's values are clipped when the review is built.
MAX_LENGTHS = {"number": 100, "kind": 100, "issuer": 300, "place": 100, "ref": 60}
MENTION_MAX = 500
UNRESOLVED = ("ambiguous", "unknown")

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(value: str, label: str) -> str | None:
    """dd/mm/yyyy (also d/m/yyyy, with . or -) or yyyy-mm-dd → ISO; blank → None."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if m := _DMY.match(text):
            return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        if _ISO.match(text):
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise PlanImportError(f"{label}: “{text}” không phải là ngày hợp lệ (nhập theo dạng dd/mm/yyyy).")


def _iso_to_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _clip(value: str | None, field: str) -> str:
    text = (value or "").strip()
    limit = MAX_LENGTHS.get(field)
    return text[:limit] if limit else text


# --- Resolution -----------------------------------------------------------------------


def _resolver(*, province: Province, on: dt.date | None) -> Callable[[str], directory_services.Resolution]:
    """The directory's fastest resolver for one province and date: `UnitResolver`
    loads the directory once for many mentions; `unit_resolve` is the one-off form."""
    if hasattr(directory_services, "UnitResolver"):
        return directory_services.UnitResolver(province=province, on=on).resolve
    return lambda mention: directory_services.unit_resolve(mention=mention, on=on, province=province)


def _mention_entry(*, key: str, role: str, text: str, resolution) -> dict:
    unit, group = resolution.unit, resolution.group
    return {
        "key": key,
        "role": role,
        "text": text,
        "status": resolution.status,
        "unit_id": unit.pk if unit else None,
        "unit_name": unit.name if unit else None,
        "group_id": group.pk if group else None,
        "group_name": group.name if group else None,
        "candidates": [{"id": u.pk, "name": u.name} for u in resolution.candidates],
        "group_candidates": [{"id": g.pk, "name": g.name} for g in getattr(resolution, "group_candidates", [])],
        "method": resolution.method or "",
    }


def _next_key(entries: list[dict], prefix: str) -> str:
    used = [int(e["key"][len(prefix):]) for e in entries if e["key"][len(prefix):].isdigit()]
    return f"{prefix}{max(used, default=-1) + 1}"


# --- Upload ---------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan_find_duplicate(*, data: bytes, province: Province) -> Plan | None:
    """The confirmed Plan of `province` made from exactly these bytes, if any."""
    return Plan.objects.filter(province=province, sha256=_sha256(data)).order_by("pk").first()


def _previous_version(*, province: Province, number: str, sha256: str) -> Plan | None:
    """The latest Plan of `province` with this number (a blank number has none)."""
    if not number:
        return None
    return (
        Plan.objects.filter(province=province, number=number)
        .exclude(sha256=sha256)
        .order_by("-version", "-created_at", "-pk")
        .first()
    )


def build_review(*, parsed: dict, province: Province, sha256: str) -> dict:
    """The review JSON for a parser reading (`docparse.Plan.to_dict()`).

    Every lead and support mention is resolved with the directory of `province` on the
    plan's date. `duplicate_of` is the id of a Plan of the province with the same
    `sha256`; `previous_id` the latest Plan of the province with the same non-empty
    number. Shape (text fields are "" when missing, dates ISO or None):

        {"header": {number, kind, title, issuer, date, place, window_start, window_end, window_text},
         "peaks": [{start, end, text}], "duplicate_of": int|None, "previous_id": int|None,
         "activities": [{key "a0", include True, ref, title, content, form, location, duration,
                         audience, funding, time_text, start, end, deadline, recurrence,
                         span [first, last]|None, notes [...],
                         mentions: [{key "m0", role "lead"|"support", text, status, unit_id,
                                     unit_name, group_id, group_name,
                                     candidates [{id, name}] (units), group_candidates [{id, name}],
                                     method}]}]}
    """
    window = parsed.get("window") or {}
    header = {
        "number": _clip(parsed.get("number"), "number"),
        "kind": _clip(parsed.get("kind"), "kind"),
        "title": _clip(parsed.get("title"), "title"),
        "issuer": _clip(parsed.get("issuer"), "issuer"),
        "date": parsed.get("date") or None,
        "place": _clip(parsed.get("place"), "place"),
        "window_start": window.get("start") or None,
        "window_end": window.get("end") or None,
        "window_text": (window.get("text") or "").strip(),
    }
    resolve = _resolver(province=province, on=_iso_to_date(header["date"]))
    activities = []
    for i, a in enumerate(parsed.get("activities") or []):
        mentions = []
        for role in ("lead", "support"):
            for text in a.get(role) or []:
                text = (text or "").strip()[:MENTION_MAX]
                if text:
                    key = f"m{len(mentions)}"
                    mentions.append(_mention_entry(key=key, role=role, text=text, resolution=resolve(text)))
        span = a.get("span")
        activities.append(
            {
                "key": f"a{i}",
                "include": True,
                "ref": _clip(a.get("ref"), "ref"),
                "title": (a.get("title") or "").strip(),
                **{f: (a.get(f) or "").strip() for f in
                   ("content", "form", "location", "duration", "audience", "funding", "time_text")},
                "start": a.get("start") or None,
                "end": a.get("end") or None,
                "deadline": a.get("deadline") or None,
                "recurrence": a.get("recurrence"),
                "span": list(span) if span else None,
                "notes": list(a.get("notes") or []),
                "mentions": mentions,
            }
        )
    duplicate = Plan.objects.filter(province=province, sha256=sha256).order_by("pk").first()
    previous = _previous_version(province=province, number=header["number"], sha256=sha256)
    return {
        "header": header,
        "peaks": [
            {"start": p.get("start") or None, "end": p.get("end") or None, "text": (p.get("text") or "").strip()}
            for p in parsed.get("peaks") or []
        ],
        "duplicate_of": duplicate.pk if duplicate else None,
        "previous_id": previous.pk if previous else None,
        "activities": activities,
    }


def _check_edit(user, province_id: int | None) -> None:
    if user is not None and not can_edit_plans(user, province_id):
        raise PermissionDenied("Bạn không có quyền nhập hoặc sửa kế hoạch của tỉnh này.")


def plan_import_upload(*, data: bytes, filename: str, province: Province, user) -> PlanImport:
    """Read an uploaded plan and keep it for review.

    Returns a PlanImport (status parsed) holding the stored file, its sha256, the
    parser's JSON in `parsed` and the review (see `build_review`) in `review`.
    Raises PlanImportError when the file is empty, over settings.PLAN_UPLOAD_MAX_BYTES,
    unreadable (docparse.ParseError) or holds no activity; nothing is written then.
    Raises PermissionDenied when `user` may not edit the province's plans."""
    _check_edit(user, province.pk)
    limit = settings.PLAN_UPLOAD_MAX_BYTES
    if not data:
        raise PlanImportError(f"{filename}: tệp rỗng.")
    if len(data) > limit:
        raise PlanImportError(
            f"{filename}: tệp quá lớn ({len(data) / 2**20:.1f} MB); giới hạn là {limit / 2**20:.0f} MB."
        )
    try:
        parsed_plan = docparse.parse(data, name=filename)
    except docparse.ParseError as exc:
        raise PlanImportError(str(exc)) from exc
    if not parsed_plan.activities:
        raise PlanImportError(
            f"{filename}: không tìm thấy hoạt động nào có đơn vị thực hiện; "
            "tệp có phải là một kế hoạch không?"
        )
    parsed = parsed_plan.to_dict()
    sha256 = _sha256(data)
    review = build_review(parsed=parsed, province=province, sha256=sha256)
    plan_import = PlanImport(
        province=province,
        uploaded_by=user,
        filename=filename[:255],
        sha256=sha256,
        size=len(data),
        status=PlanImport.Status.PARSED,
        parsed=parsed,
        review=review,
    )
    # only the base name reaches the storage: a client may send "..\\..\\x.docx"
    stored_name = filename.replace("\\", "/").rsplit("/", 1)[-1][-100:] or "ke-hoach"
    plan_import.file.save(stored_name, ContentFile(data), save=False)
    try:
        plan_import.save()
    except BaseException:
        # the row failed, so the stored file would belong to nothing
        plan_import.file.delete(save=False)
        raise
    return plan_import


# --- Review edits ---------------------------------------------------------------------


@contextmanager
def _review_for_edit(plan_import: PlanImport, user) -> Iterator[dict]:
    """The review of a parsed import, locked against concurrent edits; saved on exit
    unless the body raised. `plan_import` is refreshed with the result."""
    _check_edit(user, plan_import.province_id)
    with transaction.atomic():
        locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        if locked.status != PlanImport.Status.PARSED:
            raise PlanImportError("Lượt nhập này đã được xác nhận hoặc đã hủy; không sửa được nữa.")
        yield locked.review
        locked.save(update_fields=["review"])
    plan_import.review = locked.review
    plan_import.status = locked.status


def _activity_entry(review: dict, key: str) -> dict:
    for a in review.get("activities", []):
        if a["key"] == key:
            return a
    raise PlanImportError("Không tìm thấy hoạt động này trong bản rà soát.")


def _mention(activity: dict, key: str) -> dict:
    for m in activity["mentions"]:
        if m["key"] == key:
            return m
    raise PlanImportError("Không tìm thấy đơn vị này trong hoạt động.")


def _check_order(entry: dict, start: str, end: str, labels: dict) -> None:
    if entry.get(start) and entry.get(end) and entry[start] > entry[end]:
        raise PlanImportError(f"{labels[start]} phải trước hoặc bằng {labels[end].lower()}.")


def plan_review_set_field(
    *, plan_import: PlanImport, user, activity_key: str | None, field: str, value: str
) -> None:
    """Set one field; see plan_review_set_fields."""
    plan_review_set_fields(plan_import=plan_import, user=user, activity_key=activity_key, changes={field: value})


def _field_value(field: str, value, labels: dict):
    label = labels[field]
    value = value if isinstance(value, str) else str(value or "")
    if field == "include":
        return value.strip().lower() in ("on", "true", "1", "yes")
    if field in DATE_FIELDS:
        return _parse_date(value, label)
    new = value.strip()
    if field in REQUIRED_FIELDS and not new:
        raise PlanImportError(f"{label} không được để trống.")
    if field in MAX_LENGTHS and len(new) > MAX_LENGTHS[field]:
        raise PlanImportError(f"{label} dài quá {MAX_LENGTHS[field]} ký tự.")
    return new


def plan_review_set_fields(
    *, plan_import: PlanImport, user, activity_key: str | None, changes: dict[str, str]
) -> None:
    """Set header fields (`activity_key` None: HEADER_FIELDS) or one activity's fields
    (ACTIVITY_FIELDS; `include` takes "on" or "" as a checkbox sends it), all or none.

    Dates take dd/mm/yyyy or yyyy-mm-dd and are stored ISO; blank clears them. Raises
    PlanImportError for an unknown field, an invalid date, a start after its end (checked
    after every change is applied, so a range can move in one call), an empty title, a
    value over the field's length, or an import no longer under review; the stored review
    is then unchanged."""
    labels = HEADER_FIELDS if activity_key is None else ACTIVITY_FIELDS
    for field in changes:
        if field not in labels:
            raise PlanImportError(f"Không sửa được trường “{field}”.")
    values = {field: _field_value(field, value, labels) for field, value in changes.items()}
    with _review_for_edit(plan_import, user) as review:
        entry = review["header"] if activity_key is None else _activity_entry(review, activity_key)
        entry.update(values)
        # raising here leaves the stored review as it was
        if activity_key is None:
            _check_order(entry, "window_start", "window_end", labels)
        else:
            _check_order(entry, "start", "end", labels)


def plan_review_set_mention(
    *,
    plan_import: PlanImport,
    user,
    activity_key: str,
    mention_key: str,
    unit_id: int | None = None,
    group_id: int | None = None,
    ignore: bool = False,
) -> dict:
    """The officer's choice for one mention: a unit (status "unit"), a group ("group"),
    or `ignore` ("ignored": kept, but assigns nobody); method becomes "manual". With
    none of them the mention is resolved again from its text (undoing a choice).

    The unit or group must belong to the import's province or to no province. Returns
    the updated mention entry. Raises PlanImportError otherwise."""
    if (unit_id is not None) + (group_id is not None) + bool(ignore) > 1:
        raise PlanImportError("Chỉ chọn một đơn vị, một nhóm, hoặc bỏ qua.")
    in_province = Q(province_id=plan_import.province_id) | Q(province__isnull=True)
    unit = group = None
    if unit_id is not None:
        unit = Unit.objects.filter(in_province, pk=unit_id).first()
        if unit is None:
            raise PlanImportError("Đơn vị đã chọn không có trong danh mục của tỉnh.")
    if group_id is not None:
        group = UnitGroup.objects.filter(in_province, pk=group_id).first()
        if group is None:
            raise PlanImportError("Nhóm đơn vị đã chọn không có trong danh mục của tỉnh.")
    with _review_for_edit(plan_import, user) as review:
        mention = _mention(_activity_entry(review, activity_key), mention_key)
        if unit or group or ignore:
            status = "unit" if unit else "group" if group else "ignored"
            resolution = directory_services.Resolution(
                mention=mention["text"], status=status, unit=unit, group=group, method="manual"
            )
        else:
            on = _iso_to_date(review["header"].get("date"))
            resolution = _resolver(province=plan_import.province, on=on)(mention["text"])
        mention.update(_mention_entry(key=mention_key, role=mention["role"], text=mention["text"],
                                      resolution=resolution))
        return dict(mention)


def plan_review_add_mention(*, plan_import: PlanImport, user, activity_key: str, role: str, text: str) -> dict:
    """Append a mention the parser missed, resolved like the others; returns its entry.
    Raises PlanImportError for a role other than lead/support or an empty text."""
    text = (text or "").strip()
    if role not in ("lead", "support"):
        raise PlanImportError("Vai trò phải là chủ trì hoặc phối hợp.")
    if not text:
        raise PlanImportError("Nhập tên đơn vị.")
    if len(text) > MENTION_MAX:
        raise PlanImportError(f"Tên đơn vị dài quá {MENTION_MAX} ký tự.")
    with _review_for_edit(plan_import, user) as review:
        activity = _activity_entry(review, activity_key)
        on = _iso_to_date(review["header"].get("date"))
        resolution = _resolver(province=plan_import.province, on=on)(text)
        entry = _mention_entry(key=_next_key(activity["mentions"], "m"), role=role, text=text, resolution=resolution)
        activity["mentions"].append(entry)
        return dict(entry)


def plan_review_remove_mention(*, plan_import: PlanImport, user, activity_key: str, mention_key: str) -> None:
    """Drop a mention the parser read wrongly. Raises PlanImportError if it is not there."""
    with _review_for_edit(plan_import, user) as review:
        activity = _activity_entry(review, activity_key)
        activity["mentions"].remove(_mention(activity, mention_key))


def plan_review_unresolved(review: dict) -> int:
    """Mentions still ambiguous or unknown in the included activities."""
    return sum(
        1
        for a in review.get("activities", [])
        if a.get("include", True)
        for m in a.get("mentions", [])
        if m.get("status") in UNRESOLVED
    )


# --- Confirm --------------------------------------------------------------------------


def _members(group: UnitGroup, on: dt.date | None, cache: dict) -> list[Unit]:
    # The same collective ("các Sở, Ban, ngành") recurs in many activities.
    if group.pk not in cache:
        cache[group.pk] = list(group.members_on(on))
    return cache[group.pk]


def _assignments_for(activity: Activity, mentions: list[Mention], on: dt.date | None, cache: dict) -> list[Assignment]:
    """One Assignment per (unit, role); a lead unit is not also support, and a unit
    named directly wins over the same unit reached through a group."""
    found: dict[tuple[int, str], Assignment] = {}
    for role in (Mention.Role.LEAD, Mention.Role.SUPPORT):
        for mention in (m for m in mentions if m.role == role):
            if mention.status == Mention.Status.UNIT:
                targets = [(mention.unit, None)]
            elif mention.status == Mention.Status.GROUP:
                targets = [(u, mention.group) for u in _members(mention.group, on, cache)]
            else:
                continue
            for unit, via in targets:
                if role == Mention.Role.SUPPORT and (unit.pk, Mention.Role.LEAD) in found:
                    continue
                existing = found.get((unit.pk, role))
                if existing is None:
                    found[(unit.pk, role)] = Assignment(
                        activity=activity, unit=unit, role=role, start=activity.start, end=activity.end,
                        due=activity.deadline or activity.end, via_group=via, mention=mention,
                    )
                elif via is None and existing.via_group is not None:
                    existing.via_group, existing.mention = None, mention
    return list(found.values())


def plan_confirm(*, plan_import: PlanImport, user) -> Plan:
    """Write the reviewed import as a Plan, in one transaction.

    Creates the Plan (with `previous`/`version` when a Plan of the province has the
    same number), its PlanPeriods (peaks), the included Activities in review order, a
    Mention per mention (unresolved and ignored ones too, with no assignment), and the
    Assignments: one per unit mention, one per member of a group mention valid on the
    plan's date (via_group), one per (activity, unit, role), a lead unit never also
    support. The import becomes confirmed with `plan` set.

    Raises PermissionDenied (user may not edit the province), PlanImportError (import
    not under review, same file already confirmed, no title, a chosen unit or group
    no longer in the directory). On any failure nothing is written."""
    _check_edit(user, plan_import.province_id)
    with transaction.atomic():
        imp = PlanImport.objects.select_for_update().select_related("province").get(pk=plan_import.pk)
        if imp.status != PlanImport.Status.PARSED:
            raise PlanImportError("Lượt nhập này đã được xác nhận hoặc đã hủy.")
        review, province = imp.review, imp.province
        header = review["header"]
        duplicate = Plan.objects.filter(province=province, sha256=imp.sha256).order_by("pk").first()
        if duplicate is not None:
            raise PlanImportError(f"Tệp này đã được nhập: kế hoạch {duplicate.number or duplicate.pk}.")
        if not (header.get("title") or "").strip():
            raise PlanImportError("Kế hoạch chưa có trích yếu; nhập trích yếu trước khi xác nhận.")
        previous = _previous_version(province=province, number=header.get("number") or "", sha256=imp.sha256)
        plan_date = _iso_to_date(header.get("date"))
        parsed = imp.parsed
        plan = Plan(
            province=province,
            number=header.get("number") or "",
            kind=header.get("kind") or "",
            title=header["title"].strip(),
            issuer=header.get("issuer") or "",
            date=plan_date,
            place=header.get("place") or "",
            signer=parsed.get("signer") or {},
            recipients=parsed.get("recipients") or [],
            references=parsed.get("references") or [],
            window_start=_iso_to_date(header.get("window_start")),
            window_end=_iso_to_date(header.get("window_end")),
            window_text=header.get("window_text") or "",
            text=parsed.get("text") or "",
            source_name=imp.filename,
            source_format=(parsed.get("source") or {}).get("format", "")[:16],
            sha256=imp.sha256,
            previous=previous,
            version=previous.version + 1 if previous else 1,
            created_by=user,
            is_demo=province.is_demo,
        )
        # The confirmed import keeps its file for good, so the plan shares it.
        plan.file.name = imp.file.name
        if plan.issuer:
            issuer = _resolver(province=province, on=plan_date)(plan.issuer)
            plan.issuer_unit = issuer.unit if issuer.status == "unit" else None
        plan.save()
        PlanPeriod.objects.bulk_create(
            PlanPeriod(plan=plan, start=_iso_to_date(p.get("start")), end=_iso_to_date(p.get("end")),
                       text=p.get("text") or "")
            for p in review.get("peaks", [])
        )

        included = [a for a in review["activities"] if a.get("include", True)]
        unit_ids = {m["unit_id"] for a in included for m in a["mentions"] if m["status"] == "unit"}
        group_ids = {m["group_id"] for a in included for m in a["mentions"] if m["status"] == "group"}
        units = Unit.objects.in_bulk(unit_ids)
        groups = UnitGroup.objects.in_bulk(group_ids)
        mentions_by_activity: list[tuple[Activity, list[Mention]]] = []
        for position, entry in enumerate(included, start=1):
            span = entry.get("span") or [None, None]
            activity = Activity(
                plan=plan, position=position, ref=entry.get("ref") or str(position),
                title=(entry.get("title") or "").strip() or entry.get("ref") or str(position),
                **{f: entry.get(f) or "" for f in
                   ("content", "form", "location", "duration", "audience", "funding", "time_text")},
                start=_iso_to_date(entry.get("start")), end=_iso_to_date(entry.get("end")),
                deadline=_iso_to_date(entry.get("deadline")), recurrence=entry.get("recurrence"),
                span_start=span[0], span_end=span[1], notes=entry.get("notes") or [],
            )
            activity.save()  # save(), not bulk_create: the model builds search_key
            mentions = []
            for m in entry["mentions"]:
                unit = units.get(m["unit_id"]) if m["status"] == "unit" else None
                group = groups.get(m["group_id"]) if m["status"] == "group" else None
                if m["status"] == "unit" and unit is None:
                    raise PlanImportError(
                        f"Hoạt động {activity.ref}: đơn vị đã chọn cho “{m['text']}” không còn trong danh mục; "
                        "chọn lại đơn vị."
                    )
                if m["status"] == "group" and group is None:
                    raise PlanImportError(
                        f"Hoạt động {activity.ref}: nhóm đã chọn cho “{m['text']}” không còn trong danh mục; "
                        "chọn lại."
                    )
                mentions.append(Mention(activity=activity, role=m["role"], text=m["text"][:MENTION_MAX],
                                        status=m["status"], unit=unit, group=group, method=m.get("method") or ""))
            mentions_by_activity.append((activity, mentions))
        Mention.objects.bulk_create([m for _, ms in mentions_by_activity for m in ms])
        cache: dict[int, list[Unit]] = {}
        Assignment.objects.bulk_create(
            [x for activity, ms in mentions_by_activity for x in _assignments_for(activity, ms, plan_date, cache)]
        )
        imp.status = PlanImport.Status.CONFIRMED
        imp.plan = plan
        imp.save(update_fields=["status", "plan"])
    plan_import.status, plan_import.plan = imp.status, plan
    return plan


def plan_import_file(
    *, data: bytes, filename: str, province: Province, user=None, confirm: bool = True
) -> Plan | PlanImport:
    """Upload and, with `confirm`, confirm in one go (the importplan command, the demo
    loader). A file already confirmed in the province returns that Plan, writing
    nothing. Returns the new Plan, or the PlanImport when `confirm` is False. Raises
    what plan_import_upload and plan_confirm raise."""
    existing = plan_find_duplicate(data=data, province=province)
    if existing is not None:
        return existing
    plan_import = plan_import_upload(data=data, filename=filename, province=province, user=user)
    if not confirm:
        return plan_import
    try:
        return plan_confirm(plan_import=plan_import, user=user)
    except Exception:
        # an unconfirmable import would only wait for the purge
        _import_delete(plan_import)
        raise


def _import_delete(plan_import: PlanImport) -> None:
    name = plan_import.file.name
    plan_import.delete()
    if name and not Plan.objects.filter(file=name).exists():
        plan_import.file.storage.delete(name)


def plan_import_discard(*, plan_import: PlanImport, user) -> None:
    """The officer drops an import under review: its file is deleted and it is marked
    discarded (the purge removes the row). Raises PlanImportError if it is confirmed."""
    _check_edit(user, plan_import.province_id)
    with transaction.atomic():
        imp = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        if imp.status == PlanImport.Status.CONFIRMED:
            raise PlanImportError("Lượt nhập đã được xác nhận; không hủy được.")
        name = imp.file.name
        imp.status = PlanImport.Status.DISCARDED
        imp.file.name = ""
        imp.save(update_fields=["status", "file"])
    if name:
        imp.file.storage.delete(name)
    plan_import.status, plan_import.file.name = imp.status, ""


def plan_imports_purge(*, older_than_days: int = 30) -> int:
    """Delete imports never confirmed (under review, failed, discarded) created more
    than `older_than_days` ago, with their files; returns how many. Used by the
    periodic task in plans.tasks."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    stale = list(PlanImport.objects.exclude(status=PlanImport.Status.CONFIRMED).filter(created_at__lt=cutoff))
    for plan_import in stale:
        _import_delete(plan_import)
    return len(stale)


# --- Search ---------------------------------------------------------------------------


def search_all(*, user, query: str, limit: int = 50) -> dict[str, list]:
    """Plans, activities and units the user may see whose folded text contains every
    word of `query`, ignoring case and diacritics ("dak nong" finds "Đắk Nông").
    Returns {"plans": [Plan], "activities": [Activity with plan], "units": [Unit]},
    at most `limit` of each; all empty for a blank query."""
    if not query_words(query):
        return {"plans": [], "activities": [], "units": []}

    def matching(qs):
        return search_filter(qs, query)

    plans = matching(visible_plans(user)).order_by("-date", "-pk")
    activities = matching(visible_activities(user)).select_related("plan").order_by("-plan__date", "plan_id", "position")
    units = matching(visible_units(user)).order_by("name")
    return {"plans": list(plans[:limit]), "activities": list(activities[:limit]), "units": list(units[:limit])}


# --- Plan page ------------------------------------------------------------------------


def _bar(start: dt.date | None, end: dt.date | None, lo: dt.date, days: int) -> dict | None:
    """Left offset and width on the timeline, in percent of its length."""
    if start is None and end is None:
        return None
    start = start or end
    end = end or start
    return {
        "offset": round((start - lo).days / days * 100, 3),
        "width": round(((end - start).days + 1) / days * 100, 3),
    }


def plan_page_data(*, plan: Plan, user=None, today: dt.date | None = None) -> dict:
    """What the plan page shows, in a fixed number of queries whatever the plan's size.

    With `user`, only the activities that user may see (accounts.permissions). Returns:
        {"plan", "today",
         "activities": [{"activity", "lead_units": [names], "support_units": [names],
                         "lead_count", "support_count", "done_count", "overdue_count",
                         "unresolved": mentions still ambiguous/unknown,
                         "bar": {"offset", "width"} (percent) | None,
                         "open_ended": start without end or deadline}],
         "peaks": [{"period": PlanPeriod, "bar"}],
         "timeline": {"start", "end", "days", "today_offset" (percent | None)} | None,
         "diff": plan_diff(old=plan.previous, new=plan) | None}
    The timeline runs from the earliest to the latest date among the activities'
    start/end/deadline, the plan's window and its peaks."""
    today = today or timezone.localdate()
    activities = list(plan.activities.order_by("position"))
    if user is not None:
        visible = set(visible_activities(user).filter(plan=plan).values_list("pk", flat=True))
        activities = [a for a in activities if a.pk in visible]
    rows = Assignment.objects.filter(activity__plan=plan).values_list(
        "activity_id", "role", "unit__name", "unit__short_name", "status", "due", "end"
    ).order_by("activity_id", "unit__name")
    by_activity: dict[int, list] = defaultdict(list)
    for row in rows:
        by_activity[row[0]].append(row)
    unresolved = dict(
        Mention.objects.filter(activity__plan=plan, status__in=UNRESOLVED)
        .values_list("activity_id").annotate(n=Count("pk")).values_list("activity_id", "n")
    )
    peaks = list(plan.peaks.all())

    dates = [d for a in activities for d in (a.start, a.end, a.deadline) if d]
    dates += [d for d in (plan.window_start, plan.window_end) if d]
    dates += [d for p in peaks for d in (p.start, p.end) if d]
    timeline = None
    if dates:
        lo, hi = min(dates), max(dates)
        days = (hi - lo).days + 1
        timeline = {
            "start": lo, "end": hi, "days": days,
            "today_offset": round((today - lo).days / days * 100, 3) if lo <= today <= hi else None,
        }

    closed = (Assignment.Status.DONE, Assignment.Status.NOT_DONE)
    items = []
    for a in activities:
        lead, support = [], []
        done = overdue = 0
        for _, role, name, short_name, status, due, end in by_activity.get(a.pk, []):
            (lead if role == Assignment.Role.LEAD else support).append(short_name or name)
            done += status == Assignment.Status.DONE
            limit = due or end
            overdue += bool(limit and limit < today and status not in closed)
        bar = None
        if timeline:
            open_end = timeline["end"] if a.start and not (a.end or a.deadline) else None
            bar = _bar(a.start, a.end or open_end or a.deadline, timeline["start"], timeline["days"])
        items.append({
            "activity": a, "lead_units": lead, "support_units": support,
            "lead_count": len(lead), "support_count": len(support),
            "done_count": done, "overdue_count": overdue, "unresolved": unresolved.get(a.pk, 0),
            "bar": bar, "open_ended": bool(a.start and not (a.end or a.deadline)),
        })
    return {
        "plan": plan,
        "today": today,
        "activities": items,
        "peaks": [
            {"period": p, "bar": _bar(p.start, p.end, timeline["start"], timeline["days"]) if timeline else None}
            for p in peaks
        ],
        "timeline": timeline,
        "diff": plan_diff(old=plan.previous, new=plan) if plan.previous_id else None,
    }
