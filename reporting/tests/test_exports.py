"""reporting.exports: export_request queues the job on commit; export_build runs it.
XLSX read back with openpyxl, DOCX with python-docx, the reminder letter, hostile input,
empty requests, and the failure path. Uses the request of test_aggregate.report."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from reporting import exports
from reporting.exports import export_build, export_request, short_link
from reporting.models import Export
from reporting.tests.test_aggregate import answer, district_units, make_request, report  # noqa: F401

LETTER = {
    "parent_body": "UBND tỉnh Thử", "issuer": "Sở Văn hóa, Thể thao và Du lịch", "number": "15", "symbol": "BC-SVHTTDL",
    "place": "Thử", "date": "2024-04-06", "signer": {"authority": "KT. GIÁM ĐỐC", "position": "PHÓ GIÁM ĐỐC",
                                                     "name": "Trần Thị Ký"},
    "recipients": ["UBND tỉnh (b/c)", "Lưu: VT"],
}


@pytest.fixture
def immediate_queue():
    """Huey runs tasks in the calling thread, with in-memory storage: nothing reaches
    the queue in var/."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


def build(kind, *, request=None, plan=None, params=None, user=None) -> Export:
    export = Export.objects.create(kind=kind, request=request, plan=plan, params=params or {}, created_by=user)
    return export_build(export_id=export.pk)


def docx_text(export: Export) -> tuple[Document, str]:
    export.file.open("rb")
    d = Document(io.BytesIO(export.file.read()))
    export.file.close()
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return d, "\n".join(parts)


def workbook(export: Export):
    export.file.open("rb")
    wb = load_workbook(io.BytesIO(export.file.read()))
    export.file.close()
    return wb


# --- the service and the job ------------------------------------------------------------


def test_export_request_queues_and_the_job_builds_on_commit(report, officer, immediate_queue,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = export_request(kind="xlsx", request=report, user=officer, params={})
    assert export.status == Export.Status.QUEUED and not export.file
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the (immediate) queue runs export_build_task
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.finished_at and export.error == ""
    assert export.filename.endswith(".xlsx") and export.file.name.startswith("exports/")
    assert export.created_by == officer


def test_export_request_checks_kind_and_subject(report, officer):
    with pytest.raises(ValueError):
        export_request(kind="csv", request=report, user=officer, params={})
    with pytest.raises(ValueError):
        export_request(kind="docx", plan=report.plan, user=officer, params={})


def test_a_built_export_is_not_built_again(report):
    export = build("xlsx", request=report)
    name = export.file.name
    again = export_build(export_id=export.pk)
    assert again.file.name == name and again.status == Export.Status.DONE


def test_a_builder_that_raises_leaves_the_export_failed_without_file(report, monkeypatch, settings):
    def broken(export):
        raise RuntimeError("hỏng giữa chừng")

    monkeypatch.setitem(exports.BUILDERS, "docx", broken)
    export = build("docx", request=report)
    assert export.status == Export.Status.FAILED
    assert "RuntimeError" in export.error and "hỏng giữa chừng" in export.error
    assert not export.file and export.filename == "" and export.finished_at
    written = settings.MEDIA_ROOT / "exports"
    assert not written.exists() or not any(p.is_file() for p in written.rglob("*"))


def test_pdf_without_libreoffice_fails_with_a_clear_error(report, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    export = build("pdf", request=report)
    assert export.status == Export.Status.FAILED and not export.file
    assert export.error == "Không chuyển được sang PDF: LibreOffice (soffice) is not installed"


# --- XLSX -------------------------------------------------------------------------------


def test_xlsx_summary_and_raw_sheets_agree(report, unit_a, district_units):
    wb = workbook(build("xlsx", request=report))
    assert wb.sheetnames == ["Tổng hợp", "Dữ liệu"]
    raw = [list(r) for r in wb["Dữ liệu"].iter_rows(values_only=True)]
    head, rows = raw[0], raw[1:]
    assert head[:9] == ["STT", "Đơn vị", "Loại đơn vị", "Địa bàn cấp huyện", "Được yêu cầu", "Trạng thái",
                        "Thời điểm gửi", "Chưa gửi", "Gửi muộn"]
    assert head[9:] == ["Số tin, bài đăng tải", "Đã đặt banner", "Ngày đặt banner", "Ghi chú", "Liên kết bài viết",
                        "Tệp minh chứng"]
    assert len(rows) == 5
    by_name = {r[1]: r for r in rows}
    a = by_name[unit_a.name]
    assert a[5] == "Đã gửi" and a[7] is None and a[8] == "x"
    assert a[9:] == [12, "Có", dt.datetime(2023, 12, 20), "Đã triển khai", "https://a.vn/1\nhttps://a.vn/2", 2]
    assert isinstance(a[6], dt.datetime)
    commune = by_name[district_units[2].name]
    assert commune[3] == "UBND huyện Đắk Mil" and commune[5] == "Chưa báo cáo" and commune[7] == "x"
    assert by_name[district_units[1].name][9] is None  # a draft's values are not data

    summary = [list(r) for r in wb["Tổng hợp"].iter_rows(values_only=True)]
    count_row = next(r for r in summary if r[0] == "Số tin, bài đăng tải")
    assert count_row[3] == sum(r[9] or 0 for r in rows) == 47
    figures = {r[0]: r[1] for r in summary if r[0] in ("Số đơn vị được yêu cầu", "Đã gửi báo cáo",
                                                         "Chưa gửi báo cáo", "Gửi muộn")}
    assert figures == {"Số đơn vị được yêu cầu": 5, "Đã gửi báo cáo": 3, "Chưa gửi báo cáo": 2, "Gửi muộn": 1}
    kind_row = next(r for r in summary if r[0] == "Sở, ban, ngành")
    assert kind_row[1:6] == [2, 2, 0, 1, 42]
    district_row = next(r for r in summary if r[0] == "UBND huyện Đắk Mil")
    assert district_row[1:6] == [3, 1, 2, 0, 5]


def test_xlsx_never_writes_a_formula(province):
    from directory.models import Unit

    hostile = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)"]
    units = [Unit.objects.create(name=name, kind="khac", province=province) for name in hostile]
    req = make_request(province, units, metrics=[("text", "=1+1"), ("count", "Số tin")])
    for u in units:
        answer(req, u, {"=1+1": "=cmd|' /C calc'!A0", "Số tin": 3})
    wb = workbook(build("xlsx", request=req))
    ws = wb["Dữ liệu"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in hostile + ["=1+1", "=cmd|' /C calc'!A0"]:
        assert text in cells, text
        assert cells[text].data_type == "s"  # text, not "f" (formula)


def test_hostile_input_from_the_database_builds(province):
    from directory.models import Unit

    # As long as the column allows (PostgreSQL enforces it), and starting with "=".
    name = ("=Trung tâm " + "Đắk " * 100)[:Unit._meta.get_field("name").max_length]
    unit = Unit.objects.create(name=name, kind="khac", province=province)
    label = "Số\x01 tin\x07 bài\x1b\ufffe"  # no NUL: PostgreSQL refuses it in text
    req = make_request(province, [unit], metrics=[("count", label), ("text", "Ghi\x0bchú")])
    essay = "Đã triển khai. " * 3000  # 45,000 characters: more than an Excel cell holds
    answer(req, unit, {label: 4, "Ghi\x0bchú": "dòng\x01một " + essay})
    xlsx = build("xlsx", request=req)
    docx = build("docx", request=req, params=LETTER)
    reminder = build("reminder", request=req, params=LETTER)
    assert [e.status for e in (xlsx, docx, reminder)] == ["done"] * 3, [e.error for e in (xlsx, docx, reminder)]
    ws = workbook(xlsx)["Dữ liệu"]
    assert ws.cell(1, 10).value == "Số tin bài" and ws.cell(1, 11).value == "Ghichú"
    assert ws.cell(2, 2).value == name and ws.cell(2, 2).data_type == "s"
    assert len(ws.cell(2, 11).value) == 32767 and ws.cell(2, 11).value.startswith("dòngmột Đã triển khai.")
    _d, text = docx_text(docx)
    assert "Số tin bài" in text and name in text


def test_huge_names_go_straight_through_the_builders(report):
    # Names past any column limit (and with a NUL) given to the builders directly.
    from reporting.aggregate import request_aggregate
    from reporting.exports import report_document, workbook_bytes

    agg = request_aggregate(request=report)
    long_name = "Trung tâm " + "Đắk " * 1250  # 5,010 characters
    for row in agg.rows:
        row.name = f"{long_name}\x00{row.name}"
    wb = load_workbook(io.BytesIO(workbook_bytes(request=report, agg=agg)))
    names = [r[1] for r in wb["Dữ liệu"].iter_rows(min_row=2, values_only=True)]
    assert len(names) == 5 and all(n.startswith(long_name) and "\x00" not in n for n in names)
    d = Document(io.BytesIO(report_document(Export(kind="docx", request=report, params=LETTER), agg).to_bytes()))
    appendix = d.tables[-1]
    assert [r.cells[1].text.startswith(long_name) for r in appendix.rows[1:]] == [True] * 5


def test_empty_request_builds_every_kind(province):
    req = make_request(province, [], metrics=[])
    for kind in ("xlsx", "docx", "reminder"):
        export = build(kind, request=req, params=LETTER)
        assert export.status == Export.Status.DONE, export.error
    wb = workbook(Export.objects.get(request=req, kind="xlsx"))
    assert [list(r) for r in wb["Dữ liệu"].iter_rows(values_only=True)][1:] == []
    _d, text = docx_text(Export.objects.get(request=req, kind="docx"))
    assert "Yêu cầu báo cáo chưa có chỉ tiêu nào." in text


# --- DOCX -------------------------------------------------------------------------------


def test_docx_report_reads_back(report, unit_a, district_units):
    d, text = docx_text(build("docx", request=report, params=LETTER))
    left, right = d.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["UBND TỈNH THỬ", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
                                                          "Số: 15/BC-SVHTTDL"]
    assert [p.text for p in right.paragraphs if p.text][-1] == "Thử, ngày 06 tháng 4 năm 2024"
    paragraphs = [p.text for p in d.paragraphs if p.text]
    assert paragraphs[:2] == ["BÁO CÁO", "Kết quả tuyên truyền 20 năm tái lập tỉnh"]
    assert "Kế hoạch số 529/KH-UBND ngày 16/8/2023 của Ủy ban nhân dân tỉnh Thử" in text
    assert ("Tổng số cơ quan, đơn vị được đề nghị báo cáo: 5; đã gửi báo cáo: 3 (trong đó gửi muộn: 1); "
            "chưa gửi báo cáo: 2.") in text

    heads = {tuple(c.text for c in t.rows[0].cells): t for t in d.tables[1:-1]}
    per_metric = heads[("STT", "Chỉ tiêu", "Kết quả", "Số đơn vị trả lời")]
    assert [c.text for c in per_metric.rows[1].cells] == ["1", "Số tin, bài đăng tải", "47", "3"]
    assert [c.text for c in per_metric.rows[2].cells][2] == "Có: 2; Không: 1"
    per_kind = heads[("Loại đơn vị", "Được yêu cầu", "Đã gửi", "Chỉ tiêu", "Kết quả")]
    assert [c.text for c in per_kind.rows[1].cells] == ["Sở, ban, ngành", "2", "2", "Số tin, bài đăng tải", "42"]
    per_district = heads[("Địa bàn", "Được yêu cầu", "Đã gửi", "Chỉ tiêu", "Kết quả")]
    assert [c.text for c in per_district.rows[1].cells] == ["UBND huyện Đắk Mil", "3", "1", "Số tin, bài đăng tải", "5"]
    missing = heads[("STT", "Cơ quan, đơn vị", "Loại đơn vị", "Địa bàn", "Tình trạng")]
    assert [r.cells[1].text for r in missing.rows[1:]] == [district_units[1].name, district_units[2].name]
    late = heads[("STT", "Cơ quan, đơn vị", "Loại đơn vị", "Thời điểm gửi")]
    assert [c.text for c in late.rows[1].cells] == ["1", unit_a.name, "Sở, ban, ngành", "01/04/2024 09:30"]
    assert len(d.inline_shapes) == 1  # the bar chart

    # The signature block closes the report; the appendix lists every unit after it.
    sign = next(t for t in d.tables if t.rows[0].cells[0].paragraphs[0].text == "Nơi nhận:")
    assert [p.text for p in sign.rows[0].cells[1].paragraphs if p.text] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
                                                                            "Trần Thị Ký"]
    assert "- UBND tỉnh (b/c);" in sign.rows[0].cells[0].paragraphs[1].text
    appendix = d.tables[-1]
    assert len(appendix.rows) == 1 + 5
    assert "Đã gửi (muộn)" in [r.cells[4].text for r in appendix.rows]


def test_docx_defaults_without_params(report, officer, unit_a):
    officer.units.set([unit_a])
    d, _text = docx_text(build("docx", request=report, user=officer))
    left, right = d.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs if p.text][:2] == ["UBND TỈNH THỬ", unit_a.name.upper()]
    assert [p.text for p in left.paragraphs if p.text][2].startswith("Số:") and "/BC" in left.text
    assert "ngày      tháng      năm" in right.text  # left blank for the signing day


# --- the reminder letter ----------------------------------------------------------------


def test_reminder_for_a_request_lists_units_not_submitted_and_the_qr(report, district_units):
    export = build("reminder", request=report, params=LETTER)
    assert export.status == Export.Status.DONE, export.error
    assert export.filename.startswith("cong-van-don-doc-")
    d, text = docx_text(export)
    left = d.tables[0].rows[0].cells[0]
    assert [p.text for p in left.paragraphs if p.text][-1] == "V/v đôn đốc báo cáo kết quả tuyên truyền 20 năm tái lập tỉnh"
    body = "\n".join(p.text for p in d.paragraphs)
    assert "Kính gửi:" in body
    centre, commune = district_units[1].name, district_units[2].name
    assert f"còn 02 cơ quan, đơn vị chưa gửi báo cáo, gồm: {centre}; {commune}." in body
    assert short_link(report) in body and f"/f/{report.slug}/" in body
    assert len(d.inline_shapes) == 1  # the QR code
    assert "Trân trọng./." in body


def test_reminder_for_an_activity_lists_units_not_done(province, unit_a, unit_b, district_units):
    from plans.models import Activity, Assignment, Plan

    plan = Plan.objects.create(province=province, number="12/KH-UBND", title="Tuyên truyền", issuer="UBND tỉnh Thử")
    banner = Activity.objects.create(plan=plan, position=1, ref="II.3", title="Đặt banner tuyên truyền",
                                     deadline=dt.date(2024, 1, 1))
    other = Activity.objects.create(plan=plan, position=2, ref="II.4", title="Khác")
    district, centre, _commune = district_units
    Assignment.objects.create(activity=banner, unit=unit_a, role="lead", status="done")
    Assignment.objects.create(activity=banner, unit=unit_b, role="support", status="in_progress")
    Assignment.objects.create(activity=banner, unit=district, role="support", status="todo")
    Assignment.objects.create(activity=banner, unit=centre, role="support", status="not_done")
    Assignment.objects.create(activity=other, unit=unit_a, role="lead", status="todo")
    req = make_request(province, [unit_a], plan=plan)
    export = build("reminder", plan=plan, params={**LETTER, "list": "activity", "activity_id": banner.pk})
    assert export.status == Export.Status.DONE, export.error
    d, text = docx_text(export)
    body = "\n".join(p.text for p in d.paragraphs)
    assert "nhiệm vụ II.3 Đặt banner tuyên truyền" in body and "hạn hoàn thành 01/01/2024" in body
    # unit_a is done; the other activity's assignments do not count.
    assert body.split("gồm: ")[1].split("\n")[0] == f"{unit_b.name}; {centre.name}; {district.name}."
    assert short_link(req) in body and len(d.inline_shapes) == 1


def test_reminder_for_an_activity_needs_one_of_the_plan(report):
    export = build("reminder", plan=report.plan, params={"list": "activity", "activity_id": 999999})
    assert export.status == Export.Status.FAILED and export.error == "Chưa chọn hoạt động của kế hoạch để đôn đốc."
    assert not export.file


def test_reminder_with_many_units_uses_a_table(province):
    from directory.models import Unit

    units = Unit.objects.bulk_create(Unit(name=f"UBND xã số {i:02d}", kind="ubnd_xa", province=province)
                                     for i in range(20))
    req = make_request(province, units)
    d, _text = docx_text(build("reminder", request=req, params=LETTER))
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "STT")
    assert [r.cells[1].text for r in table.rows[1:]] == [f"UBND xã số {i:02d}" for i in range(20)]


# --- LibreOffice ------------------------------------------------------------------------


@pytest.mark.slow
def test_pdf_export_reads_in_vietnamese(report, tmp_path):
    from reporting.tests.test_officialdoc import ocr_first_page

    export = build("pdf", request=report, params=LETTER)
    assert export.status == Export.Status.DONE, export.error
    export.file.open("rb")
    pdf = export.file.read()
    export.file.close()
    assert pdf.startswith(b"%PDF") and export.filename.endswith(".pdf")
    text = ocr_first_page(pdf, tmp_path, top=0.5)
    # The issuer wraps in its column, so its two lines are checked apart.
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "SỞ VĂN HÓA, THỂ THAO VÀ DU",
                     "Thử, ngày 06 tháng 4 năm 2024", "Số: 15/BC-SVHTTDL", "BÁO CÁO",
                     "Kết quả tuyên truyền 20 năm tái lập tỉnh", "TÌNH HÌNH GỬI BÁO CÁO",
                     "Kế hoạch số 529/KH-UBND ngày 16/8/2023 của Ủy ban nhân dân tỉnh Thử"):
        assert expected in text, f"{expected!r} not in OCR text: {text[:600]}"


def test_stale_running_export_is_failed(db, officer, plan):
    import datetime as dt

    from django.utils import timezone

    from reporting.exports import STALE_AFTER, exports_fail_stale
    from reporting.models import Export

    old = Export.objects.create(plan=plan, kind="reminder", status="running",
                                created_at=timezone.now() - STALE_AFTER - dt.timedelta(minutes=1))
    fresh = Export.objects.create(plan=plan, kind="reminder", status="running")
    done = Export.objects.create(plan=plan, kind="reminder", status="done",
                                 created_at=timezone.now() - dt.timedelta(days=2))
    assert exports_fail_stale() == 1
    old.refresh_from_db(), fresh.refresh_from_db(), done.refresh_from_db()
    assert old.status == "failed" and "xuất lại" in old.error
    assert fresh.status == "running" and done.status == "done"
