"""PDF reader: the text layer through pdfplumber, scanned pages through Tesseract.

Words with their boxes become `layout.Word`s, ruled tables found by pdfplumber become
`layout.TableBox`es and footnotes under a short rule are set aside; pages without a
usable text layer go to the OCR reader. `layout.layout_pages` then turns the pages into
paragraphs, tables and the two-column header and signature blocks.
"""
from __future__ import annotations

import io
import re
import statistics
import unicodedata

from ..errors import CorruptFile, EmptyDocument, TooLarge
from ..model import Document
from .layout import PageLayout, TableBox, Word, group_lines, join_lines, layout_pages, paragraphs

EXTENSIONS = (".pdf",)

MAX_PAGES = 500
# A page with fewer letters than this in its text layer is a scan (or a blank page):
# a real text page of a plan holds well over a thousand.
MIN_LETTERS_PER_PAGE = 20
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


# --- reading a PDF ------------------------------------------------------------------


def read(data: bytes, name: str) -> Document:
    """Read a PDF into a Document (format "pdf").

    Pages without a usable text layer are OCR'd (Document.ocr_pages lists them).
    Raises CorruptFile (broken, encrypted), TooLarge (over MAX_PAGES), EmptyDocument
    (no pages or no text at all) and MissingTool (a scan, but no Tesseract).
    """
    import pdfplumber

    warnings: list[str] = []
    if b"%%EOF" not in data[-2048:]:
        warnings.append("Tệp PDF có thể bị cắt cụt: thiếu %%EOF (the PDF may be truncated)")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        raise CorruptFile(f"{name}: {_pdf_error(exc)}") from exc
    try:
        if len(pages) > MAX_PAGES:
            raise TooLarge(f"{name}: PDF có {len(pages)} trang, vượt giới hạn {MAX_PAGES} trang "
                           f"(more than {MAX_PAGES} pages)")
        if not pages:
            if warnings:
                raise CorruptFile(f"{name}: tệp PDF hỏng, không tìm thấy trang nào (broken PDF, no pages)")
            raise EmptyDocument(f"{name}: PDF không có trang nào (the PDF has no pages)")
        layouts, scanned = _read_text_pages(pages, name, warnings)
    finally:
        pdf.close()
    ocr_pages = []
    if scanned:
        from . import ocr

        ocr_layouts, ocr_pages, ocr_warnings = ocr.ocr_pdf_pages(data, scanned)
        warnings.extend(ocr_warnings)
        layouts = sorted(layouts + ocr_layouts, key=lambda p: p.number)
    blocks, text, footnotes = layout_pages(layouts)
    if not blocks:
        raise EmptyDocument(f"{name}: PDF không có chữ nào đọc được (no readable text in the PDF)")
    return Document(blocks=blocks, text=text, format="pdf", footnotes=footnotes,
                    ocr_pages=ocr_pages, warnings=warnings)


def _pdf_error(exc: Exception) -> str:
    """One line for the user from a pdfminer exception."""
    kind = type(exc).__name__
    if "Password" in kind or "Encrypt" in kind:
        return "PDF được bảo vệ bằng mật khẩu hoặc mã hóa (the PDF is password-protected or encrypted)"
    return f"tệp PDF hỏng, không đọc được ({kind}) (broken PDF)"


def _read_text_pages(pages, name: str, warnings: list[str]) -> tuple[list[PageLayout], list[int]]:
    """Layouts of the pages that have a text layer, and the 0-based indexes of the rest."""
    layouts: list[PageLayout] = []
    scanned: list[int] = []
    failed = 0
    for index, page in enumerate(pages):
        try:
            if _letter_count(page) < MIN_LETTERS_PER_PAGE:
                if page.images:
                    scanned.append(index)
                continue
            layouts.append(_page_layout(page, index + 1))
        except Exception as exc:  # one broken content stream should not lose the others
            failed += 1
            warnings.append(f"Trang {index + 1}: không đọc được ({type(exc).__name__}) (page unreadable)")
        finally:
            page.close()  # pdfplumber caches every object of a page; 500 pages would not fit
    if failed == len(pages):
        raise CorruptFile(f"{name}: tệp PDF hỏng, không đọc được trang nào (broken PDF)")
    return layouts, scanned


def _letter_count(page) -> int:
    """Letters in the text layer; unmapped glyphs ("(cid:12)") do not count."""
    return sum(1 for c in page.chars if len(c["text"]) == 1 and c["text"].isalpha())


def word_text(text: str) -> str:
    """NFC, with Symbol-font glyphs (U+F020–F0FF, Word's list bullets and dashes)
    mapped to the characters they draw."""
    if any("\uf020" <= ch <= "\uf0ff" for ch in text):
        text = "".join(_symbol(ch) for ch in text)
    return unicodedata.normalize("NFC", text)


def _symbol(ch: str) -> str:
    if not "\uf020" <= ch <= "\uf0ff":
        return ch
    ascii_ = chr(ord(ch) - 0xF000)
    return "•" if ascii_ in "\xb7\xa7\xa8\xfc\xd8" else ascii_


def _is_bold(fontname: str) -> bool:
    return any(k in fontname for k in ("Bold", "Black", "Heavy", ",Bd", "-Bd"))


def _page_layout(page, number: int) -> PageLayout:
    """Lines and ruled tables of one text page; words inside a table are not lines."""
    words = [
        Word(word_text(w["text"]), w["x0"], w["x1"], w["top"], w["bottom"],
             _is_bold(w.get("fontname", "")), float(w.get("size") or (w["bottom"] - w["top"])))
        for w in page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
        if w["text"].strip()
    ]
    tables = []
    boxes = []
    for found in page.find_tables(TABLE_SETTINGS):
        box = _table_box(found, words)
        if box is not None:
            tables.append(box)
            boxes.append(found.bbox)
    free = [w for w in words if not any(_inside(w, b) for b in boxes)]
    layout = PageLayout(number, float(page.width), float(page.height), group_lines(free), tables)
    layout.footnotes = _take_footnotes(layout, _short_rules(page))
    return layout


def _inside(word: Word, bbox) -> bool:
    x, y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


# --- ruled tables ---------------------------------------------------------------------


def _table_box(found, words: list[Word]) -> TableBox | None:
    """Resolve a pdfplumber table to cell texts; merged slots repeat their origin's text.

    Returns None for a frame that is not a grid (fewer than 2 columns): a boxed title
    is running text.
    """
    rows = found.rows
    ncols = max((len(r.cells) for r in rows), default=0)
    if ncols < 2 or not rows:
        return None
    col_x = [(c.bbox[0] + c.bbox[2]) / 2 if c.bbox else None for c in found.columns]
    texts: list[list[str]] = []
    vmerged: list[list[bool]] = []
    origins: list[list[tuple | None]] = []
    for r, row in enumerate(rows):
        ry = (row.bbox[1] + row.bbox[3]) / 2
        t_row, v_row, o_row = [], [], []
        for c in range(ncols):
            cell = row.cells[c] if c < len(row.cells) else None
            if cell is not None:
                t_row.append(_cell_text(cell, words))
                v_row.append(False)
                o_row.append(cell)
                continue
            x = col_x[c] if c < len(col_x) and col_x[c] is not None else None
            left = o_row[c - 1] if c > 0 else None
            above = origins[r - 1][c] if r > 0 else None
            if left is not None and x is not None and left[0] <= x <= left[2]:
                t_row.append(t_row[c - 1])
                v_row.append(v_row[c - 1])
                o_row.append(left)
            elif above is not None and above[1] <= ry <= above[3]:
                t_row.append(texts[r - 1][c])
                v_row.append(True)
                o_row.append(above)
            else:
                t_row.append("")
                v_row.append(False)
                o_row.append(None)
        texts.append(t_row)
        vmerged.append(v_row)
        origins.append(o_row)
    return TableBox(found.bbox[1], found.bbox[3], texts, vmerged)


def _cell_text(bbox, words: list[Word]) -> str:
    """Paragraphs of the words inside a cell, joined with "\\n"; wrapped lines joined."""
    inside = [w for w in words if _inside(w, bbox)]
    if not inside:
        return ""
    lines = group_lines(inside, split_gaps=False)
    return "\n".join(p.text for p in paragraphs(lines, bbox[0] + 2, bbox[2] - 2))


# --- footnotes -----------------------------------------------------------------------------


def _short_rules(page) -> list[tuple[float, float, float]]:
    """Horizontal rules 10–45 % of the page wide in its lower half: (x0, x1, y)."""
    out = []
    for e in page.edges:
        if e.get("orientation") != "h":
            continue
        length = e["x1"] - e["x0"]
        if page.width * 0.1 < length < page.width * 0.45 and e["top"] > page.height * 0.5:
            out.append((e["x0"], e["x1"], e["top"]))
    return out


_FOOTNOTE = re.compile(r"^(\d{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)(?![\d/.,:-])\s*(.*)$")


def _take_footnotes(page: PageLayout, rules) -> dict[str, str]:
    """Move the lines under a footnote separator out of the page; {marker: text}.

    The separator is a short rule in the lower half of the page; what lies under it
    must start with a marker (a number) and be set smaller than the body or hang from
    a rule that starts at the text's left edge, as Word and LibreOffice draw it. A line
    without a marker continues the previous footnote. Markers become plain digits.
    """
    if not rules or not page.lines:
        return {}
    x0, _x1, y = max(rules, key=lambda r: r[2])
    below = [l for l in page.lines if l.top >= y]
    above = [l for l in page.lines if l.top < y]
    if not below or not above or not _FOOTNOTE.match(below[0].text):
        return {}
    smaller = statistics.median(l.size for l in below) < statistics.median(l.size for l in above) - 0.5
    if not smaller and abs(x0 - min(l.x0 for l in page.lines)) > 6:
        return {}
    notes: dict[str, list[str]] = {}
    key = ""
    for line in below:
        m = _FOOTNOTE.match(line.text)
        if m and (line.x0 <= below[0].x0 + 1 or smaller):
            key = m.group(1).translate(_SUPERSCRIPT_DIGITS)
            notes.setdefault(key, []).append(m.group(2))
        else:
            notes[key].append(line.text)
    page.lines = above
    return {k: join_lines(v) for k, v in notes.items()}


_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
