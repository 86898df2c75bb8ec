"""Build real DOCX fixtures from the seed texts at test time (the seeds stay in
../shared and are never copied into the repository).

- `build_numbered_docx`: the seed as a Word document whose list numbers are Word's
  automatic numbering (w:numPr + a numbering.xml defined here), with the classic
  two-column header table and real footnotes.
- `build_table_docx`: the seed's header and title, then its gold activities as the
  usual "STT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian thực hiện" table.

python-docx writes the package; raw XML fills in what it lacks (numbering definitions,
footnotes, hyperlinks, a borderless header table).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor

FONT = "Times New Roman"
SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(SUPERSCRIPT, "0123456789")

# numbering.xml of the fixtures. Decimal lists share one abstractNum; a list that
# restarts gets a new w:num with a startOverride, as Word itself writes them.
ROMAN_ABSTRACT, DECIMAL_ABSTRACT, BULLET_ABSTRACT, SYMBOL_ABSTRACT = 0, 1, 2, 3
_LEVELS = {
    ROMAN_ABSTRACT: [("upperRoman", "%1.")],
    DECIMAL_ABSTRACT: [("decimal", "%1."), ("decimal", "%1.%2."), ("lowerLetter", "%3)")],
    BULLET_ABSTRACT: [("bullet", "-"), ("bullet", "+")],
    # Word's default bullet: U+F0B7 in the Symbol font (a reader shows it as "-").
    SYMBOL_ABSTRACT: [("bullet", "\uf0b7")],
}

_MARKER = re.compile(r"^(?:(?P<roman>[IVXLC]+)\.|(?P<a>\d+)\.(?P<b>\d+)\.?|(?P<n>\d+)\.|(?P<letter>[a-zđ])\)|(?P<bullet>[-+]))\s+")
_INLINE = re.compile(r"(\*\*\*|\*\*|\*|\n|<https?://[^>\s]+>|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_PLACE_DATE = re.compile(r"^[^,]{2,40}, ngày\b")
_MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
_TERMINAL = tuple(".:;!?…)\"”/")


# ---------------------------------------------------------------------------
# Reading the seed's light markdown


@dataclass
class Item:
    """One paragraph of the seed: its markdown text ("\n" = soft break) and what the
    builder decided about it."""

    text: str
    heading: int | None = None
    num: tuple[int, int] | None = None  # (numId, ilvl) when Word numbers it


@dataclass
class Seed:
    header: dict[str, list[str]] = field(default_factory=dict)  # issuer, motto, number, date
    items: list[Item] = field(default_factory=list)
    footnotes: dict[str, list[str]] = field(default_factory=dict)  # "1" -> paragraphs


def _plain(text: str) -> str:
    return text.replace("*", "").strip()


def _blocks(text: str) -> list[list[str]]:
    blocks, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def _header(blocks: list[list[str]]) -> tuple[dict[str, list[str]], int]:
    """The leading issuer / motto / "Số:" / place-date blocks, and how many there are."""
    header: dict[str, list[str]] = {}
    for i, block in enumerate(blocks):
        first = _plain(block[0])
        if first.startswith(_MOTTO):
            header["motto"] = block
        elif first.startswith("Số"):
            header["number"] = block
        elif _PLACE_DATE.match(first):
            header["date"] = block
        elif i == 0 and all(_plain(line).isupper() for line in block) and len(blocks) > 1 \
                and _plain(blocks[1][0]).startswith(_MOTTO):
            header["issuer"] = block
        else:
            return header, i
    return header, len(blocks)


def _items(block: list[str]) -> list[Item]:
    """A block is one paragraph, except that each list-marker line starts a new one."""
    items: list[Item] = []
    for line in block:
        heading = None
        m = re.match(r"^(#{1,9})\s+", line)
        if m:
            heading, line = len(m.group(1)), line[m.end():]
        if items and not heading and not _MARKER.match(_plain(line) + " ") and not items[-1].heading:
            items[-1].text += "\n" + line.strip()
        else:
            items.append(Item(line.strip(), heading))
    return items


def _is_footnote(item: Item) -> bool:
    return bool(re.match(r"^[⁰¹²³⁴⁵⁶⁷⁸⁹]+ ", item.text))


def _starts_body(item: Item) -> bool:
    """After a footnote, body text resumes with a list item, a heading or a lower-case
    continuation of the paragraph the page break cut."""
    plain = _plain(item.text)
    return bool(item.heading or _MARKER.match(plain + " ") or _is_footnote(item) or plain[:1].islower())


def _take_footnotes(items: list[Item]) -> tuple[list[Item], dict[str, list[str]]]:
    body, notes, current = [], {}, None
    for item in items:
        if _is_footnote(item):
            mark, _, rest = item.text.partition(" ")
            current = mark.translate(_SUP_TO_DIGIT)
            notes[current] = [rest.strip()]
        elif current is not None and not _starts_body(item):
            notes[current].append(item.text)
        else:
            current = None
            body.append(item)
    return body, notes


def _joins(prev: Item, nxt: Item) -> bool:
    """Whether `nxt` continues `prev` across a page break in the seed (hard-wrapped text)."""
    if prev.heading or nxt.heading or "\n" in prev.text:
        return False
    a, b = _plain(prev.text), _plain(nxt.text)
    if not a or not b or a.endswith(_TERMINAL) or _MARKER.match(b + " "):
        return False
    return b[0].islower() or (a[-1].islower() and len(a) > 60)


def parse_seed(path: Path) -> Seed:
    """Split a seed into header blocks, body paragraphs and footnotes."""
    blocks = _blocks(path.read_text(encoding="utf-8"))
    header, skip = _header(blocks)
    items = [item for block in blocks[skip:] for item in _items(block)]
    items, notes = _take_footnotes(items)
    merged: list[Item] = []
    for item in items:
        if merged and _joins(merged[-1], item):
            merged[-1].text += " " + item.text
        else:
            merged.append(item)
    return Seed(header, merged, notes)


# ---------------------------------------------------------------------------
# Deciding which typed numbers become Word numbering


def _letter_groups(items: list[Item]) -> set[int]:
    """Indexes of letter items in a lettered list that uses "đ": Word's lowerLetter goes
    a, b, c, d, e and cannot draw the Vietnamese "đ", so such lists keep typed letters.
    A lettered list ends at the next roman or decimal item."""
    typed: set[int] = set()
    run: list[tuple[int, str]] = []

    def close() -> None:
        if any(letter == "đ" for _, letter in run):
            typed.update(i for i, _ in run)
        run.clear()

    for i, item in enumerate(items):
        m = _MARKER.match(_plain(item.text) + " ")
        if m and m.group("letter"):
            run.append((i, m.group("letter")))
        elif m and not m.group("bullet"):
            close()
    close()
    return typed


class _Numberer:
    """Mirrors Word's counters so that a typed number becomes automatic numbering only
    where Word would draw the very same number; anything else (seed 001's repeated "3.")
    stays typed."""

    def __init__(self):
        self.next_num = 1
        self.nums: list[tuple[int, int, int | None]] = []  # (numId, abstract, startOverride)
        self.roman_num = self._new(ROMAN_ABSTRACT)
        self.bullet_num = self._new(BULLET_ABSTRACT)
        self.symbol_num = self._new(SYMBOL_ABSTRACT)
        self.roman = 0
        self.decimal_num: int | None = None
        self.counters: dict[int, int] = {}

    def _new(self, abstract: int, start: int | None = None) -> int:
        num = self.next_num
        self.next_num += 1
        self.nums.append((num, abstract, start))
        return num

    def _decimal(self, level: int, value: int) -> tuple[int, int] | None:
        c = self.counters
        continues = self.decimal_num is not None and value == c.get(level, 0) + 1
        if not continues and not (level == 0 and value == 1):
            return None
        if not continues:
            self.decimal_num = self._new(DECIMAL_ABSTRACT, start=1)
            c.clear()
        c[level] = value
        for deeper in [k for k in c if k > level]:
            del c[deeper]
        return self.decimal_num, level

    def assign(self, m: re.Match, after_addressing: bool) -> tuple[int, int] | None:
        if m.group("roman"):
            value = _roman_value(m.group("roman"))
            if value != self.roman + 1:
                return None
            self.roman = value
            return self.roman_num, 0
        if m.group("n"):
            return self._decimal(0, int(m.group("n")))
        if m.group("a"):
            if int(m.group("a")) != self.counters.get(0):
                return None
            return self._decimal(1, int(m.group("b")))
        if m.group("letter"):
            return self._decimal(2, ord(m.group("letter")) - ord("a") + 1)
        if after_addressing:
            return self.symbol_num, 0
        return self.bullet_num, 0 if m.group("bullet") == "-" else 1


def _roman_value(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(text):
        v = values[ch]
        total += -v if i + 1 < len(text) and values[text[i + 1]] > v else v
    return total


def number_items(items: list[Item]) -> _Numberer:
    """Give items their (numId, ilvl) and strip the typed marker from their text."""
    numberer = _Numberer()
    typed_letters = _letter_groups(items)
    addressing = False  # inside "Kính gửi:" / "Nơi nhận:" lists
    for i, item in enumerate(items):
        plain = _plain(item.text)
        m = _MARKER.match(plain + " ")
        if not m or not plain[m.end():].strip() and not m.group("bullet"):
            addressing = plain.rstrip(":").endswith(("Kính gửi", "Nơi nhận"))
            continue
        if i in typed_letters:
            continue
        num = numberer.assign(m, addressing)
        if num is not None:
            item.num = num
            item.text = _drop_prefix(item.text, m.end())
    return numberer


def _drop_prefix(text: str, count: int) -> str:
    """Remove `count` visible characters (markdown '*' not counted) from the start."""
    out, i = [], 0
    for ch in text:
        if i < count and ch != "*":
            i += 1
            continue
        out.append(ch)
    return "".join(out).lstrip(" ")


def numbering_xml(numberer: _Numberer) -> str:
    """The w:numbering part: the four abstract definitions and every num instance used."""
    parts = [f"<w:numbering {nsdecls('w')}>"]
    for abstract, levels in _LEVELS.items():
        parts.append(f'<w:abstractNum w:abstractNumId="{abstract}"><w:multiLevelType w:val="multilevel"/>')
        for ilvl, (fmt, text) in enumerate(levels):
            font = '<w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol" w:hint="default"/></w:rPr>' if text == "\uf0b7" else ""
            parts.append(
                f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{360 * (ilvl + 1)}" w:hanging="360"/></w:pPr>{font}</w:lvl>'
            )
        parts.append("</w:abstractNum>")
    for num, abstract, start in numberer.nums:
        override = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
                    if start is not None else "")
        parts.append(f'<w:num w:numId="{num}"><w:abstractNumId w:val="{abstract}"/>{override}</w:num>')
    parts.append("</w:numbering>")
    return "".join(parts)


# ---------------------------------------------------------------------------
# Writing WordprocessingML


def _run(text: str, bold: bool = False, italic: bool = False, superscript: bool = False):
    r = OxmlElement("w:r")
    if bold or italic or superscript:
        rpr = OxmlElement("w:rPr")
        for flag, tag in ((bold, "w:b"), (italic, "w:i")):
            if flag:
                rpr.append(OxmlElement(tag))
        if superscript:
            va = OxmlElement("w:vertAlign")
            va.set(qn("w:val"), "superscript")
            rpr.append(va)
        r.append(rpr)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    r.append(t)
    return r


def append_markdown(p_el, text: str, part=None, footnotes: dict | None = None, bold: bool = False) -> None:
    """Append `text`'s light markdown to a w:p as runs: **bold**, *italic*, soft breaks,
    <url> as a hyperlink (when `part` can hold the relationship) and superscript digits
    as footnote references (when `footnotes` defines them)."""
    state = {"b": bold, "i": False}
    for token in _INLINE.split(text):
        if not token:
            continue
        if token in ("***", "**", "*"):
            if token != "*":
                state["b"] = not state["b"] if not bold else True
            if token != "**":
                state["i"] = not state["i"]
        elif token == "\n":
            r = OxmlElement("w:r")
            r.append(OxmlElement("w:br"))
            p_el.append(r)
        elif token.startswith("<http"):
            url = token[1:-1]
            if part is None:
                p_el.append(_run(url, state["b"], state["i"]))
                continue
            link = OxmlElement("w:hyperlink")
            link.set(qn("r:id"), part.relate_to(url, RT.HYPERLINK, is_external=True))
            link.append(_run(url, state["b"], state["i"]))
            p_el.append(link)
        elif token[0] in SUPERSCRIPT and footnotes and token.translate(_SUP_TO_DIGIT) in footnotes:
            r = OxmlElement("w:r")
            rpr = OxmlElement("w:rPr")
            va = OxmlElement("w:vertAlign")
            va.set(qn("w:val"), "superscript")
            rpr.append(va)
            r.append(rpr)
            ref = OxmlElement("w:footnoteReference")
            ref.set(qn("w:id"), token.translate(_SUP_TO_DIGIT))
            r.append(ref)
            p_el.append(r)
        else:
            p_el.append(_run(token, state["b"], state["i"]))


def _set_num(paragraph, num: tuple[int, int]) -> None:
    numpr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", num[1]), ("w:numId", num[0])):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(value))
        numpr.append(el)
    ppr = paragraph._p.get_or_add_pPr()
    style = ppr.find(qn("w:pStyle"))
    if style is not None:
        style.addnext(numpr)
    else:
        ppr.insert(0, numpr)


def _footnotes_part(doc, notes: dict[str, list[str]]) -> None:
    """Add word/footnotes.xml with Word's two separator notes and one note per seed footnote."""
    xml = [f"<w:footnotes {nsdecls('w', 'r')}>",
           '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
           '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
           "</w:footnotes>"]
    root = parse_xml("".join(xml))
    for number, paragraphs in notes.items():
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), number)
        for i, text in enumerate(paragraphs):
            p = OxmlElement("w:p")
            if i == 0:
                r = OxmlElement("w:r")
                rpr = OxmlElement("w:rPr")
                va = OxmlElement("w:vertAlign")
                va.set(qn("w:val"), "superscript")
                rpr.append(va)
                r.append(rpr)
                r.append(OxmlElement("w:footnoteRef"))
                p.append(r)
                text = " " + text
            append_markdown(p, text)
            note.append(p)
        root.append(note)
    from lxml import etree

    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)


def _new_document():
    """A blank document in Times New Roman 13pt (headings too, in black)."""
    doc = docx.Document()
    for style in doc.styles:
        if style.type != 1 or not (style.name == "Normal" or style.name.startswith("Heading")):
            continue
        style.font.name = FONT
        style.font.size = Pt(13)
        style.font.color.rgb = RGBColor(0, 0, 0)
        rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:eastAsia", "w:cs"):
            rfonts.set(qn(attr), FONT)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
    return doc


def _borderless(table) -> None:
    borders = parse_xml(
        f"<w:tblBorders {nsdecls('w')}>"
        + "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders>"
    )
    table._tbl.tblPr.append(borders)


def _cell_lines(cell, lines: list[str], part, bold: bool = False) -> None:
    for i, line in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        append_markdown(p._p, line, part, bold=bold)


def _header_table(doc, header: dict[str, list[str]]) -> None:
    """The classic header: issuer | national motto, then "Số: …" | place and date."""
    rows = []
    if "issuer" in header or "motto" in header:
        rows.append((header.get("issuer", []), header.get("motto", []), True))
    if "number" in header or "date" in header:
        rows.append((header.get("number", []), header.get("date", []), False))
    if not rows:
        return
    table = doc.add_table(rows=len(rows), cols=2)
    _borderless(table)
    for row, (left, right, bold) in zip(table.rows, rows):
        _cell_lines(row.cells[0], left, doc.part)
        _cell_lines(row.cells[1], right, doc.part, bold=bold)


def build_numbered_docx(seed_txt: Path, out: Path) -> Path:
    """Write the seed as a Word document with automatic numbering, header table and
    footnotes. Returns `out`."""
    seed = parse_seed(seed_txt)
    numberer = number_items(seed.items)
    doc = _new_document()
    numbering = doc.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    for child in parse_xml(numbering_xml(numberer)):
        numbering.append(child)
    _header_table(doc, seed.header)
    for item in seed.items:
        p = doc.add_paragraph(style=f"Heading {min(item.heading, 9)}" if item.heading else None)
        if item.num:
            _set_num(p, item.num)
        append_markdown(p._p, item.text, doc.part, seed.footnotes)
    if seed.footnotes:
        _footnotes_part(doc, seed.footnotes)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


# ---------------------------------------------------------------------------
# The activity-table fixture


def _d(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _dm(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _quarters(start: date, end: date) -> str | None:
    """"Quý III, IV/2023" or "Quý IV/2025 - Quý II/2026" when the range is whole quarters."""
    if start.day != 1 or start.month % 3 != 1 or end != _month_end(end) or end.month % 3 != 0:
        return None
    q1, q2 = (start.month + 2) // 3, end.month // 3
    roman = ["", "I", "II", "III", "IV"]
    if start.year == end.year:
        return f"Quý {', '.join(roman[q] for q in range(q1, q2 + 1))}/{start.year}"
    return f"Quý {roman[q1]}/{start.year} - Quý {roman[q2]}/{end.year}"


def time_text(start: str | None, end: str | None, deadline: str | None) -> str:
    """Vietnamese time text that reads back as these gold dates under the conventions of
    seeds/README.md (e.g. deadline 2023-12-14 -> "Trước ngày 15/12/2023")."""
    s, e, dl = _d(start), _d(end), _d(deadline)
    parts = []
    if s and e:
        if s.day == 1 and e == _month_end(e):
            if (s.year, s.month) == (e.year, e.month):
                parts.append(f"Tháng {s.month}/{s.year}")
            elif s.year == e.year and (s.month, e.month) == (1, 12):
                parts.append(f"Năm {s.year}")
            else:
                parts.append(_quarters(s, e) or f"Từ tháng {s.month}/{s.year} đến hết tháng {e.month}/{e.year}")
        else:
            parts.append(f"Từ ngày {_dm(s)} đến ngày {_dm(e)}")
    elif s:
        parts.append(f"Từ tháng {s.month}/{s.year}" if s.day == 1 else f"Từ ngày {_dm(s)}")
    elif e:
        parts.append(f"Đến ngày {_dm(e)}")
    if dl:
        if dl == _month_end(dl):
            parts.append(f"Hoàn thành trong tháng {dl.month}/{dl.year}")
        else:
            parts.append(f"Trước ngày {_dm(dl + timedelta(days=1))}")
    text = "; ".join(parts) or "Thường xuyên"
    return text[0].upper() + text[1:]


def _group(ref: str) -> str | None:
    m = re.match(r"^([IVXLC]+)(?:\.|$)", ref)
    return m.group(1) if m else None


def _bold_cell(cell, text: str) -> None:
    cell.paragraphs[0].add_run(text).bold = True


def build_table_docx(seed_txt: Path, gold: dict, out: Path) -> Path:
    """Write the seed's header and title, then its gold activities as a table: a merged
    full-width group row per top-level section (STT restarts in each), lead and support
    joined with "; ", the time column from `time_text`, and the lead cell merged
    vertically where consecutive rows of a group share it. Returns `out`."""
    seed = parse_seed(seed_txt)
    doc = _new_document()
    _header_table(doc, seed.header)
    letter = any(_plain(item.text).startswith("V/v") for item in seed.items)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(f"V/v {gold['title']}" if letter else "KẾ HOẠCH").bold = True
    if not letter:
        doc.add_paragraph().add_run(gold["title"]).bold = True

    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện")):
        _bold_cell(cell, text)
    group, stt, run_start, run_lead = object(), 0, None, None
    for activity in gold["activities"]:
        if _group(activity["ref"]) != group:
            group, stt, run_start = _group(activity["ref"]), 0, None
            if group:
                row = table.add_row()
                merged = row.cells[0].merge(row.cells[4])
                _bold_cell(merged, group)
        stt += 1
        lead = "; ".join(activity["lead"])
        cells = table.add_row().cells
        r = len(table.rows) - 1
        cells[0].text, cells[1].text = str(stt), activity["title"]
        cells[3].text = "; ".join(activity["support"])
        cells[4].text = time_text(activity["start"], activity["end"], activity["deadline"])
        if run_start is not None and lead == run_lead:
            table.cell(run_start, 2).merge(table.cell(r, 2))
        else:
            cells[2].text, run_start, run_lead = lead, r, lead
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out
