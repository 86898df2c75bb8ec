"""Official documents in the layout of Nghị định 30/2020/NĐ-CP (Phụ lục I), as DOCX.

    doc = OfficialDocument(issuer="SỞ THÔNG TIN VÀ TRUYỀN THÔNG", parent_body="UBND TỈNH ĐẮK NÔNG",
                           number="Số: 12/BC-STTTT", place="Đắk Nông", date=None,
                           title="BÁO CÁO", subject="Kết quả tuyên truyền …")
    doc.heading("I. TÌNH HÌNH CHUNG"); doc.paragraph("…"); doc.table([...], rows)
    doc.close(signer=Signer("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Hoàng Mạnh Thắng"),
              recipients=["UBND tỉnh (b/c)", "Lưu: VT, TTBCXB"])
    data = doc.to_bytes()

python-docx builds the skeleton. Table rows are not added through python-docx (about
a millisecond per cell): `table()` builds one template row and deep-copies its <w:tr>
for every row, so a 3,000-row table takes a fraction of a second.

Every text passes through `xml_safe`, because one control character copied from a web
form makes lxml refuse the whole document. No Django import: used by reporting.exports.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
PAGE_MM = (210, 297)  # A4
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
# The header's two columns: issuing body | national motto (the motto must fit one line).
HEADER_COLUMNS_MM = (72, TEXT_WIDTH_MM - 72)
SOFFICE_TIMEOUT = 180  # seconds; a cold LibreOffice start on a busy 2-core box takes ~10 s

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# Characters XML 1.0 forbids (C0 controls except tab/newline/CR, surrogates, U+FFFE/F).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


class ConversionError(RuntimeError):
    """LibreOffice is missing, failed, or ran past its time limit."""


def xml_safe(text) -> str:
    """`text` as a string that XML accepts: forbidden characters removed."""
    return _XML_INVALID.sub("", "" if text is None else str(text))


def date_words(place: str, date: dt.date | None, *, year: int | None = None) -> str:
    """"<place>, ngày 05 tháng 3 năm 2025" as Nghị định 30 writes it (a zero before days
    1-9 and months 1-2). Without a date, the day and month are left blank for the
    signing day, in `year` (default: this year)."""
    place = xml_safe(place).strip()
    if date is None:
        words = f"ngày      tháng      năm {year or dt.date.today().year}"
    else:
        month = f"{date.month:02d}" if date.month < 3 else str(date.month)
        words = f"ngày {date.day:02d} tháng {month} năm {date.year}"
    return f"{place}, {words}" if place else words


@dataclass(frozen=True)
class Signer:
    """The signature block: authority ("KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN"; may be
    empty), position ("PHÓ GIÁM ĐỐC") and the signer's name."""

    authority: str = ""
    position: str = ""
    name: str = ""


def _set_run_font(run, *, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic


def _set_cell_width(cell, mm: float) -> None:
    cell.width = Mm(mm)


# The order of <w:tblPr> children that the schema (and Word) insists on.
_TBLPR_ORDER = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _tblpr_add(table, el) -> None:
    tag = el.tag.split("}")[1]
    successors = _TBLPR_ORDER[_TBLPR_ORDER.index(f"w:{tag}") + 1:]
    table._tbl.tblPr.insert_element_before(el, *successors)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _tblpr_add(table, borders)


def _grid_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    _tblpr_add(table, borders)


def _no_cell_margins(table) -> None:
    mar = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    _tblpr_add(table, mar)


def _fixed_layout(table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths, written both where Word reads them (each cell) and where
    LibreOffice does (the grid)."""
    table.autofit = False  # writes <w:tblLayout w:type="fixed"/>
    for col, mm in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(mm).twips)))
    for row in table.rows:
        for cell, mm in zip(row.cells, widths_mm):
            _set_cell_width(cell, mm)


def _repeat_as_header(row) -> None:
    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trPr.append(el)


def _cant_split(row) -> None:
    trPr = row._tr.get_or_add_trPr()
    trPr.append(OxmlElement("w:cantSplit"))


class OfficialDocument:
    """One document: header, title and subject are written on creation; body parts are
    appended in order; `close()` writes the signature block and "Nơi nhận".

    `subject_under_number=True` puts the subject ("V/v đôn đốc …") under the number in
    the left column, as a công văn has it, instead of under the title."""

    def __init__(self, *, issuer: str, number: str, place: str, date: dt.date | None, parent_body: str = "",
                 title: str = "", subject: str = "", subject_under_number: bool = False,
                 year: int | None = None) -> None:
        self.doc = Document()
        self._setup_page()
        self._setup_styles()
        self._header(parent_body=parent_body, issuer=issuer, number=number, place=place, date=date, year=year,
                     subject=subject if subject_under_number else "")
        # The template's empty first paragraph would push the header table down a line.
        first = self.doc.paragraphs[0] if self.doc.paragraphs else None
        if first is not None and not first.text:
            first._p.getparent().remove(first._p)
        if title:
            p = self._para(title.upper(), align="center", bold=True, size=BODY_PT, before=18, after=0)
            p.paragraph_format.keep_with_next = True
        if subject and not subject_under_number:
            p = self._para(subject, align="center", bold=True, size=BODY_PT, before=0, after=0)
            p.paragraph_format.keep_with_next = True
            self._rule(self.doc, 40, TEXT_WIDTH_MM, before=2, after=6)
        if not title and not subject_under_number and not subject:
            self._para("", after=6)

    # --- page and styles -------------------------------------------------------------

    def _setup_page(self) -> None:
        s = self.doc.sections[0]
        s.orientation = WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        s.top_margin, s.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        s.left_margin, s.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        s.header_distance = s.footer_distance = Mm(10)
        # Page numbers: centred in the top margin, from the second page on.
        s.different_first_page_header_footer = True
        p = s.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), "PAGE")
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "2"
        r.append(t)
        fld.append(r)
        p._p.append(fld)

    def _setup_styles(self) -> None:
        for name in ("Normal", "Header", "Footer"):
            style = self.doc.styles[name]
            style.font.name = FONT
            style.font.size = Pt(BODY_PT if name == "Normal" else 13)
            rpr = style.element.get_or_add_rPr()
            fonts = rpr.find(qn("w:rFonts"))
            for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(attr), FONT)
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
                fonts.attrib.pop(qn(attr), None)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), "vi-VN")
        # Table cells and tools that skip styles fall back to the document defaults.
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}") if defaults is not None else None
        if fonts is not None:
            fonts.attrib.clear()
            for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(attr), FONT)
        pf = self.doc.styles["Normal"].paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.15

    # --- building blocks ---------------------------------------------------------------

    def _para(self, text: str = "", *, container=None, align: str = "justify", bold: bool = False,
              italic: bool = False, size: float = BODY_PT, before: float = 0, after: float = 6,
              indent_mm: float = 0, line: float | None = None):
        p = (container or self.doc).add_paragraph()
        p.alignment = _ALIGN[align]
        pf = p.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        if indent_mm:
            pf.first_line_indent = Mm(indent_mm)
        if line is not None:
            pf.line_spacing = line
        if text:
            _set_run_font(p.add_run(xml_safe(text)), size=size, bold=bold, italic=italic)
        return p

    def _rule(self, container, length_mm: float, width_mm: float, *, before: float = 0, after: float = 0) -> None:
        """A short horizontal rule centred in a block `width_mm` wide: the bottom border
        of an empty, 3 pt high paragraph indented from both sides."""
        p = container.add_paragraph()
        pf = p.paragraph_format
        side = max(0.0, (width_mm - length_mm) / 2)
        pf.left_indent = pf.right_indent = Mm(side)
        pf.space_before, pf.space_after, pf.line_spacing = Pt(before), Pt(after), Pt(3)
        pPr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        edge = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
            edge.set(qn(key), value)
        bdr.append(edge)
        pPr.insert_element_before(bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                                  "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                                  "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                                  "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                                  "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                                  "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
        # The paragraph mark's own size sets the empty line's height: make it tiny too.
        mark = OxmlElement("w:rPr")
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), "2")
        mark.append(size)
        pPr.insert_element_before(mark, "w:sectPr", "w:pPrChange")

    def _header(self, *, parent_body: str, issuer: str, number: str, place: str, date, year, subject: str) -> None:
        left_w, right_w = HEADER_COLUMNS_MM
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(table)
        _no_cell_margins(table)
        _fixed_layout(table, HEADER_COLUMNS_MM)
        left, right = table.rows[0].cells
        for cell in (left, right):
            cell._tc.remove(cell.paragraphs[0]._p)
        tight = {"before": 0, "after": 0, "line": 1.0}
        if parent_body:
            self._para(parent_body.upper(), container=left, align="center", size=13, **tight)
        self._para(issuer.upper(), container=left, align="center", bold=True, size=13, **tight)
        self._rule(left, 22, left_w, before=1)
        self._para(number, container=left, align="center", size=13, before=4, after=0, line=1.0)
        if subject:
            self._para(subject, container=left, align="center", size=12, before=2, after=0, line=1.0)
        self._para(NATIONAL_TITLE, container=right, align="center", bold=True, size=12, **tight)
        self._para(MOTTO, container=right, align="center", bold=True, size=13, **tight)
        self._rule(right, 62, right_w, before=1)
        self._para(date_words(place, date, year=year), container=right, align="center", italic=True, size=13,
                   before=4, after=0, line=1.0)

    # --- body ------------------------------------------------------------------------

    def addressees(self, names: Sequence[str]) -> None:
        """"Kính gửi: …" of a công văn: one name on the line, several as a list."""
        names = [xml_safe(n).strip() for n in names if xml_safe(n).strip()]
        if not names:
            return
        if len(names) == 1:
            p = self._para("", align="center", before=12, after=12)
            _set_run_font(p.add_run("Kính gửi: "), size=BODY_PT)
            _set_run_font(p.add_run(names[0] + "."), size=BODY_PT)
            return
        self._para("Kính gửi:", align="left", before=12, after=0, indent_mm=40)
        for i, name in enumerate(names):
            end = "." if i == len(names) - 1 else ";"
            p = self._para(f"- {name.rstrip(';.')}{end}", align="left", after=0)
            p.paragraph_format.left_indent = Mm(60)
        self._para("", after=0)

    def heading(self, text: str) -> None:
        p = self._para(text, bold=True, indent_mm=10, before=6)
        p.paragraph_format.keep_with_next = True

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False, align: str = "justify",
                  indent: bool = True) -> None:
        self._para(text, bold=bold, italic=italic, align=align, indent_mm=10 if indent else 0)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def image(self, png: bytes, *, width_mm: float = 150, caption: str = "") -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        if caption:
            self._para(caption, align="center", italic=True, size=12)

    def table(self, columns: Sequence[str], rows: Iterable[Sequence], *, widths_mm: Sequence[float] | None = None,
              align: Sequence[str] | None = None, size: float = TABLE_PT, bold_rows: Iterable[int] = ()) -> None:
        """A bordered table: a bold header row repeated on each page, then `rows` (each a
        sequence of values, shown with str(); None shows empty). Rows are deep copies of
        one template <w:tr>, which keeps a large table fast. `bold_rows` are indexes of
        rows to write in bold (totals)."""
        n = len(columns)
        widths = list(widths_mm or [TEXT_WIDTH_MM / n] * n)
        align = list(align or ["left"] * n)
        table = self.doc.add_table(rows=2, cols=n)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _grid_borders(table)
        _fixed_layout(table, widths)
        head, template = table.rows
        _repeat_as_header(head)
        _cant_split(template)
        for cell, text in zip(head.cells, columns):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.line_spacing = 1.0
            _set_run_font(p.add_run(xml_safe(text)), size=size, bold=True)
        for cell, a in zip(template.cells, align):
            p = cell.paragraphs[0]
            p.alignment = _ALIGN[a]
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.line_spacing = 1.0
            _set_run_font(p.add_run("x"), size=size)
        tbl, tr_template = table._tbl, template._tr
        tbl.remove(tr_template)
        bold_rows = set(bold_rows)
        w_t, w_rpr = qn("w:t"), qn("w:rPr")
        for index, values in enumerate(rows):
            tr = deepcopy(tr_template)
            texts = tr.iter(w_t)
            for t, value in zip(texts, values):
                text = "" if value is None else xml_safe(value).replace("\n", " ")
                t.text = text
                if text != text.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            if index in bold_rows:
                for rpr in tr.iter(w_rpr):
                    rpr.insert(0, OxmlElement("w:b"))  # <w:b> comes before <w:sz>
            tbl.append(tr)
        self._para("", after=0, size=6)

    # --- closing ---------------------------------------------------------------------

    def close(self, *, signer: Signer, recipients: Sequence[str]) -> None:
        """The signature block on the right and "Nơi nhận:" with its list on the left.
        Each recipient line gets its dash and ends with ";" (the last with ".")."""
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(table)
        _fixed_layout(table, (TEXT_WIDTH_MM - 85, 85))
        _cant_split(table.rows[0])  # the block moves to the next page whole
        left, right = table.rows[0].cells
        for cell in (left, right):
            cell._tc.remove(cell.paragraphs[0]._p)
        self._para("Nơi nhận:", container=left, align="left", bold=True, italic=True, size=12, before=6, after=0,
                   line=1.0)
        lines = [xml_safe(r).strip().lstrip("-–• ").rstrip(";.,").strip() for r in recipients]
        lines = [x for x in lines if x]
        for i, text in enumerate(lines):
            self._para(f"- {text}{'.' if i == len(lines) - 1 else ';'}", container=left, align="left", size=11,
                       after=0, line=1.0)
        tight = {"before": 0, "after": 0, "line": 1.0}
        if signer.authority:
            self._para(signer.authority.upper(), container=right, align="center", bold=True, size=BODY_PT,
                       before=6, after=0, line=1.0)
        if signer.position:
            self._para(signer.position.upper(), container=right, align="center", bold=True, size=BODY_PT, **tight)
        for _ in range(4):  # room for the signature and the seal
            self._para("", container=right, **tight)
        if signer.name:
            self._para(signer.name, container=right, align="center", bold=True, size=BODY_PT, **tight)
        if not right.paragraphs:
            self._para("", container=right)
        if not left.paragraphs:
            self._para("", container=left)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def to_pdf(docx: bytes, *, timeout: float = SOFFICE_TIMEOUT) -> bytes:
    """The PDF of `docx`, converted by LibreOffice headless with a throw-away profile
    (two soffice processes sharing one profile block on its lock).
    Raises ConversionError when soffice is missing, fails or runs past `timeout`."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise ConversionError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="planwatch-pdf-") as tmp:
        work = Path(tmp)
        src = work / "document.docx"
        src.write_bytes(docx)
        cmd = [
            soffice, "--headless", "--norestore", "--nologo", "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to", "pdf", "--outdir", str(work / "out"), str(src),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False, cwd=tmp)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice did not finish within {timeout:g} s") from exc
        pdf = work / "out" / "document.pdf"
        if proc.returncode != 0 or not pdf.exists():
            detail = proc.stderr.decode(errors="replace").strip()[-300:]
            raise ConversionError(f"LibreOffice failed (exit {proc.returncode}){': ' + detail if detail else ''}")
        return pdf.read_bytes()
