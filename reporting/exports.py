"""Exports: the XLSX workbook and the DOCX/PDF report of a request, and the reminder
letter ("công văn đôn đốc") of a request or of a plan activity.

    export_request(kind=..., request=..., user=..., params={...})  # the view calls this
    export_build(export_id=...)                                     # the queue job runs this

Every kind has one builder in BUILDERS: a function of the Export that returns the whole
file in memory (Built). export_build saves the file only once the builder has finished,
so a failure leaves the Export "failed" with its error and no file.

Params (all optional, JSON): parent_body, issuer, number, symbol, place, date (ISO),
signer {authority, position, name}, recipients [str]; for the reminder also list
("request" | "activity"), request_id, activity_id, addressees [str], due (ISO).
"""
from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from functools import partial
from typing import Callable

import xlsxwriter
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plans.models import Activity, Assignment, Plan
from planwatch.lib import charts, qr
from planwatch.lib.officialdoc import ConversionError, OfficialDocument, Signer, to_pdf, xml_safe
from planwatch.lib.text import fold

from .aggregate import Aggregate, MetricTotal, UnitRow, number_vi, request_aggregate
from .models import Export, Metric, ReportRequest
from .tasks import export_build_task

logger = logging.getLogger(__name__)

XLSX_MAX_CELL = 32767  # Excel's limit on the characters of one cell
INLINE_LIST_MAX = 15  # up to this many units are named in the sentence, more go in a table
CHART_BARS_MAX = 30
DOCUMENT_LANGUAGE = "vi"  # official documents are Vietnamese


class ExportError(Exception):
    """A builder cannot make the file; the message is shown to the officer as is."""


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str


# --- the service and the job ------------------------------------------------------------


def export_request(*, kind: str, request: ReportRequest | None = None, plan: Plan | None = None, user,
                   params: dict | None = None) -> Export:
    """Create an Export in status queued and enqueue its build once the transaction
    commits. A reminder may be about a request or a plan (its activity in
    params["activity_id"]); the other kinds need a request.
    Raises ValueError for an unknown kind or a missing request/plan."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown export kind {kind!r}")
    if request is None and (kind != Export.Kind.REMINDER or plan is None):
        raise ValueError(f"a {kind} export needs a report request")
    if request is not None and plan is not None and request.plan_id != plan.pk:
        raise ValueError("the request does not belong to the plan")
    with transaction.atomic():
        export = Export.objects.create(
            kind=kind, request=request, plan=plan if request is None else None, params=dict(params or {}),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        transaction.on_commit(partial(export_build_task, export.pk))
    return export


def export_build(*, export_id: int) -> Export:
    """Build the file of Export `export_id`: queued → running → done (file saved) or
    failed (error set, no file). An export that is not queued (already built, or taken
    by another worker) is returned untouched. Returns the Export."""
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(status=Export.Status.RUNNING)
    export = Export.objects.select_related("request__plan", "request__province", "plan__province", "created_by").get(
        pk=export_id
    )
    if not claimed:
        return export
    error = ""
    try:
        with translation.override(DOCUMENT_LANGUAGE):  # whatever language the officer reads the site in
            built = BUILDERS[export.kind](export)
    except ExportError as exc:
        error = str(exc)
    except ConversionError as exc:
        error = _("Không chuyển được sang PDF: %(reason)s") % {"reason": exc}
    except Exception as exc:  # a bug must fail this export, not the worker
        logger.exception("export %s (%s) failed", export.pk, export.kind)
        error = _("Lỗi khi tạo tệp: %(type)s: %(reason)s") % {"type": type(exc).__name__, "reason": exc}
    else:
        try:
            export.file.save(built.filename, ContentFile(built.content), save=False)
            export.filename = built.filename
        except Exception as exc:
            logger.exception("export %s: saving the file failed", export.pk)
            if export.file.name:
                export.file.delete(save=False)
            export.file = ""
            error = _("Không lưu được tệp: %(reason)s") % {"reason": exc}
    export.status = Export.Status.FAILED if error else Export.Status.DONE
    export.error = error[:2000]
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "error", "file", "filename", "finished_at"])
    return export


# A worker that dies mid-build leaves its export "running"; after this long it is failed
# so the officer sees it and can ask again (used by exports_fail_stale).
STALE_AFTER = dt.timedelta(hours=1)


def exports_fail_stale(*, now: dt.datetime | None = None) -> int:
    """Mark exports still running after STALE_AFTER as failed; returns how many."""
    now = now or timezone.now()
    return Export.objects.filter(status=Export.Status.RUNNING, created_at__lt=now - STALE_AFTER).update(
        status=Export.Status.FAILED, finished_at=now,
        error=_("Tiến trình tạo tệp đã dừng giữa chừng; đề nghị xuất lại."),
    )


# --- shared pieces ----------------------------------------------------------------------


def short_link(request: ReportRequest) -> str:
    """The public short link of the request's form (printed, and in the QR code)."""
    return f"{settings.SITE_URL.rstrip('/')}/f/{request.slug}/"


def _slug(text: str, fallback: str) -> str:
    return "-".join(fold(text).split())[:50].strip("-") or fallback


def _filename(prefix: str, title: str, ext: str) -> str:
    return f"{prefix}-{_slug(title, 'tai-lieu')}-{timezone.localdate():%Y%m%d}.{ext}"


def _local(value: dt.datetime | None, tz=None) -> str:
    """dd/mm/yyyy HH:MM in `tz` (default: the current time zone; pass it in loops)."""
    return f"{value.astimezone(tz or timezone.get_current_timezone()):%d/%m/%Y %H:%M}" if value else ""


def _iso_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _province(export: Export):
    return export.request.province if export.request_id else export.plan.province


def _plan(export: Export) -> Plan:
    return export.request.plan if export.request_id else export.plan


def _default_parent_body(province) -> str:
    name = province.name if province else ""
    if fold(name).startswith(("tinh ", "thanh pho ")):
        return f"UBND {name}".upper()
    return f"UBND tỉnh {name}".upper() if name else ""


def _default_issuer(export: Export) -> str:
    user = export.created_by
    unit = user.units.order_by("name").first() if user is not None else None
    return unit.name if unit else _plan(export).issuer


def _plan_reference(plan: Plan) -> str:
    """"Kế hoạch số 529/KH-UBND ngày 16/8/2023 của Ủy ban nhân dân tỉnh về …"."""
    words = [plan.kind or _("Kế hoạch")]
    if plan.number:
        words.append(_("số %(number)s") % {"number": plan.number})
    if plan.date:
        words.append(_("ngày %(date)s") % {"date": f"{plan.date.day}/{plan.date.month}/{plan.date.year}"})
    if plan.issuer:
        words.append(_("của %(issuer)s") % {"issuer": plan.issuer})
    title = " ".join(plan.title.split())
    if title:
        words.append(_("về %(title)s") % {"title": title[:300]})
    return " ".join(words)


def _document(export: Export, *, default_symbol: str, title: str = "", subject: str = "",
              subject_under_number: bool = False) -> OfficialDocument:
    p = export.params
    province = _province(export)
    number = str(p.get("number") or "").strip() or " " * 6
    symbol = str(p.get("symbol") or default_symbol).strip()
    issuer = str(p.get("issuer") or _default_issuer(export) or "…")
    parent = str(p.get("parent_body") or _default_parent_body(province))
    if "parent_body" not in p and fold(issuer).startswith(("uy ban nhan dan", "ubnd")):
        parent = ""  # the People's Committee itself issues: it has no parent line
    return OfficialDocument(
        parent_body=parent,
        issuer=issuer,
        number=f"Số: {number}/{symbol}",
        place=str(p.get("place") or _plan(export).place or (province.name if province else "")),
        date=_iso_date(p.get("date")),
        title=title, subject=subject, subject_under_number=subject_under_number,
    )


def _close(doc: OfficialDocument, export: Export, default_recipients: list[str]) -> None:
    signer = export.params.get("signer") or {}
    recipients = export.params.get("recipients")
    doc.close(
        signer=Signer(str(signer.get("authority", "")), str(signer.get("position", "")), str(signer.get("name", ""))),
        recipients=[str(r) for r in recipients] if isinstance(recipients, list) and recipients else default_recipients,
    )


def _issuer_words(export: Export) -> str:
    """The issuing body as a sentence names it ("Sở Thông tin và Truyền thông")."""
    issuer = str(export.params.get("issuer") or _default_issuer(export) or "").strip()
    return issuer[:1].upper() + issuer[1:].lower() if issuer.isupper() else issuer or _("Cơ quan chủ trì")


def _topic(title: str) -> str:
    """What a request reports on, to follow "kết quả": its title without a leading
    "Báo cáo" / "kết quả", first letter in lower case ("tuyên truyền kỷ niệm …")."""
    words = " ".join(title.split()).split(" ")
    while words and fold(words[0]) in ("bao", "ket") and len(words) > 1 and fold(words[1]) in ("cao", "qua"):
        words = words[2:]
    text = " ".join(words) or title
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _names_sentence(names: list[str]) -> str:
    return "; ".join(xml_safe(n).strip() for n in names) + "."


# --- XLSX -------------------------------------------------------------------------------


def _xlsx_text(value) -> str:
    return xml_safe(value)[:XLSX_MAX_CELL]


def _raw_value(metric_kind: str, value):
    """A raw cell: numbers stay numbers, the rest becomes text (or a date)."""
    if value is None:
        return None
    if metric_kind == Metric.Kind.BOOLEAN:
        return _("Có") if value else _("Không")
    if metric_kind == Metric.Kind.URLS:
        return "\n".join(value)
    if metric_kind == Metric.Kind.FILE:
        return len(value)
    return value


def build_xlsx(export: Export) -> Built:
    """The workbook of the request (see workbook_bytes)."""
    agg = request_aggregate(request=export.request)
    return Built(workbook_bytes(request=export.request, agg=agg), _filename("tong-hop", export.request.title, "xlsx"))


def workbook_bytes(*, request: ReportRequest, agg: Aggregate) -> bytes:
    """The XLSX: "Tổng hợp" (the figures, per metric, per unit kind, per district) and
    "Dữ liệu" (one row per unit, one column per metric, with the not-submitted and late
    flags). Text is always written as text: a unit name starting with "=" never becomes
    a formula."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "dd/mm/yyyy", "remove_timezone": True,
    })
    bold = wb.add_format({"bold": True})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    datetime_fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    def put(ws, row: int, col: int, value, fmt=None) -> None:
        if value is None or value == "":
            return
        if isinstance(value, bool):
            ws.write_string(row, col, _("Có") if value else _("Không"), fmt)
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value, fmt)
        elif isinstance(value, dt.datetime):
            ws.write_datetime(row, col, timezone.localtime(value).replace(tzinfo=None), fmt or datetime_fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt or date_fmt)
        else:
            ws.write_string(row, col, _xlsx_text(value), fmt)

    # Summary sheet: written top to bottom (constant_memory writes each row once).
    ws = wb.add_worksheet(_("Tổng hợp"))
    ws.set_column(0, 0, 34)
    ws.set_column(1, 4 + len(agg.metrics), 16)
    r = 0
    put(ws, r, 0, request.title, title_fmt); r += 1
    put(ws, r, 0, _plan_reference(request.plan)); r += 1
    put(ws, r, 0, _("Hạn báo cáo")); put(ws, r, 1, request.deadline); r += 1
    put(ws, r, 0, _("Thời điểm xuất")); put(ws, r, 1, timezone.now()); r += 2
    for label, value in ((_("Số đơn vị được yêu cầu"), agg.targets), (_("Đã gửi báo cáo"), agg.sent),
                         (_("Chưa gửi báo cáo"), len(agg.not_submitted)), (_("Gửi muộn"), agg.late_count)):
        put(ws, r, 0, label, bold); put(ws, r, 1, value); r += 1
    r += 1
    put(ws, r, 0, _("Kết quả theo chỉ tiêu"), bold); r += 1
    for c, text in enumerate((_("Chỉ tiêu"), _("Kiểu"), _("Số đơn vị trả lời"), _("Kết quả (số)"), _("Diễn giải"))):
        put(ws, r, c, text, head)
    r += 1
    for total in agg.totals:
        put(ws, r, 0, total.metric.label, wrap)
        put(ws, r, 1, str(Metric.Kind(total.metric.kind).label))
        put(ws, r, 2, total.answered)
        put(ws, r, 3, total.number)
        put(ws, r, 4, total.text())
        r += 1
    for caption, groups in ((_("Theo loại đơn vị"), agg.by_kind), (_("Theo địa bàn cấp huyện"), agg.by_district)):
        r += 1
        put(ws, r, 0, caption, bold); r += 1
        columns = [caption, _("Được yêu cầu"), _("Đã gửi"), _("Chưa gửi"), _("Gửi muộn")]
        for c, text in enumerate(columns + [m.label for m in agg.metrics]):
            put(ws, r, c, text, head)
        r += 1
        for g in groups:
            for c, value in enumerate([g.label, g.targets, g.sent, g.not_sent, g.late] + [t.number for t in g.totals]):
                put(ws, r, c, value)
            r += 1

    # Raw sheet: one row per unit.
    ws = wb.add_worksheet(_("Dữ liệu"))
    fixed = [_("STT"), _("Đơn vị"), _("Loại đơn vị"), _("Địa bàn cấp huyện"), _("Được yêu cầu"), _("Trạng thái"),
             _("Thời điểm gửi"), _("Chưa gửi"), _("Gửi muộn")]
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 45)
    ws.set_column(2, 3, 22)
    ws.set_column(4, len(fixed) - 1, 14)
    ws.set_column(len(fixed), len(fixed) + len(agg.metrics), 18)
    ws.freeze_panes(1, 2)
    for c, text in enumerate(fixed + [m.label for m in agg.metrics]):
        put(ws, 0, c, text, head)
    kinds = [m.kind for m in agg.metrics]
    write_number = ws.write_number
    for i, row in enumerate(agg.rows, start=1):
        cells = [i, row.name, row.kind_label, row.district_name, "x" if row.is_target else "", row.status_label,
                 row.submitted_at if row.is_sent else None, "x" if row.is_target and not row.is_sent else "",
                 "x" if row.is_sent and row.is_late else ""]
        for c, value in enumerate(cells):
            put(ws, i, c, value)
        for c, (kind, value) in enumerate(zip(kinds, row.values), start=len(fixed)):
            if value is None:
                continue
            if kind == Metric.Kind.COUNT:  # most cells: straight to the writer
                write_number(i, c, value)
            else:
                put(ws, i, c, _raw_value(kind, value))
    if agg.rows:
        ws.autofilter(0, 0, len(agg.rows), len(fixed) + len(agg.metrics) - 1)
    wb.close()
    return buf.getvalue()


# --- DOCX report ------------------------------------------------------------------------


def _group_rows(groups, metrics) -> list[list]:
    """One row per (group, metric); the group's figures only on its first row."""
    rows = []
    for g in groups:
        head = [g.label, number_vi(g.targets), number_vi(g.sent)]
        if not metrics:
            rows.append(head + ["", ""])
            continue
        for i, t in enumerate(g.totals):
            rows.append((head if i == 0 else ["", "", ""]) + [t.metric.label, t.text()])
    return rows


def _chart(agg: Aggregate) -> bytes | None:
    counts: list[MetricTotal] = [t for t in agg.totals if t.metric.kind == Metric.Kind.COUNT][:CHART_BARS_MAX]
    if counts:
        return charts.bar_chart([xml_safe(t.metric.label) for t in counts], [t.total for t in counts],
                                title=_("Kết quả theo chỉ tiêu (số lượng)"))
    if agg.by_kind:
        return charts.bar_chart([g.label for g in agg.by_kind], [g.sent for g in agg.by_kind],
                                title=_("Số đơn vị đã gửi báo cáo theo loại đơn vị"))
    return None


def _unit_list_rows(rows: list[UnitRow], *, when: bool = False) -> list[list]:
    if when:
        return [[i, r.name, r.kind_label, _local(r.submitted_at)] for i, r in enumerate(rows, start=1)]
    return [[i, r.name, r.kind_label, r.district_name, r.status_label] for i, r in enumerate(rows, start=1)]


def report_document(export: Export, agg: Aggregate | None = None) -> OfficialDocument:
    """The BÁO CÁO of the export's request, in the Nghị định 30 layout (see build_docx);
    `agg` saves aggregating again when the caller has it."""
    request = export.request
    agg = agg or request_aggregate(request=request)
    issuer = _issuer_words(export)
    subject = export.params.get("subject") or _("Kết quả %(topic)s") % {"topic": _topic(request.title)}
    doc = _document(export, default_symbol="BC", title=_("BÁO CÁO"), subject=str(subject))
    doc.paragraph(_(
        "Thực hiện %(plan)s, %(issuer)s đã đề nghị %(n)s cơ quan, đơn vị báo cáo kết quả thực hiện qua biểu mẫu "
        "trực tuyến (hạn báo cáo: %(deadline)s). Trên cơ sở số liệu các cơ quan, đơn vị gửi về, %(issuer)s "
        "tổng hợp, báo cáo như sau:"
    ) % {"plan": _plan_reference(request.plan), "issuer": issuer, "n": number_vi(agg.targets),
         "deadline": _local(request.deadline)})

    doc.heading(_("I. TÌNH HÌNH GỬI BÁO CÁO"))
    doc.paragraph(_(
        "Tổng số cơ quan, đơn vị được đề nghị báo cáo: %(targets)s; đã gửi báo cáo: %(sent)s (trong đó gửi muộn: "
        "%(late)s); chưa gửi báo cáo: %(missing)s."
    ) % {"targets": number_vi(agg.targets), "sent": number_vi(agg.sent), "late": number_vi(agg.late_count),
         "missing": number_vi(len(agg.not_submitted))})

    doc.heading(_("II. KẾT QUẢ THỰC HIỆN"))
    doc.heading(_("1. Kết quả chung"))
    if agg.metrics:
        doc.table([_("STT"), _("Chỉ tiêu"), _("Kết quả"), _("Số đơn vị trả lời")],
                  [[i, t.metric.label, t.text(), number_vi(t.answered)] for i, t in enumerate(agg.totals, start=1)],
                  widths_mm=[12, 83, 42, 28], align=["center", "left", "right", "center"])
    else:
        doc.paragraph(_("Yêu cầu báo cáo chưa có chỉ tiêu nào."))
    png = _chart(agg)
    if png:
        doc.image(png, width_mm=150)
    group_columns = [_("Được yêu cầu"), _("Đã gửi"), _("Chỉ tiêu"), _("Kết quả")]
    widths, align = [45, 20, 18, 47, 35], ["left", "center", "center", "left", "right"]
    doc.heading(_("2. Kết quả theo loại đơn vị"))
    if agg.by_kind:
        doc.table([_("Loại đơn vị")] + group_columns, _group_rows(agg.by_kind, agg.metrics), widths_mm=widths,
                  align=align)
    else:
        doc.paragraph(_("Không có đơn vị nào."))
    doc.heading(_("3. Kết quả theo địa bàn cấp huyện"))
    if agg.by_district:
        doc.table([_("Địa bàn")] + group_columns, _group_rows(agg.by_district, agg.metrics), widths_mm=widths,
                  align=align)
    else:
        doc.paragraph(_("Không có đơn vị nào."))

    doc.heading(_("III. CƠ QUAN, ĐƠN VỊ CHƯA GỬI, GỬI MUỘN BÁO CÁO"))
    doc.heading(_("1. Chưa gửi báo cáo (%(n)s)") % {"n": number_vi(len(agg.not_submitted))})
    if agg.not_submitted:
        doc.table([_("STT"), _("Cơ quan, đơn vị"), _("Loại đơn vị"), _("Địa bàn"), _("Tình trạng")],
                  _unit_list_rows(agg.not_submitted), widths_mm=[12, 73, 30, 25, 25],
                  align=["center", "left", "left", "left", "left"])
    else:
        doc.paragraph(_("Không có."))
    doc.heading(_("2. Gửi báo cáo muộn (%(n)s)") % {"n": number_vi(agg.late_count)})
    if agg.late:
        doc.table([_("STT"), _("Cơ quan, đơn vị"), _("Loại đơn vị"), _("Thời điểm gửi")],
                  _unit_list_rows(agg.late, when=True), widths_mm=[12, 84, 35, 34],
                  align=["center", "left", "left", "center"])
    else:
        doc.paragraph(_("Không có."))
    doc.paragraph(_("Trên đây là báo cáo tổng hợp kết quả %(topic)s của %(issuer)s./.")
                  % {"topic": _topic(request.title), "issuer": issuer})
    _close(doc, export, [_("UBND tỉnh (b/c)"), _("Lưu: VT")])

    if agg.rows:
        tz, late = timezone.get_current_timezone(), _(" (muộn)")
        doc.page_break()
        doc.paragraph(_("PHỤ LỤC"), bold=True, align="center", indent=False)
        doc.paragraph(_("Tình hình gửi báo cáo của từng cơ quan, đơn vị"), bold=True, align="center", indent=False)
        doc.table(
            [_("STT"), _("Cơ quan, đơn vị"), _("Loại đơn vị"), _("Địa bàn"), _("Trạng thái"), _("Gửi lúc")],
            [[i, r.name, r.kind_label, r.district_name, r.status_label + (late if r.is_late and r.is_sent else ""),
              _local(r.submitted_at, tz) if r.is_sent else ""] for i, r in enumerate(agg.rows, start=1)],
            widths_mm=[12, 55, 26, 22, 22, 28], align=["center", "left", "left", "left", "left", "center"],
        )
    return doc


def build_docx(export: Export) -> Built:
    """The BÁO CÁO: the figures, a table per metric, per unit kind and per district, a
    bar chart, the units that have not submitted or submitted late, the signature and
    "Nơi nhận", then an appendix with every unit's status."""
    doc = report_document(export)
    return Built(doc.to_bytes(), _filename("bao-cao", export.request.title, "docx"))


def build_pdf(export: Export) -> Built:
    """The BÁO CÁO converted to PDF by LibreOffice."""
    doc = report_document(export)
    return Built(to_pdf(doc.to_bytes()), _filename("bao-cao", export.request.title, "pdf"))


# --- The reminder letter ----------------------------------------------------------------


def _activity_laggards(activity: Activity) -> list[tuple[str, str]]:
    """(unit name, status label) of the units whose assignment in `activity` is not
    done, one per unit (its least advanced assignment), by name."""
    order = [Assignment.Status.NOT_STARTED, Assignment.Status.NOT_DONE, Assignment.Status.IN_PROGRESS]
    worst: dict[int, tuple[str, str]] = {}
    for unit_id, name, status in (
        Assignment.objects.filter(activity=activity).exclude(status=Assignment.Status.DONE)
        .values_list("unit_id", "unit__name", "status")
    ):
        if unit_id not in worst or order.index(status) < order.index(worst[unit_id][1]):
            worst[unit_id] = (name, status)
    return sorted(((n, str(Assignment.Status(s).label)) for n, s in worst.values()), key=lambda x: fold(x[0]))


def _reminder_request(export: Export, activity: Activity | None) -> ReportRequest | None:
    """The request whose form the letter points to: the export's own, the one named in
    params, or (for an activity) the plan's latest request with a metric on it, else
    the plan's latest request."""
    if export.request_id:
        return export.request
    plan = export.plan
    request_id = export.params.get("request_id")
    if request_id:
        found = ReportRequest.objects.filter(pk=request_id, plan=plan).first()
        if found is None:
            raise ExportError(_("Yêu cầu báo cáo đã chọn không thuộc kế hoạch này."))
        return found
    requests = ReportRequest.objects.filter(plan=plan).order_by("-created_at")
    if activity is not None:
        linked = requests.filter(metrics__activity=activity).first()
        if linked:
            return linked
    return requests.first()


def build_reminder(export: Export) -> Built:
    """The công văn đôn đốc: the units that have not submitted the request (or have not
    completed params["activity_id"] of the plan), and the QR code and link of the form."""
    p = export.params
    activity = None
    if not export.request_id:
        activity = Activity.objects.filter(pk=p.get("activity_id"), plan=export.plan).first() \
            if str(p.get("activity_id", "")).isdigit() else None
        if activity is None:
            raise ExportError(_("Chưa chọn hoạt động của kế hoạch để đôn đốc."))
    request = _reminder_request(export, activity)
    plan = _plan(export)
    issuer = _issuer_words(export)
    link = short_link(request) if request else ""

    if activity is None:
        agg = request_aggregate(request=request)
        laggards = [(r.name, r.status_label) for r in agg.not_submitted]
        subject = _("V/v đôn đốc báo cáo kết quả %(topic)s") % {"topic": _topic(request.title)}
        due = _iso_date(p.get("due")) or request.written_deadline
        intro = _(
            "Thực hiện %(plan)s, %(issuer)s đã đề nghị các cơ quan, đơn vị báo cáo kết quả %(topic)s qua biểu mẫu "
            "trực tuyến, hạn báo cáo %(deadline)s."
        ) % {"plan": _plan_reference(plan), "issuer": issuer, "topic": _topic(request.title),
             "deadline": _local(request.deadline)}
        gap = _("chưa gửi báo cáo")
        ask = _("khẩn trương hoàn thành việc nhập số liệu báo cáo trực tuyến")
    else:
        laggards = _activity_laggards(activity)
        subject = _("V/v đôn đốc thực hiện %(title)s") % {"title": " ".join(activity.title.split())}
        due = _iso_date(p.get("due")) or activity.due
        intro = _("Theo %(plan)s, nhiệm vụ %(ref)s %(title)s được giao cho các cơ quan, đơn vị thực hiện%(due)s.") % {
            "plan": _plan_reference(plan), "ref": activity.ref, "title": " ".join(activity.title.split()),
            "due": _(", hạn hoàn thành %(date)s") % {"date": f"{activity.due:%d/%m/%Y}"} if activity.due else "",
        }
        gap = _("chưa hoàn thành nhiệm vụ")
        ask = _("khẩn trương triển khai thực hiện và báo cáo kết quả")
        if p.get("banner"):  # issue 5: the units banner monitoring found without the banner
            from monitoring.services import banner_laggards

            laggards = banner_laggards(plan=plan, unit_ids=activity.assignments.values("unit_id"))
            gap = _("chưa treo banner tuyên truyền trên trang thông tin điện tử")
            ask = _("khẩn trương treo banner, liên kết tới chuyên mục tuyên truyền theo hướng dẫn")

    names = [n for n, _s in laggards]
    addressees = p.get("addressees")
    if not (isinstance(addressees, list) and addressees):
        addressees = names if 0 < len(names) <= 5 else [_("Các cơ quan, đơn vị có tên trong danh sách dưới đây")]
    doc = _document(export, default_symbol="", subject=subject[:300], subject_under_number=True)
    doc.addressees([str(a) for a in addressees])
    doc.paragraph(intro)
    if not laggards:
        doc.paragraph(_("Đến nay, tất cả các cơ quan, đơn vị đã thực hiện."))
    elif len(laggards) <= INLINE_LIST_MAX:
        doc.paragraph(_("Tuy nhiên, đến nay còn %(n)s cơ quan, đơn vị %(gap)s, gồm: %(names)s")
                      % {"n": f"{len(laggards):02d}", "gap": gap, "names": _names_sentence(names)})
    else:
        doc.paragraph(_("Tuy nhiên, đến nay còn %(n)s cơ quan, đơn vị %(gap)s, cụ thể như sau:")
                      % {"n": number_vi(len(laggards)), "gap": gap})
        doc.table([_("STT"), _("Cơ quan, đơn vị"), _("Tình trạng")],
                  [[i, n, s] for i, (n, s) in enumerate(laggards, start=1)], widths_mm=[12, 113, 40],
                  align=["center", "left", "left"])
    by = _(" trước ngày %(date)s") % {"date": f"{due:%d/%m/%Y}"} if due else ""
    if link:
        doc.paragraph(_("Để kịp thời tổng hợp, báo cáo, %(issuer)s đề nghị các cơ quan, đơn vị trên %(ask)s%(by)s "
                        "bằng cách truy cập đường link hoặc quét mã QR dưới đây:")
                      % {"issuer": issuer, "ask": ask, "by": by})
        doc.paragraph(link, align="center", indent=False)
        doc.image(qr.qr_png(link, scale=6), width_mm=35)
    else:
        doc.paragraph(_("Để kịp thời tổng hợp, báo cáo, %(issuer)s đề nghị các cơ quan, đơn vị trên %(ask)s%(by)s.")
                      % {"issuer": issuer, "ask": ask, "by": by})
    doc.paragraph(_("Rất mong nhận được sự quan tâm, phối hợp của Quý cơ quan, đơn vị."))
    doc.paragraph(_("Trân trọng./."))
    _close(doc, export, [_("Như trên"), _("Lưu: VT")])
    title = request.title if activity is None else activity.title
    return Built(doc.to_bytes(), _filename("cong-van-don-doc", title, "docx"))


BUILDERS: dict[str, Callable[[Export], Built]] = {
    Export.Kind.XLSX: build_xlsx,
    Export.Kind.DOCX: build_docx,
    Export.Kind.PDF: build_pdf,
    Export.Kind.REMINDER: build_reminder,
}
