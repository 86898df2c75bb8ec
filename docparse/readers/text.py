"""Reader for plain text and the messy markdown that legal-document websites produce.

What it copes with (all seen in ../shared/corpus/plans):
- lines hard-wrapped mid-phrase, inside paragraphs, headings and table cells;
- `**`/`*` emphasis, some of it unbalanced ("** **", "**Điều 1. **Ban");
- tables written one cell per run of lines, with a lone "|" line between cells and two
  "|" lines between rows (the two-column header block is such a table);
- ordinary pipe tables ("| a | b |" with a "|---|" rule);
- page-break artefacts: a paragraph cut in two by a blank line mid-sentence;
- footnote bodies ("¹ …") dropped into the running text;
- site text around the document: thuvienphapluat.vn's notice, field list, English
  translation and member notices are blanked, and its layout table, which holds the whole
  document with no blank line, gives up the body cell to be read as text.

Spans are line numbers in the decoded file, so a review screen can highlight the source.
"""
from __future__ import annotations

import re
import unicodedata

from ..model import Document, Paragraph, Table

EXTENSIONS = (".txt", ".md", ".markdown")

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FOOTNOTE_RE = re.compile(rf"^[{SUPERSCRIPTS}]+\s+\S")
_HEADING_RE = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")  # what _heading reads
_HASHES_RE = re.compile(r"#{1,6}")
_PIPE_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_RULE_ROW_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HR_RE = re.compile(r"^\s*([-*_=]\s*){3,}$")
# A line that opens a new list item or numbered item; used to stop line-joining.
_ITEM_START_RE = re.compile(
    r"^(?:[-–+•*]\s+|\d{1,2}(?:\.\d{1,2})*[.)]\s|\d{1,2}\.\d{1,2}(?:\.\d{1,2})*\s|[a-zđ][).]\s"
    r"|[IVXL]{1,5}[.\-–)]\s|\(\d{1,2}\)\s|Điều\s+\d+|Bước\s+\d+|Kính gửi|Nơi nhận|Số\s*:)"
)
_SENTENCE_END = tuple(".:;!?)”\"/")


def decode(data: bytes) -> str:
    try:
        from ..encoding import decode as _decode
    except ImportError:  # pragma: no cover - encoding module is part of the package
        import unicodedata

        return unicodedata.normalize("NFC", data.decode("utf-8", errors="replace"))
    return _decode(data)[0]


_BULLET_STAR = re.compile(r"^\s*\*\s+(?=[^\s*])")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:https?://|/)[^)]*\)")


def strip_markup(s: str) -> str:
    """Remove markdown emphasis, escapes and link syntax; keep the words.

    A leading "* " is a list bullet and becomes "- "; every other "*" is emphasis
    (balanced or not: the corpus has plenty of "** **" and "**Điều 1. **Ban").
    """
    # five substring tests run at memchr speed; a character-class search is ~3x slower
    if "*" not in s and "\\" not in s and "_" not in s and "<" not in s and "[" not in s:
        return s
    if "\\" in s:  # one scan instead of four
        s = s.replace("\\*", "*").replace("\\_", "_").replace("\\.", ".").replace("\\-", "-")
    c = s[:1]
    bullet = (c == "*" or c.isspace()) and _BULLET_STAR.match(s)  # what it can start with
    s = s.replace("*", "")
    if bullet:
        s = "- " + s.lstrip()
    s = s.replace("__", "")
    if "<http" in s:  # what _AUTOLINK starts with
        s = _AUTOLINK.sub(r"\1", s)
    if "](" in s:  # the middle of every _MD_LINK
        s = _MD_LINK.sub(r"\1", s)
    return s


_CLEAN_CACHE: dict[str, str] = {}


def _clean_cached(raw: str) -> str:
    """_clean_line with a small per-document memo: parse_lines cleans each line once
    to decide where paragraphs break, and the paragraph builder needs it again."""
    c = _CLEAN_CACHE.get(raw)
    if c is None:
        c = _clean_line(raw)
        if len(_CLEAN_CACHE) < 50000:
            _CLEAN_CACHE[raw] = c
    return c


def _is_bold(raw: str) -> bool:
    t = raw.strip()
    return t.startswith("**") and t.endswith("**") and len(t) > 4


_SPACES = re.compile(r"[ \t\u00a0]+")


def _clean_line(raw: str) -> str:
    s = strip_markup(raw)
    if "  " in s or "\t" in s or "\u00a0" in s:
        s = _SPACES.sub(" ", s)
    return s.strip()


class _Builder:
    def __init__(self) -> None:
        self.blocks: list = []
        # Whether every paragraph's text is NFC (Document.paragraphs_nfc). The decoded
        # text is NFC, and so is any part of it cut or joined at whitespace, which never
        # composes with a neighbour; only removing markup can bring together two
        # characters that compose (e.g. "e*\u0301" -> "e\u0301"), so paragraphs whose
        # text lost markup are checked as they are made.
        self.nfc = True

    def note_changed(self, text: str) -> None:
        """Record a paragraph text that is not a plain cut of the decoded text."""
        if self.nfc and not unicodedata.is_normalized("NFC", text):
            self.nfc = False

    def para(self, lines: list[tuple[int, str]], heading: int | None = None) -> None:
        texts = [_clean_cached(t) for _, t in lines]
        texts = [t for t in texts if t]
        if not texts:
            return
        raw = " ".join(t.strip() for _, t in lines)
        text = "\n".join(texts)
        self.note_changed(text)  # headings only: few, so not worth telling apart
        self.blocks.append(
            Paragraph(
                text=text,
                span=(lines[0][0], lines[-1][0]),
                bold=_is_bold(raw),
                heading=heading,
            )
        )


def _cell_table(raw_lines: list[str], stripped: list[str], i: int) -> tuple[Table | None, int]:
    """Parse the one-cell-per-run table starting at line index i (a lone "|").

    Returns the table and the index after it. A run of lines between two "|" lines is
    a cell; two "|" lines in a row close a row. The table ends at a blank line that
    follows a "|" line, or before a cell that is running text in a table that holds
    the Quốc hiệu or "Nơi nhận": a site's layout table that wraps the whole document (thuvienphapluat.vn)
    holds the header in small cells and the body in one cell, whose lines are then read
    as text. A long cell of an ordinary table (a list of legal bases) stays a cell.
    """
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    cell_from = i  # index of the current cell's first line
    header = False  # a cell so far holds the Quốc hiệu or the recipients
    start = i + 1  # line numbers are 1-based
    end = start
    j = i + 1
    n = len(stripped)
    prev_pipe = True
    while j < n:
        s = stripped[j]
        if s == "|":
            if cell:
                if header and _is_running_text(stripped, cell_from, j):
                    return _finish_table(rows, row, start, cell_from), cell_from
                row.append(_cell_text(cell))
                header = header or _holds_quoc_hieu(row[-1]) or row[-1].startswith("Nơi nhận")
                cell = []
            elif prev_pipe and row:
                rows.append(row)
                row = []
            prev_pipe = True
            end = j + 1
            j += 1
            continue
        if not s:
            if prev_pipe:
                break
            # a blank line inside a cell: keep going only if a "|" follows soon
            k = j + 1
            while k < n and not stripped[k]:
                k += 1
            if k < n and stripped[k] == "|" and k - j < 3:
                j = k
                continue
            break
        if not cell:
            cell_from = j
        cell.append(raw_lines[j])
        prev_pipe = False
        end = j + 1
        j += 1
    if cell:
        if header and _is_running_text(stripped, cell_from, j):
            return _finish_table(rows, row, start, cell_from), cell_from
        row.append(_cell_text(cell))
    return _finish_table(rows, row, start, end), j


# A cell this long, with this many lines that open an item ("Điều 1.", "1.", "a)", "-",
# a bold heading), is a document's body inside a layout table, not a table cell.
RUNNING_TEXT_LINES = 20
RUNNING_TEXT_ITEMS = 3
# header.QUOC_HIEU; a reader does not import the extraction stages
_QUOC_HIEU = re.compile(r"CỘNG\s+H[ÒO]A\s+X[ÃA]\s+H[ỘO]I|Độc lập\s*[-–]\s*Tự do", re.I)


def _holds_quoc_hieu(cell: str) -> bool:
    """`_QUOC_HIEU.search(cell)`, after a test at memchr speed: every match holds "cộng"
    or "độc" in some mix of cases (the case-insensitive search is slow on Vietnamese)."""
    low = cell.lower()
    return ("cộng" in low or "độc" in low) and _QUOC_HIEU.search(cell) is not None


def _is_running_text(stripped: list[str], a: int, b: int) -> bool:
    if b - a < RUNNING_TEXT_LINES:
        return False
    items = 0
    for k in range(a, b):
        if _RAW_SPLIT_RE.match(stripped[k]):
            items += 1
            if items >= RUNNING_TEXT_ITEMS:
                return True
    return False


def _finish_table(rows: list[list[str]], row: list[str], start: int, end: int) -> Table | None:
    """The table of `rows` and the unfinished `row`, spanning lines start..end (1-based)."""
    if row:
        rows.append(row)
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        return None
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return Table(rows=rows, span=(start, end))


def _cell_text(lines: list[str]) -> str:
    """A cell's lines, each cleaned, the empty ones dropped."""
    if len(lines) == 1:
        return _clean_line(lines[0])
    return "\n".join([x for x in map(_clean_line, lines) if x])


def _pipe_table(raw_lines: list[str], stripped: list[str], i: int) -> tuple[Table | None, int]:
    rows: list[list[str]] = []
    start = i + 1
    end = start
    j = i
    while j < len(raw_lines) and _PIPE_ROW_RE.match(raw_lines[j]):
        raw = raw_lines[j]
        j += 1
        end = j
        if _RULE_ROW_RE.match(raw):
            continue
        cells = [_clean_line(c) for c in raw.strip().strip("|").split("|")]
        if any(cells):
            rows.append(cells)
    if not rows:
        return None, j
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return Table(rows=rows, span=(start, end)), j


def _continues(prev: Paragraph, nxt_raw: str, prev_raw_len: int) -> bool:
    """Whether the paragraph after a blank line continues `prev` (a page-break cut)."""
    if prev.heading or prev.bold:
        return False
    last = prev.text.rstrip()
    if not last or last.endswith(_SENTENCE_END) or last.isupper():
        return False
    nxt = _clean_line(nxt_raw)
    if not nxt or _ITEM_START_RE.match(nxt) or _FOOTNOTE_RE.match(nxt):
        return False
    if nxt[0].islower():
        return True
    # "… thành phố" / "Gia Nghĩa, …": a long line cut before a capitalised name
    return prev_raw_len >= 70 and nxt[0].isupper() and not nxt.isupper()


def parse_lines(text: str) -> tuple[list, dict[str, str]]:
    """Split decoded text into blocks and footnotes."""
    blocks, footnotes, _, _ = _parse_lines(text)
    return blocks, footnotes


# thuvienphapluat.vn, the largest legal-document site, wraps a document in its own text:
# a notice, a list of fields ("Số hiệu:" … "Tình trạng:") ending at the line after the
# loading message, and after the document its title again, related documents and a
# member notice. Those lines are blanked (line numbers stay those of the file).
_SITE_LOADING = "Đang tải văn bản..."
_SITE_LAST_FIELD = "Tình trạng:"
_SITE_TAIL = ("Văn bản này chưa cập nhật nội dung Tiếng Anh", "## Văn bản liên quan")
_SITE_TAIL_IN_LINE = "Hãy đăng nhập hoặc đăng ký Thành viên Pro"


def _drop_site_text(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """The lines with the site's own text blanked, and the site's fields about the
    document ({"Số hiệu": "17809/BTC-CTK", …})."""
    if _SITE_LOADING not in "\n".join(lines[:300]):
        return lines, {}  # one search of the start instead of a stripped copy of each line
    head = next((k for k, ln in enumerate(lines[:300]) if ln.strip() == _SITE_LOADING), None)
    if head is None:
        return lines, {}
    end = head
    for k in range(head + 1, min(len(lines), head + 120)):
        if lines[k].replace("*", "").strip() == _SITE_LAST_FIELD:
            end = min(_value_line(lines, k, len(lines)), len(lines) - 1)
            break
    fields = {}
    k = head + 1
    while k < end:
        label = lines[k].replace("*", "").strip()
        if label.endswith(":") and len(label) < 40:
            v = _value_line(lines, k, end)
            if v <= end and not lines[v].replace("*", "").strip().endswith(":"):
                fields[label[:-1].strip()] = lines[v].strip()
                k = v
        k += 1
    out = [""] * (end + 1) + lines[end + 1:]
    for k in range(end + 1, len(out)):
        ln = out[k].strip()
        if ln.lstrip("*").startswith("THE SOCIALIST"):
            # the site's English translation follows the document in the same layout
            # table: its English issuer cell, and before it the title repeated
            cut = max(_cell_start(out, k), end + 1)
            if cut > end + 1 and out[cut - 1].strip() == "|" and _cell_start(out, cut - 1) > end:
                before = _cell_start(out, cut - 1)
                if all(x.strip().isascii() for x in out[before:cut - 1]):  # "MINISTRY OF / FINANCE"
                    cut = before
                    title = _cell_start(out, cut - 1)
                    if cut - 1 - title == 1:  # a one-line cell: the title again
                        cut = title
            out[cut:] = [""] * (len(out) - cut)
            break
        if ln in _SITE_TAIL or _SITE_TAIL_IN_LINE in ln:
            if _SITE_TAIL_IN_LINE in ln:  # the document's last words share its line
                out[k] = out[k][: out[k].index(_SITE_TAIL_IN_LINE)]
                k += 1
            out[k:] = [""] * (len(out) - k)
            break
    return out, fields


def _value_line(lines: list[str], k: int, stop: int) -> int:
    """Index of the value of the site's field labelled on line k: the next line before
    `stop` that is not blank or a cell mark (`stop` if there is none)."""
    v = k + 1
    while v < stop and lines[v].strip() in ("", "|"):
        v += 1
    return v


def _cell_start(lines: list[str], k: int) -> int:
    """Index of the first line of the cell that holds line k (after the "|" before it)."""
    j = k - 1
    while j >= 0 and lines[j].strip() != "|":
        j -= 1
    return j + 1


def _parse_lines(text: str) -> tuple[list, dict[str, str], bool, dict[str, str]]:
    """parse_lines, whether every paragraph's text is NFC given that `text` is, and the
    site's fields about the document (_drop_site_text)."""
    raw_lines, site_fields = _drop_site_text(text.split("\n"))  # raw_lines[i] is line i + 1 of the spans
    stripped = list(map(str.strip, raw_lines))  # most checks look at the stripped line
    b = _Builder()
    footnotes: dict[str, str] = {}
    i = 0
    n = len(raw_lines)
    last_len = 0
    pending_blank = False
    last_footnote: str | None = None

    while i < n:
        s = stripped[i]
        if not s:
            pending_blank = True
            i += 1
            continue
        first = s[0]
        if first == "|":
            # a lone "|" opens a one-cell-per-run table; "| a | b |" a pipe table
            reader = _cell_table if s == "|" else _pipe_table if _PIPE_ROW_RE.match(s) and s.count("|") >= 2 else None
            if reader is not None:
                table, i = reader(raw_lines, stripped, i)
                if table:
                    b.blocks.append(table)
                pending_blank = False
                continue
        if first in "-*_=" and not s.startswith("- ") and _HR_RE.match(s):
            i += 1
            continue
        if first == "#":
            level, title = _heading(s)
            b.para([(i + 1, title)], heading=level)
            pending_blank = False
            i += 1
            continue
        # Lines that cannot start a footnote skip the cleaning the checks below need.
        if last_footnote or first in _SPECIAL_FIRST or first in "*_":
            clean = _clean_cached(raw_lines[i])
            if clean[:1] in SUPERSCRIPTS and clean and _FOOTNOTE_RE.match(clean):
                mark = re.match(rf"^[{SUPERSCRIPTS}]+", clean).group(0)
                key = mark.translate(str.maketrans(SUPERSCRIPTS, "0123456789"))
                body = [clean[len(mark):].strip()]
                i += 1
                # footnote bodies can run over the following lines until a blank line
                while i < n and stripped[i] and not _FOOTNOTE_RE.match(_clean_line(raw_lines[i])):
                    body.append(_clean_line(raw_lines[i]))
                    i += 1
                footnotes[key] = " ".join(x for x in body if x)
                last_footnote = key
                continue
            if last_footnote and _footnote_tail(b.blocks, clean):
                # a footnote's second paragraph, printed before the page's body resumes
                footnotes[last_footnote] += "\n" + clean
                i += 1
                while i < n and stripped[i]:
                    footnotes[last_footnote] += " " + _clean_line(raw_lines[i])
                    i += 1
                continue
        last_footnote = None
        # A run of ordinary lines up to the next blank or special line, split into
        # paragraphs where an item starts, each cleaned once.
        j = _run_end(stripped, i)
        _plain_run(b, stripped, i, j, pending_blank, last_len)
        last_len = len(stripped[j - 1])
        pending_blank = False
        i = j
    return b.blocks, footnotes, b.nfc, site_fields


_SPECIAL_FIRST = "|#" + SUPERSCRIPTS
# An item start as written in the raw line, markup and all ("**1**. Các sở", "* ý").
_RAW_SPLIT_RE = re.compile(r"^(?:\*\*|#)|^(?:\*|__)?\s*(?:" + _ITEM_START_RE.pattern[1:] + r")")
# The characters a stripped line matching _RAW_SPLIT_RE can start with, besides digits.
_SPLIT_LOWER = frozenset("abcdefghijklmnopqrstuvwxyzđ")
_SPLIT_FIRST = frozenset("*#_-–+•" + "IVXL" + "(" + "ĐBKNS") | _SPLIT_LOWER


def _heading(s: str) -> tuple[int, str]:
    """The level and title of a markdown heading line `s` (stripped, starting with "#"),
    as _HEADING_RE's groups give them; its lazy group tried the closing "#"s at every
    character."""
    hashes = _HASHES_RE.match(s).end()
    return hashes, s[hashes:].strip().rstrip("#").rstrip()


def _run_end(stripped: list[str], i: int) -> int:
    """Index of the first line after lines[i] that is blank or special (table, heading,
    footnote, rule); the lines between need no line-by-line decisions."""
    j = i + 1
    n = len(stripped)
    while j < n:
        t = stripped[j]
        if not t or t[0] in _SPECIAL_FIRST or (t[0] in "-*_=" and not t.startswith("- ") and _HR_RE.match(t)):
            break
        j += 1
    return j


def _plain_run(b: "_Builder", all_stripped: list[str], i: int, j: int, pending_blank: bool, last_len: int) -> None:
    """Paragraphs from lines i to j - 1 (indices), none of them blank or special (table,
    heading, footnote, rule). The first may continue the previous block across a page
    break."""
    if j == i + 1:  # half the runs are one line: the same steps without the splitting
        _one_line(b, all_stripped[i], i, pending_blank, last_len)
        return
    stripped = all_stripped[i:j]
    starts = [0]
    # The paragraph so far is in capitals: a title, which a line in sentence case after it
    # ends ("… GIAI ĐOẠN 2026-2035" / "Ngày 18 tháng 11 năm 2025, tại …" in a file with no
    # blank lines). Worked out only while it holds, so it costs one test per paragraph.
    capitals = stripped[0].isupper()
    for k in range(1, len(stripped)):
        t = stripped[k]
        c = t[0]
        if capitals:
            if t.isupper():
                pass
            elif c.isupper() and sum(x.count("**") for x in stripped[starts[-1]:k]) % 2 == 0:
                starts.append(k)
                capitals = False
                continue
            else:
                capitals = False
        if c in _SPLIT_LOWER:
            # most lines of a run are a wrapped sentence going on in lower case; of the
            # item starts only "a) " / "a. " begins with a lower-case letter
            if len(t) < 2 or t[1] not in ").":
                continue
        elif not (c in _SPLIT_FIRST or c.isdecimal()):
            continue
        if _RAW_SPLIT_RE.match(t):
            if sum(x.count("**") for x in stripped[starts[-1]:k]) % 2 == 0:
                starts.append(k)
                capitals = t.isupper()
        elif c == "*" and len(t) > 1 and t[1] not in " *":
            # a line that opens an italic span ("*Căn cứ …;*" under a title, in a file
            # with no blank lines), when every span before it in the paragraph is closed
            before = stripped[starts[-1]:k]
            bold = sum(x.count("**") for x in before)
            if bold % 2 == 0 and (sum(x.count("*") for x in before) - 2 * bold) % 2 == 0:
                starts.append(k)
                capitals = t.isupper()
    starts.append(len(stripped))
    blocks = b.blocks
    for a, z in zip(starts, starts[1:]):
        raw_text = "\n".join(stripped[a:z]) if z - a > 1 else stripped[a]
        text = strip_markup(raw_text)
        if "  " in text or "\t" in text or "\u00a0" in text:
            text = _SPACES.sub(" ", text)
        if text != raw_text:
            # removed markup or spaces can leave a line blank or padded; otherwise
            # the lines are stripped and non-empty already
            text = "\n".join([x for x in map(str.strip, text.split("\n")) if x])
            b.note_changed(text)
        if not text:
            continue
        last_no = i + z  # 1-based: line index i + z - 1
        if a == 0 and pending_blank and blocks and isinstance(blocks[-1], Paragraph):
            prev = blocks[-1]
            if _continues(prev, stripped[0], last_len):
                prev.text = f"{prev.text}\n{text}"
                prev.span = (prev.span[0], last_no)
                continue
        bold = stripped[a].startswith("**") and stripped[z - 1].endswith("**") and _is_bold(" ".join(stripped[a:z]))
        blocks.append(Paragraph(text, (i + a + 1, last_no), None, bold))


def _one_line(b: "_Builder", line: str, i: int, pending_blank: bool, last_len: int) -> None:
    """_plain_run for the one (stripped, non-empty) line i."""
    text = strip_markup(line)
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = _SPACES.sub(" ", text)
    if text != line:
        text = text.strip()
        if not text:
            return
        b.note_changed(text)
    blocks = b.blocks
    if pending_blank and blocks and isinstance(blocks[-1], Paragraph):
        prev = blocks[-1]
        if _continues(prev, line, last_len):
            prev.text = f"{prev.text}\n{text}"
            prev.span = (prev.span[0], i + 1)
            return
    bold = line.startswith("**") and line.endswith("**") and _is_bold(line)
    blocks.append(Paragraph(text, (i + 1, i + 1), None, bold))


def _footnote_tail(blocks: list, clean: str) -> bool:
    """After a footnote: is this capitalised, non-item paragraph more footnote text?
    Only when the body paragraph before the footnote was cut mid-sentence, since the
    body then resumes with a lower-case continuation."""
    if not blocks or not isinstance(blocks[-1], Paragraph):
        return False
    prev = blocks[-1].text.rstrip()
    return (
        bool(prev)
        and not prev.endswith(_SENTENCE_END)
        and clean[:1].isupper()
        and not _ITEM_START_RE.match(clean)
    )


# The longest real plan in the corpus is under 1 MB of text. Past this size the file is
# a dump, not a plan: read its beginning and say so, rather than tie up a worker.
MAX_TEXT_BYTES = 4 * 1024 * 1024


def read(data: bytes, name: str) -> Document:
    warnings = []
    if len(data) > MAX_TEXT_BYTES:
        cut = data.rfind(b"\n", 0, MAX_TEXT_BYTES)
        data = data[: cut if cut > 0 else MAX_TEXT_BYTES]
        warnings.append(
            f"Tệp văn bản quá lớn; chỉ đọc {MAX_TEXT_BYTES // 2**20} MB đầu "
            f"(text file too large: only the first {MAX_TEXT_BYTES // 2**20} MB were read)"
        )
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    try:
        blocks, footnotes, nfc, site_fields = _parse_lines(text)
    finally:
        _CLEAN_CACHE.clear()
    doc = Document(blocks=blocks, text=text, format="text", footnotes=footnotes, warnings=warnings,
                   site_fields=site_fields)
    doc.paragraphs_nfc = nfc  # decode returns NFC text
    return doc
