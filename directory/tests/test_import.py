"""directory_import: CSV and XLSX units, upsert, one transaction, hostile files."""
from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import openpyxl
import pytest

from directory.models import Alias, Unit, Website
from directory.services import directory_import

HEADER = "name,short_name,kind,parent,province,valid_from,valid_to,aliases,websites,email"


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    text = "\n".join(lines) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def snapshot():
    return (Unit.objects.count(), Alias.objects.count(), Website.objects.count())


def test_csv_creates_units_with_parent_aliases_websites(province):
    data = csv_bytes(
        HEADER,
        "Ủy ban nhân dân tỉnh Thử,UBND tỉnh,ubnd_tinh,,Tỉnh Thử,,,,https://thu.gov.vn,",
        "Sở Thông tin và Truyền thông tỉnh Thử,Sở TT&TT,so_nganh,Ủy ban nhân dân tỉnh Thử,Tỉnh Thử,"
        "01/01/2008,30/06/2025,STTTT|Sở TTTT,https://stttt.thu.gov.vn,vanthu@stttt.thu.gov.vn",
        bom=True,
    )
    report = directory_import(data=data, filename="don-vi.csv")
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    assert (report.aliases_added, report.websites_added) == (2, 2)
    s = Unit.objects.get(name="Sở Thông tin và Truyền thông tỉnh Thử")
    assert s.province == province
    assert s.parent.name == "Ủy ban nhân dân tỉnh Thử"
    assert (s.valid_from, s.valid_to) == (dt.date(2008, 1, 1), dt.date(2025, 6, 30))
    assert sorted(a.text for a in s.aliases.all()) == ["STTTT", "Sở TTTT"]
    assert [w.url for w in s.websites.all()] == ["https://stttt.thu.gov.vn"]
    assert s.email == "vanthu@stttt.thu.gov.vn"
    assert not s.is_demo
    assert s.search_key == "so thong tin va truyen thong tinh thu"


def test_semicolon_and_vietnamese_headers(province):
    data = csv_bytes(
        "tên;tên ngắn;loại;đơn vị cấp trên;tỉnh;hiệu lực từ;hiệu lực đến;tên gọi khác;trang web;thư điện tử",
        "Báo Thử;;Cơ quan báo chí địa phương;;tinh-thu;;;Báo tỉnh Thử;;",
    )
    report = directory_import(data=data, filename="DANH-BA.CSV")
    assert report.ok, report.errors
    unit = Unit.objects.get(name="Báo Thử")
    assert (unit.kind, unit.province) == ("bao_chi_dp", province)  # kind by label, province by code


def test_xlsx_with_date_cells(province):
    data = xlsx_bytes([
        ["tên", "loại", "tỉnh", "hiệu lực từ", "hiệu lực đến"],
        ["Sở Y tế tỉnh Thử", "so_nganh", "Tỉnh Thử", dt.datetime(2004, 1, 1), "30/06/2025"],
        [None, None, None, None, None],  # blank rows are skipped
    ])
    report = directory_import(data=data, filename="units.xlsx")
    assert report.ok, report.errors
    unit = Unit.objects.get(name="Sở Y tế tỉnh Thử")
    assert (unit.valid_from, unit.valid_to) == (dt.date(2004, 1, 1), dt.date(2025, 6, 30))


def test_reimport_updates_by_name_and_province(province, other_province):
    first = csv_bytes(HEADER, "Sở Tư pháp,,so_nganh,,Tỉnh Thử,,,,,", "Sở Tư pháp,,so_nganh,,Tỉnh Khác,,,,,")
    assert directory_import(data=first, filename="a.csv").created == 2
    again = directory_import(data=first, filename="a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = csv_bytes(HEADER, "sở tư  pháp,STP,so_nganh,,Tỉnh Thử,,,Sở TP,,", "Sở Tư pháp,,so_nganh,,Tỉnh Khác,,,,,")
    report = directory_import(data=changed, filename="a.csv")
    assert (report.created, report.updated, report.unchanged, report.aliases_added) == (0, 1, 1, 1)
    assert Unit.objects.count() == 2
    unit = Unit.objects.get(province=province)
    assert (unit.short_name, [a.text for a in unit.aliases.all()]) == ("STP", ["Sở TP"])


def test_any_bad_row_writes_nothing_and_every_bad_row_is_listed(province, unit_a):
    before = snapshot()
    data = csv_bytes(
        HEADER,
        "Sở Nội vụ,,so_nganh,,Tỉnh Thử,,,,,",  # line 2: good
        ",thiếu tên,so_nganh,,Tỉnh Thử,,,,,",  # 3: no name
        "Sở A,,loai_la,,Tỉnh Thử,,,,,",  # 4: unknown kind
        "Sở B,,so_nganh,,Tỉnh Thử,31/02/2024,,,,",  # 5: impossible date
        "Sở C,,so_nganh,Đơn vị không có,Tỉnh Thử,,,,,",  # 6: unknown parent
        "Sở D,,so_nganh,,Tỉnh Thử,,,,javascript:alert(1),",  # 7: not an http(s) URL
        "Sở E,,so_nganh,,Tỉnh Thử,,,,,không-phải-thư",  # 8: bad e-mail
        "Sở F,,so_nganh,,Tỉnh Không Có,,,,,",  # 9: unknown province
        "Sở G,,so_nganh,,Tỉnh Thử,01/01/2025,01/01/2024,,,",  # 10: from after to
        "Sở Nội vụ,,so_nganh,,Tỉnh Thử,,,,,",  # 11: duplicate of line 2
        "Sở H,,so_nganh,Sở Văn hóa, Thể thao và Du lịch,Tỉnh Thử,,,,,",  # 12: unquoted comma shifts columns
    )
    report = directory_import(data=data, filename="x.csv")
    assert not report.ok
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    messages = {e.line: e.message for e in report.errors}
    assert "thiếu tên" in messages[3]
    assert "loai_la" in messages[4]
    assert "31/02/2024" in messages[5]
    assert "Đơn vị không có" in messages[6]
    assert "javascript" in messages[7]
    assert "dòng 2" in messages[11]
    assert snapshot() == before


def test_formula_injection_is_refused(province):
    before = snapshot()
    data = csv_bytes(
        HEADER,
        "\"=cmd|' /C calc'!A0\",,,,Tỉnh Thử,,,,,",
        "Sở An toàn,,,,Tỉnh Thử,,,+SUM(1),,",
        "Sở Khác,@HYPERLINK(x),,,Tỉnh Thử,,,,,",
    )
    report = directory_import(data=data, filename="x.csv")
    assert [e.line for e in report.errors] == [2, 3, 4]
    assert all("công thức" in e.message for e in report.errors)
    assert snapshot() == before


def test_xlsx_formula_cell_is_refused(province):
    data = xlsx_bytes([["name", "province"], ["=1+1", "Tỉnh Thử"]])
    report = directory_import(data=data, filename="x.xlsx")
    assert [e.line for e in report.errors] == [2]
    assert Unit.objects.count() == 0


def test_escaped_cell_is_text(province):
    """The export writes "'=…" for a value starting with "="; importing it gives the value back."""
    data = csv_bytes(HEADER, "Sở Thử,,,,Tỉnh Thử,,,'=không phải công thức,,")
    report = directory_import(data=data, filename="x.csv")
    assert report.ok, report.errors
    assert Alias.objects.get().text == "=không phải công thức"


def test_huge_cells(province):
    row_level = csv_bytes(HEADER, "Sở Thử,,,,Tỉnh Thử,,," + "a" * 5000 + ",,")
    report = directory_import(data=row_level, filename="x.csv")
    assert [e.line for e in report.errors] == [2]
    assert "quá dài" in report.errors[0].message
    # beyond the csv module's own field limit: the whole file is refused, clearly
    file_level = csv_bytes(HEADER, "Sở Thử,,,,Tỉnh Thử,,," + "a" * 200_000 + ",,")
    report = directory_import(data=file_level, filename="x.csv")
    assert [e.line for e in report.errors] == [None]
    assert "quá dài" in report.errors[0].message
    assert Unit.objects.count() == 0


@pytest.mark.parametrize("filename", ["x.csv", "x.xlsx"])
def test_binary_garbage(db, filename):
    report = directory_import(data=os.urandom(4096), filename=filename)
    assert not report.ok and report.errors[0].line is None
    assert Unit.objects.count() == 0


def test_garbage_inside_a_zip_named_xlsx(db):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    report = directory_import(data=buf.getvalue(), filename="x.xlsx")
    assert "XLSX" in report.errors[0].message


def test_zip_bomb_xlsx_is_refused_before_reading(db):
    """A few hundred kilobytes that would inflate to 100 MB of sheet XML."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w") as f:
            chunk = b"<row/>" * (2**20 // 6)
            for _ in range(100):
                f.write(chunk)
    data = buf.getvalue()
    assert len(data) < 1_000_000
    report = directory_import(data=data, filename="bomb.xlsx")
    assert [e.line for e in report.errors] == [None]
    assert "giải nén quá lớn" in report.errors[0].message


def test_not_utf8(db):
    # a legacy 8-bit encoding, as an old Excel "CSV" may save it
    data = "name\nBáo Thanh Hóa\n".encode("latin-1")
    report = directory_import(data=data, filename="x.csv")
    assert "UTF-8" in report.errors[0].message
    assert Unit.objects.count() == 0


def test_limits_on_size_and_rows(settings, province):
    settings.DIRECTORY_IMPORT_MAX_ROWS = 3
    rows = [f"Đơn vị {i},,,,Tỉnh Thử,,,,," for i in range(4)]
    report = directory_import(data=csv_bytes(HEADER, *rows), filename="x.csv")
    assert "quá nhiều dòng" in report.errors[0].message
    assert directory_import(data=csv_bytes(HEADER, *rows[:3]), filename="x.csv").created == 3
    settings.DIRECTORY_IMPORT_MAX_BYTES = 100
    report = directory_import(data=csv_bytes(HEADER, *rows[:3]), filename="x.csv")
    assert "quá lớn" in report.errors[0].message


def test_header_problems(db):
    unknown = directory_import(data=csv_bytes("name,mật khẩu", "A,b"), filename="x.csv")
    assert "Cột không rõ" in unknown.errors[0].message
    assert "Thiếu cột tên" in directory_import(data=csv_bytes("kind", "so_nganh"), filename="x.csv").errors[0].message
    assert "rỗng" in directory_import(data=b"", filename="x.csv").errors[0].message
    assert "không có dòng dữ liệu" in directory_import(data=csv_bytes(HEADER), filename="x.csv").errors[0].message
    assert ".csv hoặc .xlsx" in directory_import(data=b"a", filename="x.pdf").errors[0].message


def test_import_into_a_province(province, other_province):
    ok = directory_import(data=csv_bytes(HEADER, "Sở Xây dựng,,so_nganh,,,,,,,"), filename="x.csv", province=province)
    assert ok.ok and Unit.objects.get(name="Sở Xây dựng").province == province
    before = snapshot()
    bad = directory_import(
        data=csv_bytes(HEADER, "Sở Công Thương,,so_nganh,,Tỉnh Khác,,,,,"), filename="x.csv", province=province
    )
    assert [e.line for e in bad.errors] == [2]
    assert "Tỉnh Khác" in bad.errors[0].message
    assert snapshot() == before


def test_parent_cycle_is_refused(province):
    data = csv_bytes(HEADER, "A,,,B,Tỉnh Thử,,,,,", "B,,,A,Tỉnh Thử,,,,,", "C,,,C,Tỉnh Thử,,,,,")
    report = directory_import(data=data, filename="x.csv")
    assert [e.line for e in report.errors] == [2, 3, 4]
    assert Unit.objects.count() == 0


def test_parent_may_be_a_central_unit(province):
    Unit.objects.create(name="Thông tấn xã Việt Nam", kind="bao_chi_tw")
    data = csv_bytes(HEADER, "Phân xã Thông tấn xã Việt Nam tại tỉnh Thử,,bao_chi_tw,Thông tấn xã Việt Nam,,,,,,")
    report = directory_import(data=data, filename="x.csv", province=province)
    assert report.ok, report.errors
    assert Unit.objects.get(province=province).parent.name == "Thông tấn xã Việt Nam"
