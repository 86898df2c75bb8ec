"""Reading and writing the directory's spreadsheets: CSV (UTF-8, comma or semicolon)
and XLSX. Plain functions on bytes with no database access; the import service
validates what they return.

Reading guards against hostile files: a size limit, a row limit, a cell-length limit,
binary garbage, and XLSX "zip bombs" (a small file that inflates to gigabytes).
Writing neutralises cells that a spreadsheet would run as a formula ("=cmd|…").
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _

# An XLSX may not inflate beyond this, nor hold more parts than this.
MAX_XLSX_UNZIPPED = 64 * 2**20
MAX_XLSX_PARTS = 500
# Columns read per row: the format has ten; extra columns are reported, not read forever.
MAX_COLUMNS = 30
# A leading "'" marks a cell that starts with one of these as text (see `neutralise`).
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


class TableError(Exception):
    """The file cannot be read at all; the message is meant for the user."""


def read_table(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    """The rows of a CSV or XLSX file as (line number, cells), header row included.

    Cells are NFC-normalised, stripped strings; XLSX dates come as dd/mm/yyyy and
    formulas as their "=…" text, so that the caller can refuse them. Raises TableError
    (possibly while iterating) for a file that is too big, has too many rows, is not
    the format its name says, or is damaged."""
    if not data:
        raise TableError(_("Tệp rỗng."))
    if len(data) > max_bytes:
        raise TableError(_("Tệp quá lớn (%(size)s MB, tối đa %(max)s MB).") % {
            "size": round(len(data) / 2**20, 1), "max": round(max_bytes / 2**20, 1)})
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise TableError(_("Chỉ nhận tệp .csv hoặc .xlsx."))
    for count, (line, cells) in enumerate(rows):
        if count > max_rows:  # the header row is not counted
            raise TableError(_("Tệp có quá nhiều dòng (tối đa %(max)s dòng dữ liệu).") % {"max": max_rows})
        yield line, [_clean(c) for c in cells]


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    if b"\x00" in data:
        raise TableError(_("Tệp không phải văn bản CSV (có dữ liệu nhị phân)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(_("Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: \"CSV UTF-8\").")) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells[:MAX_COLUMNS]
    except csv.Error:
        # the csv module refuses cells beyond its field size limit and broken quoting
        line = reader.line_num + 1
        raise TableError(_("Dòng %(line)s: ô quá dài hoặc sai định dạng CSV.") % {"line": line}) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl

    if not data.startswith(b"PK\x03\x04"):
        raise TableError(_("Tệp không phải XLSX hợp lệ."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = zf.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise TableError(_("Tệp XLSX bị hỏng.")) from None
    # zipfile never inflates a part beyond its declared size, so the declared sizes
    # bound what openpyxl can be made to read.
    if len(parts) > MAX_XLSX_PARTS or sum(p.file_size for p in parts) > MAX_XLSX_UNZIPPED:
        raise TableError(_("Tệp XLSX khi giải nén quá lớn; không đọc."))
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        # openpyxl raises a dozen unrelated types for damaged or foreign files
        raise TableError(_("Không đọc được tệp XLSX (tệp hỏng hoặc không phải bảng tính).")) from None
    try:
        if not wb.worksheets:
            raise TableError(_("Tệp XLSX không có trang tính nào."))
        ws = wb.worksheets[0]
        try:
            for line, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
                yield line, [_xlsx_text(cell) for cell in row]
        except TableError:
            raise
        except Exception:
            raise TableError(_("Tệp XLSX bị hỏng (không đọc được nội dung trang tính).")) from None
    finally:
        wb.close()


def _xlsx_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def neutralise(value: str) -> str:
    """A cell a spreadsheet will show as text: a leading =, +, -, @ (a formula or DDE
    payload) gets a "'" in front."""
    return "'" + value if value.startswith(FORMULA_CHARS) else value


def unneutralise(value: str) -> str:
    """Undo `neutralise` on import."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_CHARS) else value


def write_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM (so Excel shows Vietnamese correctly), comma-separated."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow([neutralise(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(header: list[str], rows: list[list[str]], *, title: str) -> bytes:
    """One sheet, every cell stored as text (never as a formula)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    bold = Font(bold=True)

    def cells(values, font=None):
        out = []
        for v in values:
            c = WriteOnlyCell(ws, value=neutralise(v))
            c.data_type = "s"
            if font is not None:
                c.font = font
            out.append(c)
        return out

    ws.append(cells(header, bold))
    for row in rows:
        ws.append(cells(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
