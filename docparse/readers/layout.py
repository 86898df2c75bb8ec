"""Page geometry to blocks, shared by the PDF reader and the OCR reader.

Whatever produced a page (pdfplumber's text layer, Tesseract's word boxes) hands over
`PageLayout`s of `Line`s of `Word`s with their boxes; `layout_pages` turns them into
`Paragraph` and `Table` blocks in reading order. Lines become paragraphs by geometry,
and the two-column header of a Vietnamese administrative document (issuing body |
national motto, "Số:" | "<place>, ngày …") and the "Nơi nhận:" | signer block become
two-column tables, the way the DOCX reader shows the same layout tables. Pure
geometry: no PDF library is imported here.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..model import Block, Paragraph, Table


# --- layout model -----------------------------------------------------------------


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool = False
    size: float = 0.0  # font size in the page's units; OCR uses the box height
    conf: float = 100.0  # OCR confidence, 0-100; a text layer is certain


@dataclass
class Line:
    """Words on one baseline with no column-sized gap between them, left to right."""

    words: list[Word]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)

    @property
    def size(self) -> float:
        return statistics.median(w.size for w in self.words)


@dataclass
class TableBox:
    """A ruled table found on one page, cells already resolved to text."""

    top: float
    bottom: float
    rows: list[list[str]]
    vmerged: list[list[bool]]


@dataclass
class PageLayout:
    """What the layout stage needs from one page, whatever produced it."""

    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[TableBox] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)


# --- words -> lines -------------------------------------------------------------------


def group_lines(words: list[Word], split_gaps: bool = True) -> list[Line]:
    """Group words into lines, top to bottom, then left to right.

    A word joins a line when their vertical extents overlap by half the smaller height,
    which keeps superscripts and a slight tilt on their line. With `split_gaps`, a line
    is cut where the gap between words is wider than three font sizes, so columns side
    by side (the document header) stay apart.
    """
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        for row in reversed(rows[-3:]):
            top, bottom = min(w.top for w in row), max(w.bottom for w in row)
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap > 0.5 * min(bottom - top, word.bottom - word.top):
                row.append(word)
                break
        else:
            rows.append([word])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        current = [row[0]]
        for word in row[1:]:
            gap = word.x0 - current[-1].x1
            if split_gaps and gap > 3 * max(word.size, current[-1].size, 1.0):
                lines.append(Line(current))
                current = []
            current.append(word)
        lines.append(Line(current))
    for line in lines:
        line.words[0].text = _LABEL_GLUED.sub(r"\1 \2", line.words[0].text)
    lines.sort(key=lambda l: (round(l.top), l.x0))
    return lines


# Word draws a list label and the tab after it; a short tab leaves no gap wide enough
# for a space, and "IV." "KINH" come out as one word.
_LABEL_GLUED = re.compile(r"^((?:[IVXLC]{1,6}|\d{1,3}(?:\.\d{1,3})*)\.)([^\W\d_].*)$")


def rows_of(lines: list[Line]) -> list[list[Line]]:
    """Lines that share a baseline band (segments of one visual row), left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda l: l.top):
        if rows:
            last = rows[-1]
            top, bottom = min(l.top for l in last), max(l.bottom for l in last)
            if min(bottom, line.bottom) - max(top, line.top) > 0.5 * (line.bottom - line.top):
                last.append(line)
                continue
        rows.append([line])
    for row in rows:
        row.sort(key=lambda l: l.x0)
    return rows


# --- lines -> paragraphs ------------------------------------------------------------------

# A new list item always opens a paragraph: "1.", "1.1.", "I.", "a)", "-", "+", "Điều 3."
ITEM_START = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3})*\.\s|\d{1,3}(?:\.\d{1,3})+\s|\d{1,3}\)\s|[IVXLC]{1,6}\.\s|[a-zđ]\)\s|[-+•–—*]\s|"
    r"(?:Điều|Bước|Mục|Phần|Chương|Hoạt động)\s+\w{1,5}[.:]?\s)"
)
_LETTER = re.compile(r"[^\W\d_]")


def join_lines(texts) -> str:
    """Join wrapped lines with spaces; a line ending in a hyphen right after a letter
    ("PT-" / "TH", a URL) is joined without one, as LibreOffice and Word break there."""
    out = ""
    for text in texts:
        if out and not (re.search(r"\w-$", out) and text[:1].isalnum()):
            out += " "
        out += text
    return out


@dataclass
class Para:
    lines: list[Line]

    @property
    def text(self) -> str:
        return join_lines(l.text for l in self.lines)

    @property
    def bold(self) -> bool:
        return all(l.bold for l in self.lines)


def paragraphs(lines: list[Line], left: float, right: float, gap: float | None = None) -> list[Para]:
    """Merge consecutive lines into paragraphs, given the text area [left, right].

    `gap` is the usual space between two lines of one paragraph; None means measure it
    from these lines. See `_starts_paragraph` for the rules.
    """
    if gap is None:
        gap = usual_gap(lines)
    out: list[Para] = []
    for line in lines:
        if out and not _starts_paragraph(out[-1].lines[-1], line, left, right, gap):
            out[-1].lines.append(line)
        else:
            out.append(Para([line]))
    return out


def usual_gap(lines: list[Line]) -> float:
    """The blank space between two lines of one paragraph: the lower quartile of the
    gaps between close consecutive lines (list items spaced apart would skew a median)."""
    gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:]) if 0 <= b.top - a.bottom < 2 * a.size)
    return gaps[len(gaps) // 4] if gaps else 3.0


def _is_caps(text: str) -> bool:
    letters = _LETTER.findall(text)
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def _centered(line: Line, left: float, right: float) -> bool:
    """Both margins wide and about equal; a full indented line is not centred."""
    em = line.size or 10
    lm, rm = line.x0 - left, right - line.x1
    return lm > 1.5 * em and rm > 1.5 * em and abs(lm - rm) < 0.6 * em


def _starts_paragraph(prev: Line, line: Line, left: float, right: float, gap: float) -> bool:
    """Whether `line` opens a new paragraph after `prev`.

    Yes when it starts a list item; when the blank above it is clearly larger than
    the usual line gap; when it is indented past the previous line (first-line indent;
    not after a list item's first line, which wraps to a hanging indent);
    when `prev` stopped so short that `line`'s first word would have fitted after it
    (a hard break, not a wrap); or when boldness, font size or ALL CAPS change.
    """
    em = line.size or 10
    if ITEM_START.match(line.text):
        return True
    if prev.text.count("(") > prev.text.count(")"):
        return False  # an open parenthesis is still running: "(Báo Đắk Nông, Đài …" / "… Năm Nung)"
    if line.bold != prev.bold or abs(line.size - prev.size) > 1.0 or _is_caps(prev.text) != _is_caps(line.text):
        return True
    same_page = line.top > prev.top  # a line higher up than its predecessor is on a new page
    if same_page and line.top - prev.bottom > gap + max(2.5, 0.3 * em):
        return True
    both_centered = _centered(prev, left, right) and _centered(line, left, right)
    hanging = ITEM_START.match(prev.text) is not None  # Word's list items wrap to an indent
    if not (both_centered or hanging) and line.x0 > left + 0.8 * em and line.x0 > prev.x0 + 0.8 * em:
        return True
    first = line.words[0]
    start = left if _centered(prev, left, right) else prev.x0
    room = right - start - (prev.x1 - prev.x0)
    return room > 0.3 * em + (first.x1 - first.x0) + 0.5 * em


# --- page furniture, header and signature ------------------------------------------------

_PAGE_NUMBER = re.compile(r"^[-–—]?\s*(?:Trang\s*)?\d{1,4}\s*(?:/\s*\d{1,4})?\s*[-–—]?$", re.I)


def drop_furniture(pages: list[PageLayout]) -> None:
    """Remove page numbers and running headers/footers in place.

    A line counts when it sits in the top or bottom 8 % of its page and is a page
    number, or when its text (digits ignored) recurs there on half the pages (≥ 3).
    """
    def margin(page: PageLayout, line: Line) -> bool:
        return line.bottom < page.height * 0.08 or line.top > page.height * 0.92

    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text.strip().lower())

    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({key(l) for l in page.lines if margin(page, l)})
    repeated = {k for k, n in counts.items() if len(pages) >= 3 and n >= len(pages) / 2}
    for page in pages:
        page.lines = [
            l for l in page.lines
            if not (margin(page, l) and (_PAGE_NUMBER.match(l.text.strip()) or key(l) in repeated))
        ]
    for page in pages:  # a bare number centred at the very top is a page number too (VN style)
        if page.lines and page.lines[0].bottom < page.height * 0.12 and _PAGE_NUMBER.match(page.lines[0].text):
            page.lines.pop(0)


_HEADER_WORDS = re.compile(r"CỘNG HÒA|CỘNG HOÀ|Độc lập|^S\s*ố\s*:|ngày\b.*\btháng\b.*\bnăm\b", re.I | re.M)
_HEADER_STOP = re.compile(r"^(KẾ HOẠCH|QUYẾT ĐỊNH|CÔNG VĂN|THÔNG BÁO|Kính gửi|Căn cứ)", re.I)
_NUMBER_LINE = re.compile(r"^S\s*ố\s*[:.]", re.I)


def _gutter(row: list[Line], width: float) -> tuple[float, float] | None:
    """The widest gap between two segments of a row whose middle lies in the centre half."""
    best = None
    for a, b in zip(row, row[1:]):
        mid = (a.x1 + b.x0) / 2
        if width * 0.25 < mid < width * 0.75 and (best is None or b.x0 - a.x1 > best[1] - best[0]):
            best = (a.x1, b.x0)
    return best


def _split_columns(rows: list[list[Line]], start: int, gutter: tuple[float, float],
                   stop_words: re.Pattern | None, max_rows: int, margin: float | None = None):
    """Extend a two-column band from rows[start]; return (index after its last row,
    the gutter narrowed to what the band leaves free).

    A row belongs while every segment stays on one side of the gutter and the blank
    above it is under three line heights. With `margin` (the body's left edge), a
    left-only row flush with it ends the band unless the left column already had such
    a line: header cells are centred, the body after them is not.
    """
    g0, g1 = gutter
    end = start
    flush = False
    for i in range(start, min(len(rows), start + max_rows)):
        row = rows[i]
        if i > start:
            height = row[0].bottom - row[0].top
            if row[0].top - max(l.bottom for l in rows[i - 1]) > 3 * height:
                break
            if stop_words and stop_words.match(row[0].text):
                break
        left = [l for l in row if l.x1 <= g1 - 1]
        right = [l for l in row if l.x0 >= g0 + 1]
        if len(left) + len(right) != len(row) or set(map(id, left)) & set(map(id, right)):
            break
        at_margin = margin is not None and any(l.x0 <= margin + 2 for l in left)
        if at_margin and not right and not flush and i > start:
            break
        flush = flush or at_margin
        new0 = max([g0] + [l.x1 for l in left])
        new1 = min([g1] + [l.x0 for l in right])
        if new1 - new0 < 4:
            break
        g0, g1 = new0, new1
        end = i + 1
    return end, (g0, g1)


def _column_cells(lines: list[Line], column: float) -> str:
    """A header column's text, one line per paragraph ("\\n" between).

    Header cells are centred, so indents say nothing; a line continues the one above
    when that one's text plus this line's first word would not fit in the column
    (`column` wide, or as wide as its widest line) and both are set alike (bold, CAPS).
    The national motto is one paragraph however it wraps.
    """
    lines = sorted(lines, key=lambda l: l.top)
    if not lines:
        return ""
    starts = Counter(round(l.x0) for l in lines)
    if starts.most_common(1)[0][1] >= max(2, 0.6 * len(lines)):  # left-aligned: "Nơi nhận:" list
        left, right = min(l.x0 for l in lines), max(l.x1 for l in lines) + 1
        return "\n".join(p.text for p in paragraphs(lines, left, right, usual_gap(lines) + 2))
    width = max([column] + [l.x1 - l.x0 + 1 for l in lines])
    paras: list[list[Line]] = []
    for line in lines:
        prev = paras[-1][-1] if paras else None
        first = line.words[0]
        wraps = prev is not None and (
            (prev.x1 - prev.x0) + 0.3 * line.size + (first.x1 - first.x0) > width
            and prev.bold == line.bold and _is_caps(prev.text) == _is_caps(line.text)
            and not ITEM_START.match(line.text)
        ) or (prev is not None and prev.text.upper().endswith("CHỦ NGHĨA") and line.text.upper() == "VIỆT NAM")
        if wraps:
            paras[-1].append(line)
        else:
            paras.append([line])
    return "\n".join(join_lines(l.text for l in para) for para in paras)


def two_column_table(band: list[list[Line]], split_at: float, area: tuple[float, float],
                     row_breaks: list[float]) -> list[list[str]]:
    """Cells of a two-column band split at x = `split_at` inside the text area `area`:
    one row per slice between `row_breaks` (y values)."""
    lines = [l for row in band for l in row]
    edges = [-1.0] + sorted(row_breaks) + [float("inf")]
    out = []
    for top, bottom in zip(edges, edges[1:]):
        part = [l for l in lines if top <= l.top < bottom]
        if not part:
            continue
        left = [l for l in part if l.x0 < split_at]
        right = [l for l in part if l.x0 >= split_at]
        out.append([_column_cells(left, split_at - area[0]), _column_cells(right, area[1] - split_at)])
    return out


def find_header(rows: list[list[Line]], width: float, area: tuple[float, float]):
    """The two-column document header at the top of the first page, if there is one.

    Returns (number of rows it covers, table rows) or None. The band starts at the first
    row; its gutter comes from the first of the top rows with two segments; it must
    contain a header phrase (national motto, "Số:", "…, ngày … tháng … năm …").
    The header is cut into two table rows at the "Số:" line, as Word's header tables are.
    """
    gutter = next((g for row in rows[:8] if (g := _gutter(row, width))), None)
    if gutter is None:
        return None
    end, gutter = _split_columns(rows, 0, gutter, _HEADER_STOP, 14, margin=area[0])
    band = rows[:end]
    text = "\n".join(l.text for row in band for l in row)
    lines = [l for row in band for l in row]
    has_left = any(l.x1 <= gutter[1] for l in lines)
    has_right = any(l.x0 >= gutter[0] for l in lines)
    if end == 0 or not _HEADER_WORDS.search(text) or not (has_left and has_right):
        return None
    split_at = (gutter[0] + gutter[1]) / 2
    number = next((l for l in lines if _NUMBER_LINE.match(l.text) and l.x1 <= split_at), None)
    breaks = [number.top - 0.5 * (number.bottom - number.top)] if number else []
    cells = two_column_table(band, split_at, area, breaks)
    return end, cells


def find_signature(rows: list[list[Line]], width: float, area: tuple[float, float]):
    """The "Nơi nhận:" | signer block as (first row index, end index, one table row,
    split x), or None."""
    start = next((i for i, row in enumerate(rows) if re.match(r"^Nơi nhận\s*:?", row[0].text)), None)
    if start is None:
        return None
    # The signer column may start a little above "Nơi nhận:" (a centred "TM. …" line).
    if start > 0 and all(l.x0 > width * 0.4 for l in rows[start - 1]):
        start -= 1
    lines = [l for row in rows[start:] for l in row]
    spans = sorted((l.x0, l.x1) for l in lines)
    reach, gutter = spans[0][1], None
    for x0, x1 in spans[1:]:
        mid = (reach + x0) / 2
        if x0 - reach > 4 and width * 0.3 < mid < width * 0.8:
            gutter = (reach, x0)
            break
        reach = max(reach, x1)
    if gutter is None:
        return None
    end, gutter = _split_columns(rows, start, gutter, None, 60)
    band = rows[start:end]
    if end - start < 2 or not any(l.x0 >= gutter[0] for row in band for l in row):
        return None
    split_at = (gutter[0] + gutter[1]) / 2
    return start, end, two_column_table(band, split_at, area, []), split_at


# --- assembling blocks ---------------------------------------------------------------------


class _Out:
    """Collects blocks and the lines of Document.text they index into."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[str] = []

    def paragraph(self, para: Para) -> None:
        n = len(self.lines) + 1
        self.lines.append(para.text)
        self.blocks.append(Paragraph(para.text, (n, n), bold=para.bold))

    def table(self, rows: list[list[str]], vmerged: list[list[bool]], join: bool = False) -> None:
        prev = self.blocks[-1] if self.blocks else None
        if join and isinstance(prev, Table) and prev.rows and len(prev.rows[0]) == len(rows[0]):
            rows, vmerged = _continue_table(prev, rows, vmerged)
            del self.lines[prev.span[0] - 1:]
            self.blocks.pop()
        n = len(self.lines) + 1
        self.lines.extend(" | ".join(c.replace("\n", " ") for c in row) for row in rows)
        self.blocks.append(Table(rows, (n, n + len(rows) - 1), vmerged))


def _continue_table(prev: Table, rows: list[list[str]], vmerged: list[list[bool]]):
    """Join a table continued on the next page onto `prev`; returns the joined grid.

    A repeated header row is dropped. A first row with an empty first cell is the rest
    of a row split by the page break and is appended to the last row. A tall empty
    merged cell at the top continues the merged cell above the break.
    """
    rows = [list(r) for r in rows]
    vmerged = [list(v) for v in vmerged]
    if rows and rows[0] == prev.rows[0]:
        rows, vmerged = rows[1:], vmerged[1:]
    all_rows = [list(r) for r in prev.rows] + rows
    all_v = [list(v) for v in (prev.vmerged or [[False] * len(r) for r in prev.rows])] + vmerged
    k = len(prev.rows)
    if rows:
        for c, text in enumerate(rows[0]):
            below = len(rows) > 1 and vmerged[1][c]
            if text == "" and below and all_rows[k - 1][c]:
                all_v[k][c] = True
        if not rows[0][0].strip() and any(rows[0]):
            last = all_rows[k - 1]
            for c, text in enumerate(rows[0]):
                if text and not all_v[k][c]:
                    last[c] = (last[c] + " " + text).strip()
            del all_rows[k], all_v[k]
    for r in range(1, len(all_rows)):  # a continuation repeats its (possibly longer) origin
        for c in range(len(all_rows[r])):
            if all_v[r][c]:
                all_rows[r][c] = all_rows[r - 1][c]
    return all_rows, all_v


def _text_area(pages: list[PageLayout]) -> tuple[float, float]:
    """The body text's left and right edges: the most common line start, the 95th
    percentile of line ends (justified lines end exactly there)."""
    starts = Counter(round(l.x0) for p in pages for l in p.lines)
    ends = sorted(l.x1 for p in pages for l in p.lines)
    if not ends:
        return 0.0, max((p.width for p in pages), default=600.0)
    common = [x for x, n in starts.most_common(5) if n >= 3] or [min(starts)]
    return float(min(common)), ends[int(0.95 * (len(ends) - 1))]


def layout_pages(pages: list[PageLayout]) -> tuple[list[Block], str, dict[str, str]]:
    """Blocks in reading order, Document.text, and the footnotes of a list of pages.

    Used by the PDF reader and the image/OCR reader alike.
    """
    drop_furniture(pages)
    area = _text_area(pages)
    gap = usual_gap([l for p in pages for l in p.lines])
    out = _Out()
    pending: list[Line] = []
    footnotes: dict[str, str] = {}

    def flush() -> None:
        for para in paragraphs(pending, area[0], area[1], gap):
            out.paragraph(para)
        pending.clear()

    first_content = next((p.number for p in pages if p.lines or p.tables), None)
    carry = None  # (split x, signer column x) of a signature band that ran to the page's end
    for page in pages:
        footnotes.update(page.footnotes)
        rows = rows_of(page.lines)
        if carry is not None:
            rows = _continue_signature(out, carry, rows, area)
        items: list[tuple[float, str, object]] = [(r[0].top, "row", r) for r in rows]
        items += [(t.top, "table", t) for t in page.tables]
        items.sort(key=lambda it: it[0])
        special, covered, carry = _special_bands(rows, page, area, page.number == first_content)
        page_start = True
        for _top, kind, obj in items:
            if kind == "table":
                flush()
                out.table(obj.rows, obj.vmerged, join=page_start)
            elif id(obj) in special:
                flush()
                cells = special[id(obj)]
                out.table(cells, [[False, False] for _ in cells])
            elif id(obj) not in covered:
                pending.append(obj[0] if len(obj) == 1 else Line([w for l in obj for w in l.words]))
            page_start = False
    flush()
    return out.blocks, "\n".join(out.lines), footnotes


def _special_bands(rows: list[list[Line]], page: PageLayout, area, first_page: bool):
    """The header and signature bands of a page as ({id(first row): table cells},
    {id(row) of every other row they cover})."""
    bands: dict[int, list[list[str]]] = {}
    covered: set[int] = set()
    header_end = 0
    if first_page and rows:
        header = find_header(rows, page.width, area)
        if header:
            header_end, cells = header
            bands[id(rows[0])] = cells
            covered.update(id(r) for r in rows[1:header_end])
    signature = find_signature(rows[header_end:], page.width, area)
    carry = None
    if signature:
        start, end, cells, split_at = signature
        start, end = start + header_end, end + header_end
        bands[id(rows[start])] = cells
        covered.update(id(r) for r in rows[start + 1:end])
        if end == len(rows) and not page.tables:
            right_x0 = min((l.x0 for r in rows[start:end] for l in r if l.x0 >= split_at), default=split_at)
            carry = (split_at, right_x0)
    return bands, covered, carry


def _continue_signature(out: _Out, carry: tuple[float, float], rows: list[list[Line]],
                        area) -> list[list[Line]]:
    """Append the top rows of a page that continue the previous page's signature table
    to its cells; return the other rows. `carry` is (split x, where the signer column
    starts): a continuing row has each segment either starting right of the split or
    ending before the signer column."""
    split_at, right_x0 = carry
    last = out.blocks[-1] if out.blocks else None
    if not isinstance(last, Table) or len(last.rows) != 1:
        return rows
    n = 0
    while n < len(rows) and all(l.x1 < right_x0 - 2 or l.x0 >= split_at for l in rows[n]):
        n += 1
    if n == 0:
        return rows
    (left, right), = two_column_table(rows[:n], split_at, area, [])
    cells = [a + "\n" + b if a and b else a or b for a, b in zip(last.rows[0], (left, right))]
    del out.lines[last.span[0] - 1:]
    out.blocks.pop()
    out.table([cells], [[False, False]])
    return rows[n:]
