"""Builders of PDF and scan fixtures for the PDF/OCR reader tests.

    docx_to_pdf(docx, out_dir)            # LibreOffice, headless, private profile
    scan_pdf(pdf, out, dpi=200, ...)      # image-only PDF: tilted, speckled pages
    scan_images(pdf, out, ...)            # the same pages as a PNG / multi-page TIFF
    seed_docx(seed_txt, out, table=...)   # a plain DOCX of a seed, header laid out as a table

Everything is deterministic for a given input so a failing test can be rerun as is.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE_TIMEOUT = 180  # seconds; a cold LibreOffice start on a busy 2-core box takes ~10 s


def docx_to_pdf(docx: Path, out_dir: Path) -> Path:
    """Convert `docx` to `out_dir/<stem>.pdf` with LibreOffice and return that path.

    Each call uses its own throw-away LibreOffice profile: two soffice processes that
    share a profile (parallel pytest workers) block or fail on the profile lock.
    Raises RuntimeError when soffice is missing, fails or times out.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise RuntimeError("soffice not found: apt-get install --no-install-recommends libreoffice-writer-nogui")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        cmd = [
            soffice, "--headless", "--norestore", "--nologo", "--nolockcheck",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--convert-to", "pdf", "--outdir", str(out_dir), str(docx),
        ]
        proc = subprocess.run(cmd, capture_output=True, timeout=SOFFICE_TIMEOUT, check=False)
    pdf = out_dir / (Path(docx).stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"soffice failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-500:]}")
    return pdf


def scan_pdf(pdf: Path, out: Path, dpi: int = 200, tilt_deg: float = 0.8,
             noise: float = 0.04, seed: int = 0, pages: int | None = None) -> Path:
    """Write an image-only PDF that looks like a scan of `pdf` and return `out`.

    Each page (the first `pages` only, if given) is rendered in grayscale at `dpi`,
    rotated by `tilt_deg` (white fill), given gaussian grain plus salt-and-pepper specks
    on a `noise` fraction of the pixels (both from `seed`), and saved without any text
    layer.
    """
    images = _scanned_pages(pdf, dpi, tilt_deg, noise, seed, pages)
    out.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out


def scan_images(pdf: Path, out: Path, dpi: int = 200, tilt_deg: float = 0.8, noise: float = 0.04,
                seed: int = 0, pages: int | None = 1, crop: float | None = None) -> Path:
    """Like `scan_pdf`, but write an image file (format from `out`'s suffix; a .tif
    holds every page as a frame). `crop` keeps only that top fraction of each page,
    which keeps OCR tests quick. Returns `out`."""
    images = _scanned_pages(pdf, dpi, tilt_deg, noise, seed, pages)
    if crop:
        images = [im.crop((0, 0, im.width, int(im.height * crop))) for im in images]
    out.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(out, dpi=(dpi, dpi), save_all=len(images) > 1, append_images=images[1:])
    return out


def _scanned_pages(pdf: Path, dpi: int, tilt_deg: float, noise: float, seed: int, pages: int | None):
    import pypdfium2 as pdfium
    from PIL import Image

    rng = random.Random(seed)
    images: list[Image.Image] = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for index in range(min(len(doc), pages or len(doc))):
            bitmap = doc[index].render(scale=dpi / 72, grayscale=True)
            image = bitmap.to_pil().convert("L")
            image = image.rotate(tilt_deg, resample=Image.BILINEAR, expand=False, fillcolor=255)
            images.append(_add_noise(image, noise, rng))
    finally:
        doc.close()
    return images


def _add_noise(image, amount: float, rng: random.Random):
    """Gaussian grain (sigma 12) everywhere, then black/white specks on `amount` of the
    pixels. Done on a bytearray: Pillow has no seeded noise filter."""
    from PIL import Image

    width, height = image.size
    pixels = bytearray(image.tobytes())
    gauss = rng.gauss
    for i in range(0, len(pixels), 7):  # grain on every 7th pixel keeps this fast
        pixels[i] = max(0, min(255, int(pixels[i] + gauss(0, 12))))
    for _ in range(int(len(pixels) * amount)):
        pixels[rng.randrange(len(pixels))] = 0 if rng.random() < 0.5 else 255
    return Image.frombytes("L", (width, height), bytes(pixels))


# --- a minimal DOCX of a seed --------------------------------------------------------

_DATE_LINE = re.compile(r"^[^\W\d][\w .'-]*,\s*ngày\b.*\btháng\b.*\bnăm\b", re.I)


def _clean(line: str) -> str:
    """Drop markdown emphasis/heading marks and hard-break spaces."""
    line = re.sub(r"^#+\s*", "", line.strip())
    line = line.replace("**", "").replace("*", "")
    line = re.sub(r"<(https?://[^>]+)>", r"\1", line)
    return line.strip()


def _split_seed(lines: list[str]):
    """Split cleaned seed lines into (header rows, body, signature columns).

    Header rows are [(left lines, right lines)], the signature is (left, right) or None.
    """
    header: list[tuple[list[str], list[str]]] = []
    body_start = 0
    quoc = next((i for i, l in enumerate(lines[:12]) if l.upper().startswith("CỘNG HÒA")), None)
    so = next((i for i, l in enumerate(lines[:12]) if l.startswith("Số:")), None)
    date = next((i for i, l in enumerate(lines[:12]) if _DATE_LINE.match(l)), None)
    if quoc is not None:
        motto = [l for l in lines[quoc:quoc + 2] if l.startswith(("CỘNG HÒA", "Độc lập"))]
        header.append((lines[:quoc], motto))
        body_start = quoc + len(motto)
    if so is not None and date is not None:
        body_start = max(body_start, date + 1)
        # A letter's subject ("V/v …") sits under "Số:" in the left cell.
        subject = []
        if body_start < len(lines) and lines[body_start].startswith("V/v"):
            while body_start < len(lines) and not lines[body_start].startswith("Kính gửi"):
                subject.append(lines[body_start])
                body_start += 1
        header.append(([lines[so]] + subject, [lines[date]]))
    body = lines[body_start:]
    sign = next((i for i, l in enumerate(body) if l.rstrip(":") == "Nơi nhận"), None)
    signature = None
    if sign is not None:
        tail = body[sign:]
        left = [tail[0]] + [l for l in tail[1:] if l.startswith("- ")]
        right = [l for l in tail[1:] if not l.startswith("- ") and not l.startswith("[")]
        signature = (left, right)
        body = body[:sign]
    return header, body, signature


def seed_docx(seed_txt: Path, out: Path, table: list[list[str]] | None = None,
              vmerge_col: int | None = None) -> Path:
    """Write a plain DOCX of a seed and return `out`.

    One paragraph per non-empty seed line (Times New Roman 13 pt, justified, first-line
    indent, markdown marks stripped, whole-line ** as bold). The header ("Số:", date,
    issuing body, national motto) becomes a borderless two-column table and the
    "Nơi nhận:" / signer block another one, as in real plans. `table` (first row = header)
    is inserted as a ruled table after the first paragraph starting "III."/"3."
    (or at the end); equal consecutive values in column `vmerge_col` are merged.
    """
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    raw = seed_txt.read_text(encoding="utf-8").splitlines()
    bold = [bool(re.match(r"^(#+\s*)?\*\*.*\*\*\s*$", l.strip())) for l in raw]
    pairs = [(_clean(l), b) for l, b in zip(raw, bold) if _clean(l)]
    bold_of = {text: b for text, b in pairs}
    header, body, signature = _split_seed([t for t, _ in pairs])

    doc = Docx()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)

    if header:
        _two_column_table(doc, header)
    inserted = table is None
    for text in body:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1)
        p.paragraph_format.space_after = Pt(4)
        p.add_run(text).bold = bold_of.get(text, False)
        if not inserted and re.match(r"^(III|3)\.\s", text):
            _ruled_table(doc, table, vmerge_col)
            inserted = True
    if not inserted:
        _ruled_table(doc, table, vmerge_col)
    if signature:
        _two_column_table(doc, [signature])
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


def _two_column_table(doc, rows: list[tuple[list[str], list[str]]]) -> None:
    """A borderless two-column table, one paragraph per line, centred like a header."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    grid = doc.add_table(rows=len(rows), cols=2)
    grid.autofit = False
    for r, (left, right) in enumerate(rows):
        for c, lines in enumerate((left, right)):
            cell = grid.cell(r, c)
            cell.width = Cm(6.5 if c == 0 else 9.5)
            for i, line in enumerate(lines):
                p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                # "Nơi nhận:" and its list are left-aligned; everything else is centred.
                listed = c == 0 and (line.startswith("- ") or line.startswith("Nơi nhận"))
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT if listed else WD_ALIGN_PARAGRAPH.CENTER
                p.add_run(line)


def _ruled_table(doc, rows: list[list[str]], vmerge_col: int | None) -> None:
    """A table with all borders ("Table Grid"); vertically merge equal runs in a column."""
    from docx.shared import Cm

    grid = doc.add_table(rows=len(rows), cols=len(rows[0]))
    grid.style = "Table Grid"
    grid.autofit = False
    # 16 cm of text width: narrow number/group columns, the content column widest.
    widths = [1.2, 1.8] + [13.0 / (len(rows[0]) - 2)] * (len(rows[0]) - 2) if len(rows[0]) > 2 else None
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            grid.cell(r, c).text = text
            if widths:
                grid.cell(r, c).width = Cm(widths[c])
    if vmerge_col is None:
        return
    start = 1
    for r in range(2, len(rows) + 1):
        if r == len(rows) or rows[r][vmerge_col] != rows[start][vmerge_col]:
            if r - start > 1:
                top = grid.cell(start, vmerge_col)
                merged = top.merge(grid.cell(r - 1, vmerge_col))
                merged.text = rows[start][vmerge_col]
            start = r
