"""Activity tables: "STT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian …".

Every row that names a lead unit is an activity, with ref "PL.<STT>", or
"PL.<group>.<STT>" when numbering restarts in each group (I, II, …). Group header rows
are not activities. Rows whose STT cell is empty continue the row above (a merged STT)
and get a "[n]" suffix.
"""
from __future__ import annotations

import re

from . import dates as vdates
from . import units as vunits
from .activities import clean_title, first_sentence, lead_value
from .model import Activity, Table
from .rx import lowered

_COLS = [
    ("stt", re.compile(r"^(?:S\.?\s?TT|TT|Số\s*TT|Số thứ tự|STT)\.?$", re.I)),
    ("lead", re.compile(r"chủ trì|thực hiện|đơn vị thực hiện|cơ quan thực hiện|trách nhiệm|đầu mối|tham mưu", re.I)),
    ("support", re.compile(r"phối hợp", re.I)),
    ("time", re.compile(r"thời gian|thời hạn|tiến độ|hoàn thành", re.I)),
    ("content", re.compile(r"nội dung|nhiệm vụ|hoạt động|công việc|tên\b|giải pháp|chương trình|đề án|chỉ tiêu", re.I)),
    ("product", re.compile(r"sản phẩm|kết quả", re.I)),
    ("funding", re.compile(r"kinh phí|nguồn vốn", re.I)),
    ("form", re.compile(r"hình thức|phương thức", re.I)),
    ("location", re.compile(r"địa điểm", re.I)),
]
_ROMAN = re.compile(r"^[IVXL]{1,6}\.?$")
_UPPER_LETTER = re.compile(r"^[A-ZĐ]\.?$")
_STT = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$|^[a-zđ]\)?$")


_PHOI_HOP_RE = re.compile(r"phối hợp", re.I)
_CHU_TRI_RE = re.compile(r"chủ trì", re.I)
_CHU_TRI_OR_PHOI_HOP_RE = re.compile(r"chủ trì|phối hợp", re.I)
_COLUMN_NUMBER_RE = re.compile(r"\(?\d{1,2}\)?")


_LEAD_COLUMN_RE = dict(_COLS)["lead"]
_CONTENT_COLUMN_RE = dict(_COLS)["content"]
# The same two, case-sensitive, for lower-cased text (rx.lowered): a case-insensitive
# search of Vietnamese text cannot skip ahead to the letters its words start with.
_LEAD_COLUMN_LOW = re.compile(_LEAD_COLUMN_RE.pattern)
_CONTENT_COLUMN_LOW = re.compile(_CONTENT_COLUMN_RE.pattern)


def _map_columns(row: list[str]) -> dict[str, int] | None:
    # A header row has a lead and a content column. Most rows tried are content rows
    # or not in an activity table at all: two searches of the whole row rule them out
    # before each cell is tried against every column name.
    whole = " ".join("\x00".join(row).split())
    low = lowered(whole)
    if low is not None:
        if not _LEAD_COLUMN_LOW.search(low) or not _CONTENT_COLUMN_LOW.search(low):
            return None
    elif not _LEAD_COLUMN_RE.search(whole) or not _CONTENT_COLUMN_RE.search(whole):
        return None
    cols: dict[str, int] = {}
    for i, cell in enumerate(row):
        c = " ".join(cell.split())
        if not c or len(c) > 80:
            continue
        # The column whose name starts first in the cell: "Nội dung thực hiện" is the
        # content, "Thời gian thực hiện" the time, "Đơn vị thực hiện" the lead.
        best: tuple[int, str] | None = None
        for name, rx in _COLS:
            if name in cols:
                continue
            if name == "stt":
                if rx.match(c):
                    best = (0, name)
                    break
                continue
            if name == "lead" and _PHOI_HOP_RE.search(c) and not _CHU_TRI_RE.search(c):
                continue
            if name == "time" and _CHU_TRI_OR_PHOI_HOP_RE.search(c):
                continue
            m = rx.search(c)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), name)
        if best is not None:
            cols[best[1]] = i
    if "lead" in cols and "content" in cols:
        return cols
    return None


def _header(table: Table) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(table.rows[:4]):
        cols = _map_columns(row)
        if cols:
            return r, cols
    return None


def is_activity_table(table: Table) -> bool:
    return _header(table) is not None


def _shift(table: Table, hr: int, cols: dict[str, int]) -> int:
    """How many cells the header row `hr` has in front of the rows under it: 0, or the
    index of its STT column when every column it names comes after that one, no row under
    it has a number there and most have one in their first cell. A signature block and an
    appendix's table written one cell per run with no row break between them (corpus
    c5d930a5) make one header row: "Nơi nhận | TM. … | PHỤ LỤC … | TT | Nội dung | …"."""
    k = cols.get("stt", 0)
    if k == 0 or min(cols.values()) < k:
        return 0
    rows = [r for r in table.rows[hr + 1:hr + 11] if any(r)]
    first = [" ".join(r[0].split()) for r in rows]
    numbered = sum(1 for c in first if _STT.match(c) or _ROMAN.match(c) or _UPPER_LETTER.match(c))
    at_k = sum(1 for r in rows if len(r) > k and r[k].strip() and _STT.match(" ".join(r[k].split())))
    return k if rows and not at_k and 2 * numbered >= len(rows) else 0


def table_activities(table: Table, year: int | None) -> list[Activity]:
    found = _header(table)
    if not found:
        return []
    hr, cols = found
    header = table.rows[hr]
    k = _shift(table, hr, cols)
    if k:
        header = header[k:]
        cols = {name: i - k for name, i in cols.items()}
    time_completion = "time" in cols and bool(re.search(r"hoàn thành|thời hạn", header[cols["time"]], re.I))
    width = len(header)
    rows = []
    group = None
    last_stt = None
    for r in range(hr + 1, len(table.rows)):
        row = list(table.rows[r]) + [""] * (width - len(table.rows[r]))
        cells = [" ".join(c.split()) for c in row]
        if all(_COLUMN_NUMBER_RE.fullmatch(c) or not c for c in cells):
            continue  # the "(1) (2) (3)" column-number row
        stt = cells[cols["stt"]] if "stt" in cols else ""
        if " " in stt and _STT.match(stt.split()[0]):
            stt = stt.split()[0]  # "1 c": a scan's speck after the number
        distinct = {c for c in cells if c}
        if _ROMAN.match(stt) or _UPPER_LETTER.match(stt) or (len(distinct) == 1 and not _STT.match(stt)):
            group = stt.rstrip(".") if (_ROMAN.match(stt) or _UPPER_LETTER.match(stt)) else group
            if not stt and len(distinct) == 1:
                continue
            if not cells[cols["lead"]] or cells[cols["lead"]] == cells[cols["content"]]:
                last_stt = None
                continue
        if "stt" in cols and not _STT.match(stt) and stt and not _ROMAN.match(stt):
            # a pipe table lost the empty STT cell: the row is shifted left by one
            if len(stt) > 15 and cols["stt"] == 0:
                cells = [""] + cells[:-1]
                stt = ""
        content = cells[cols["content"]]
        lead_cell = cells[cols["lead"]]
        if not content and not lead_cell:
            continue
        if stt:
            last_stt = stt.rstrip(".)")
        rows.append((group, last_stt, cells))
    restart = _numbering_restarts(rows)
    out: list[Activity] = []
    seen: dict[str, int] = {}
    for group, stt, cells in rows:
        lead, sup_from_lead = lead_value(cells[cols["lead"]]) if cells[cols["lead"]] else ([], [])
        if not lead:
            continue
        parts = ["PL"]
        if restart and group:
            parts.append(group)
        parts.append(stt or str(len(out) + 1))
        ref = ".".join(parts)
        seen[ref] = seen.get(ref, 0) + 1
        if seen[ref] > 1:
            ref = f"{ref}[{seen[ref]}]"
        content = cells[cols["content"]]
        title = content.split("\n")[0]
        if len(title) > 250:
            title = first_sentence(title)
        support = sup_from_lead + (vunits.split_units(cells[cols["support"]]) if "support" in cols else [])
        d = vdates.Dates()
        time_text = cells[cols["time"]] if "time" in cols else ""
        if time_text:
            d = vdates.read_time_field(time_text, year, time_completion)
        act = Activity(
            ref=ref,
            title=clean_title(title),
            lead=vunits._dedupe(lead),
            support=vunits._dedupe(support),
            start=d.start,
            end=d.end,
            deadline=d.deadline,
            content=content,
            time_text=time_text or None,
            funding=cells[cols["funding"]] if "funding" in cols else None,
            form=cells[cols["form"]] if "form" in cols else None,
            location=cells[cols["location"]] if "location" in cols else None,
            recurrence=vdates.recurrence(" ".join([content, time_text])),
            span=table.span,
        )
        if "product" in cols and cells[cols["product"]]:
            act.notes.append(f"Sản phẩm: {cells[cols['product']]}")
        out.append(act)
    return out


def _numbering_restarts(rows) -> bool:
    seen: dict[str, str | None] = {}
    for group, stt, _ in rows:
        if stt is None:
            continue
        if stt in seen and seen[stt] != group:
            return True
        seen.setdefault(stt, group)
    return False
