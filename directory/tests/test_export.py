"""directory_export: the import's columns, round trips, formula neutralisation."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from directory.models import Alias, Unit, Website
from directory.services import directory_export, directory_import


@pytest.fixture
def units(province, other_province):
    """A small directory: a parent, a child with everything filled in, a central unit
    and a unit of another province."""
    ubnd = Unit.objects.create(name="Ủy ban nhân dân tỉnh Thử", short_name="UBND tỉnh", kind="ubnd_tinh",
                               province=province)
    sở = Unit.objects.create(
        name="Sở Thông tin và Truyền thông tỉnh Thử", short_name="Sở TT&TT", kind="so_nganh", province=province,
        parent=ubnd, valid_from=dt.date(2008, 1, 1), valid_to=dt.date(2025, 6, 30), email="vt@stttt.thu.gov.vn",
    )
    Alias.objects.create(text="STTTT", unit=sở)
    Alias.objects.create(text="Sở TTTT", unit=sở)
    Website.objects.create(unit=sở, url="https://stttt.thu.gov.vn")
    central = Unit.objects.create(name="Thông tấn xã Việt Nam", short_name="TTXVN", kind="bao_chi_tw")
    Unit.objects.create(name="Phân xã Thông tấn xã Việt Nam tại tỉnh Thử", province=province, parent=central)
    Unit.objects.create(name="Sở Y tế tỉnh Khác", province=other_province)
    return sở


def _rows_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel needs the BOM to read Vietnamese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _rows_xlsx(data: bytes) -> list[list[str]]:
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]


def test_csv_columns(units):
    rows = _rows_csv(directory_export(fmt="csv"))
    assert rows[0] == ["tên", "tên ngắn", "loại", "đơn vị cấp trên", "tỉnh", "hiệu lực từ", "hiệu lực đến",
                       "tên gọi khác", "trang web", "thư điện tử"]
    row = next(r for r in rows if r[0] == units.name)
    assert row == [units.name, "Sở TT&TT", "so_nganh", "Ủy ban nhân dân tỉnh Thử", "Tỉnh Thử", "01/01/2008",
                   "30/06/2025", "STTTT|Sở TTTT", "https://stttt.thu.gov.vn", "vt@stttt.thu.gov.vn"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip(units, fmt):
    """Export, empty the directory, import the file: the next export is the same."""
    first = directory_export(fmt=fmt)
    read = _rows_csv if fmt == "csv" else _rows_xlsx
    Unit.objects.update(parent=None)
    Unit.objects.all().delete()
    report = directory_import(data=first, filename=f"export.{fmt}")
    assert report.ok, report.errors
    assert report.created == 5
    assert read(directory_export(fmt=fmt)) == read(first)
    # and importing the export over the directory changes nothing
    again = directory_import(data=first, filename=f"export.{fmt}")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_province_export_holds_only_that_province(units, province):
    rows = _rows_csv(directory_export(fmt="csv", province=province))
    names = {r[0] for r in rows[1:]}
    assert names == {"Ủy ban nhân dân tỉnh Thử", units.name, "Phân xã Thông tấn xã Việt Nam tại tỉnh Thử"}


def test_formula_cells_are_neutralised(province):
    Unit.objects.create(name="=HYPERLINK(\"http://x\",\"bấm\")", province=province)
    Unit.objects.create(name="-2+3+cmd|' /C calc'!A0", province=province)
    Unit.objects.create(name="@SUM(1)", province=province)
    csv_names = sorted(r[0] for r in _rows_csv(directory_export(fmt="csv"))[1:])
    assert all(n.startswith("'") for n in csv_names)
    ws = openpyxl.load_workbook(io.BytesIO(directory_export(fmt="xlsx"))).worksheets[0]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in cells)


def test_unknown_format(db):
    with pytest.raises(ValueError):
        directory_export(fmt="pdf")
