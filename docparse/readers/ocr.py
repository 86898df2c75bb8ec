"""Scanned pages and images through Tesseract (`tesseract-ocr` + `tesseract-ocr-vie`).

Pages are rendered or decoded to 8-bit grayscale at about 300 dpi, straightened, and
piped to one `tesseract` process per core as uncompressed PGM (encoding PNG would cost
more time than the OCR saves). Tesseract's TSV word boxes are converted to points and
laid out by the same code as a PDF text layer (`layout.layout_pages`), so paragraphs,
the two-column header and the signature block come out the same way.

    ocr_pdf_pages(pdf_bytes, [0, 3])  -> (page layouts, [OcrPage], warnings)   # used by pdf.py
    read(image_bytes, "scan.tif")     -> Document (format "image")
"""
from __future__ import annotations

import csv
import functools
import io
import os
import re
import shutil
import statistics
import subprocess
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from ..errors import CorruptFile, EmptyDocument, MissingTool, TooLarge
from ..model import Document, OcrPage
from .layout import Line, PageLayout, Word, layout_pages
from .ocr_tables import erase_rules, find_grids, tables_from_page

EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pnm", ".pgm", ".ppm")

INSTALL = "apt-get install --no-install-recommends tesseract-ocr tesseract-ocr-vie"
DPI = 300  # Tesseract's sweet spot for 12–14 pt body text
MAX_OCR_PAGES = int(os.environ.get("DOCPARSE_MAX_OCR_PAGES", 200))
PAGE_TIMEOUT = int(os.environ.get("DOCPARSE_OCR_TIMEOUT", 180))  # seconds per page
MIN_WORD_CONF = 30  # below this, a word without letters or digits is a speck, not text
LOW_CONFIDENCE = 60  # mean word confidence under which the Plan warns about a page
MAX_SKEW = 3.0  # degrees; scanners and phones rarely tilt more, and beyond it Tesseract copes
MAX_INK_LEVEL = 200  # grey above which a pixel is never ink; text pages have Otsu ≈ 180


# --- the tool ------------------------------------------------------------------------


def check_tesseract() -> str:
    """Path of a `tesseract` that has Vietnamese; raises MissingTool with the apt line."""
    return _check_tesseract(os.environ.get("PATH", ""))


@functools.lru_cache(maxsize=4)
def _check_tesseract(path_env: str) -> str:  # keyed on PATH so tests can hide the binary
    exe = shutil.which("tesseract", path=path_env)
    if exe is None:
        raise MissingTool(
            "Tài liệu là bản quét nhưng máy chủ chưa cài Tesseract OCR; cài bằng: "
            f"{INSTALL} (the document is a scan and Tesseract OCR is not installed)"
        )
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise MissingTool(f"Không chạy được tesseract ({exc}); cài lại bằng: {INSTALL}") from exc
    if "vie" not in out.split():
        raise MissingTool(
            "Tesseract chưa có dữ liệu tiếng Việt; cài bằng: "
            f"{INSTALL} (Tesseract has no Vietnamese language data)"
        )
    return exe


# --- page images ----------------------------------------------------------------------------


def estimate_skew(gray) -> float:
    """The text's tilt in degrees (counter-clockwise positive), from a 75 dpi thumbnail.

    Tries rotations and keeps the one whose row-ink profile is sharpest: text lines
    that run level make tall peaks and empty gaps. About 0.1 s a page.
    """
    from PIL import Image

    small = gray.reduce(4) if min(gray.size) > 1200 else gray
    ink = small.point(lambda v: 255 if v < 140 else 0)

    def sharpness(angle: float) -> float:
        turned = ink.rotate(angle, resample=Image.NEAREST, fillcolor=0)
        profile = turned.resize((1, turned.height), Image.BOX).tobytes()
        return sum((a - b) ** 2 for a, b in zip(profile, profile[1:]))

    best = max((a / 4 for a in range(int(-MAX_SKEW * 4), int(MAX_SKEW * 4) + 1)), key=sharpness)
    return max((best + d / 20 for d in range(-5, 6)), key=sharpness)


def prepare(gray):
    """Straighten a grayscale page and soften specks; returns the new image.

    Measured on a 200 dpi scan with 4 % salt-and-pepper noise and a 0.8° tilt, rendered
    at 300 dpi (seed 001, page 1; share of words read right / mean confidence):
    as is 0.29 / 60; deskewed only 0.08 / 73; deskew + 3×3 median 0.89 / 89;
    deskew + 5×5 median 0.97 / 95 but 2.5 s; deskew + gaussian blur r=1.5 0.96 / 94
    in 0.5 s. The blur turns specks into light grey that Tesseract's thresholding
    drops, and on a clean page it changes nothing (0.98 → 0.99).
    """
    from PIL import Image, ImageFilter

    angle = estimate_skew(gray)
    if abs(angle) > 0.1:
        gray = gray.rotate(angle, resample=Image.BILINEAR, fillcolor=255)
    gray = gray.filter(ImageFilter.GaussianBlur(1.5))
    # Whiten everything lighter than Otsu's threshold capped at MAX_INK_LEVEL, keeping the
    # grey edges of strokes (binarising here costs 2-3 % of the words). On a page with little
    # ink Tesseract's own Otsu would split the blurred specks and spend a minute on them
    # (58 s instead of 2 s for the near-blank last page of a noisy scan).
    level = min(otsu(gray.histogram()), MAX_INK_LEVEL)
    return gray.point(lambda v: v if v < level else 255)


def _despeckle(gray):
    """Isolated specks that survive the blur: Tesseract reads one block per page, and
    in blank stretches (empty table cells) it turns them into short words ("Si",
    "có"). A 3×3 median removes them. Measured on the scanned seeds: table variant
    0.30 → 0.54 overall F1; on running text it lowered the score (0.96 → 0.92)."""
    from PIL import ImageFilter

    return gray.filter(ImageFilter.MedianFilter(3))


def otsu(histogram: list[int]) -> int:
    """Otsu's threshold of a 256-bin grayscale histogram."""
    total = sum(histogram)
    sum_all = sum(i * n for i, n in enumerate(histogram))
    best, best_var, weight, acc = 128, -1.0, 0, 0
    for level, count in enumerate(histogram):
        weight += count
        acc += level * count
        if weight == 0 or weight == total:
            continue
        mean_dark = acc / weight
        mean_light = (sum_all - acc) / (total - weight)
        var = weight * (total - weight) * (mean_dark - mean_light) ** 2
        if var > best_var:
            best, best_var = level + 1, var
    return best


def is_blank(binary) -> bool:
    """Fewer than one pixel in 2,000 is ink: nothing for Tesseract to read."""
    return sum(binary.histogram()[:MAX_INK_LEVEL]) < binary.width * binary.height / 2000


def _pgm(gray) -> bytes:
    """Binary PGM (P5): Tesseract reads it from stdin with no decoding cost."""
    return b"P5\n%d %d\n255\n" % gray.size + gray.tobytes()


# --- running Tesseract -------------------------------------------------------------------------


@dataclass
class PageResult:
    layout: PageLayout
    confidence: float
    warning: str | None = None


def ocr_image(gray, number: int, dpi: float, exe: str) -> PageResult:
    """OCR one grayscale page image; the layout is in points (1/72 inch)."""
    gray = prepare(gray)
    grids = find_grids(gray)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per process; we run one per core
    cmd = [exe, "stdin", "stdout", "-l", "vie", "--psm", "6", "--dpi", str(round(dpi)),
           "-c", "tessedit_do_invert=0", "tsv"]
    width, height = gray.width * 72 / dpi, gray.height * 72 / dpi
    empty = PageLayout(number, width, height)
    if is_blank(gray):
        return PageResult(empty, 0.0)
    try:
        # only table pages: on running text the median costs more words than it saves
        page_image = _despeckle(erase_rules(gray, grids)) if grids else gray
        proc = subprocess.run(cmd, input=_pgm(page_image), capture_output=True, timeout=PAGE_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return PageResult(empty, 0.0, f"Trang {number}: OCR quá {PAGE_TIMEOUT} giây, bỏ qua (OCR timed out)")
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        return PageResult(empty, 0.0, f"Trang {number}: tesseract lỗi ({err[0]}) (OCR failed)")
    lines, confidence = parse_tsv(proc.stdout.decode("utf-8", errors="replace"), 72 / dpi)
    empty.tables, empty.lines = tables_from_page(gray, grids, lines, 72 / dpi)
    return PageResult(empty, confidence)


_SPECK = re.compile(r"^[A-Za-z~_\-—–.,'`]{1,2}$")
_NUM_LABEL = re.compile(r"^\d{1,2}(?:[.,\-]\d{1,2}){0,3}[.,]{1,3}$")
_DASHY = re.compile(r"^[-_~.—–,]{1,5}$")


def _clean_line_words(words: list) -> None:
    """Repair what noise does to the start and end of a scanned line, in place.

    Numbered labels decide the outline, so they matter more than their size suggests:
    "2-4." / "2,10." / "1.4..." → "2.4." / "2.10." / "1.4."; a speck read as a letter
    before a label ("c 2.3.") or after the last punctuation ("…: s—") goes; a dash read
    as "_~._" or "-_" is a dash, and a speck right after it is dropped.
    """
    if len(words) > 2 and _NUM_LABEL.match(words[1].text) and (
        _SPECK.match(words[0].text) or (len(words[0].text) <= 3 and words[0].text.islower() and words[2].text[:1].isupper())
    ):
        del words[0]  # "c 2.3. Xây dựng", "có 3. Đề nghị": a speck or a stray word before the label
    first = words[0].text
    if _NUM_LABEL.match(first):
        digits = re.split(r"[.,\-]+", first.strip(".,"))
        words[0].text = ".".join(digits) + "."
    elif _DASHY.match(first) and any(c in first for c in "-~—–_"):
        words[0].text = "-"
    while len(words) > 2 and words[0].text == "-" and not any(ch.isalnum() for ch in words[1].text):
        del words[1]
    if len(words) > 2 and _SPECK.match(words[-1].text) and words[-2].text[-1:] in ".;:,)":
        del words[-1]


def parse_tsv(tsv: str, scale: float) -> tuple[list[Line], float]:
    """Lines of a Tesseract TSV page (coordinates times `scale`) and the mean word
    confidence (0 when there are no words).

    Words are grouped by Tesseract's (block, paragraph, line). Specks are dropped: a
    word with no letter or digit that is tiny or unsure, lines left with no letter or
    digit, one-glyph lines half the usual height (a stray diacritic) and one-glyph
    segments read again on top of another word. A line is cut at column-wide gaps.
    """
    rows = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = _fix(row.get("text") or "")
        if row.get("level") == "5" and text and float(row.get("conf") or -1) >= 0:
            rows.append((row, text))
    if not rows:
        return [], 0.0
    typical = statistics.median(int(r["height"]) for r, _ in rows)
    groups: dict[tuple[int, int, int], list[Word]] = {}
    confs: list[float] = []
    for row, text in rows:
        conf = float(row["conf"])
        width, height = int(row["width"]), int(row["height"])
        if not any(ch.isalnum() for ch in text) and (
            conf < MIN_WORD_CONF or max(width, height) < 0.25 * typical
        ):
            continue
        if len(text) == 1 and text.isalpha() and conf < MIN_WORD_CONF:
            continue  # a speck read as a letter ("c", "s")
        left, top = int(row["left"]) * scale, int(row["top"]) * scale
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        word = Word(text, left, left + width * scale, top, top + height * scale, conf=conf)
        groups.setdefault(key, []).append(word)
        confs.append(conf)
    # One size for the whole page: OCR box heights vary with diacritics, not with the
    # font, and the paragraph rules must not read that as a change of font size.
    size = typical * scale * 0.9
    lines: list[Line] = []
    for words in groups.values():
        if not any(ch.isalnum() for w in words for ch in w.text):
            continue
        if len(words) <= 2 and all(len(w.text) <= 3 for w in words) and statistics.mean(w.conf for w in words) < 80:
            continue  # "Si", "có", "SỐ": specks in an empty stretch of page read as a short word
        # A diacritic read on its own ("Ệ" above "VIỆT"): one tiny glyph, half a line high.
        if len(words) == 1 and len(words[0].text) <= 2 and words[0].bottom - words[0].top < 0.5 * typical * scale:
            continue
        words.sort(key=lambda w: w.x0)
        _clean_line_words(words)
        if not words:
            continue
        current: list[Word] = []
        for word in words:
            word.size = size
            if current and word.x0 - current[-1].x1 > 3 * size:
                lines.append(Line(current))
                current = []
            current.append(word)
        lines.append(Line(current))
    lines = [l for l in lines if not _ghost(l, lines)]
    lines.sort(key=lambda l: (round(l.top), l.x0))
    return lines, statistics.fmean(confs) if confs else 0.0


def _ghost(line: Line, lines: list[Line]) -> bool:
    """A one- or two-letter segment lying mostly on top of another line's word: Tesseract
    sometimes reads a stacked diacritic ("Ệ" of "VIỆT") a second time in the line below."""
    if len(line.words) != 1 or len(line.words[0].text) > 2:
        return False
    g = line.words[0]
    area = max((g.x1 - g.x0) * (g.bottom - g.top), 1e-6)
    for other in lines:
        if other is line:
            continue
        for w in other.words:
            dx = min(g.x1, w.x1) - max(g.x0, w.x0)
            dy = min(g.bottom, w.bottom) - max(g.top, w.top)
            if dx > 0 and dy > 0 and dx * dy > 0.5 * area:
                return True
    return False


def _fix(text: str) -> str:
    """NFC, and the one confusion that is always safe to undo: Icelandic eth for Đ/đ."""
    text = unicodedata.normalize("NFC", text.strip())
    return text.replace("Ð", "Đ").replace("ð", "đ")


def run_pages(loaders: list[Callable[[], tuple[object, float]]], numbers: list[int]) -> list[PageResult]:
    """OCR pages concurrently, one Tesseract process per core.

    `loaders[i]()` returns (grayscale image, dpi) for page `numbers[i]`; loaders are
    called one at a time (pdfium is not thread-safe), OCR runs in parallel.
    Raises MissingTool before any work when Tesseract or its Vietnamese data is absent.
    """
    exe = check_tesseract()
    if len(loaders) > MAX_OCR_PAGES:
        raise TooLarge(f"Quá nhiều trang cần OCR ({len(loaders)} > {MAX_OCR_PAGES}) "
                       f"(too many scanned pages)")
    lock = threading.Lock()

    def work(i: int) -> PageResult:
        with lock:
            gray, dpi = loaders[i]()
        return ocr_image(gray, numbers[i], dpi, exe)

    workers = max(1, min(os.cpu_count() or 1, len(loaders)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, range(len(loaders))))


def _collect(results: list[PageResult]) -> tuple[list[PageLayout], list[OcrPage], list[str]]:
    layouts = [r.layout for r in results]
    pages = [OcrPage(r.layout.number, round(r.confidence, 1)) for r in results]
    warnings = [r.warning for r in results if r.warning]
    warnings += [f"Trang {p.page}: OCR kém tin cậy ({p.confidence:.0f}/100), cần soát lại "
                 f"(low OCR confidence, check the text)"
                 for p, r in zip(pages, results) if r.layout.lines and p.confidence < LOW_CONFIDENCE]
    return layouts, pages, warnings


# --- PDF pages -------------------------------------------------------------------------------------


def ocr_pdf_pages(data: bytes, indexes: list[int]) -> tuple[list[PageLayout], list[OcrPage], list[str]]:
    """OCR the 0-based pages `indexes` of a PDF; returns (layouts, OcrPage list, warnings).

    Raises MissingTool when Tesseract is absent, CorruptFile when pdfium cannot open
    the file.
    """
    import pypdfium2 as pdfium

    check_tesseract()
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise CorruptFile(f"PDF hỏng, không dựng được ảnh trang để OCR ({exc}) (cannot render the PDF)") from exc

    def loader(index: int):
        def load():
            page = doc[index]
            try:
                bitmap = page.render(scale=DPI / 72, grayscale=True)
                return bitmap.to_pil().convert("L"), float(DPI)
            finally:
                page.close()
        return load

    try:
        results = run_pages([loader(i) for i in indexes], [i + 1 for i in indexes])
    finally:
        doc.close()
    return _collect(results)


# --- image files --------------------------------------------------------------------------------------


def read(data: bytes, name: str) -> Document:
    """OCR an image file (every frame of a multi-page TIFF) into a Document ("image").

    Raises CorruptFile (not a readable image), TooLarge (pixel or frame limits),
    MissingTool (no Tesseract/Vietnamese data) and EmptyDocument (no text found).
    """
    from PIL import Image, ImageSequence, UnidentifiedImageError

    check_tesseract()
    try:
        image = Image.open(io.BytesIO(data))
        frames = [_to_gray(f) for f in ImageSequence.Iterator(image)]
    except Image.DecompressionBombError as exc:
        raise TooLarge(f"{name}: ảnh quá lớn ({exc}) (image too large)") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CorruptFile(f"{name}: không đọc được ảnh ({type(exc).__name__}) (unreadable image)") from exc
    if len(frames) > MAX_OCR_PAGES:
        raise TooLarge(f"{name}: ảnh có {len(frames)} trang, vượt giới hạn {MAX_OCR_PAGES} (too many pages)")
    loaders = [functools.partial(_upscaled, frame) for frame in frames]
    results = run_pages(loaders, list(range(1, len(frames) + 1)))
    layouts, pages, warnings = _collect(results)
    blocks, text, footnotes = layout_pages(layouts)
    if not blocks:
        raise EmptyDocument(f"{name}: không nhận dạng được chữ nào trong ảnh (no text recognised)")
    return Document(blocks=blocks, text=text, format="image", footnotes=footnotes,
                    ocr_pages=pages, warnings=warnings)


def _to_gray(frame):
    """8-bit grayscale, transparency flattened onto white; returns (image, dpi)."""
    from PIL import Image

    dpi = frame.info.get("dpi", (0, 0))[0] or 0
    if frame.mode in ("RGBA", "LA", "P"):
        frame = frame.convert("RGBA")
        white = Image.new("RGBA", frame.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, frame)
    gray = frame.convert("L")
    # No or implausible resolution: assume the image is an A4 page's width (8.27 in).
    if not 70 <= float(dpi) <= 1200:
        dpi = gray.width / 8.27
    return gray, float(dpi)


def _upscaled(frame) -> tuple[object, float]:
    """Low-resolution images are enlarged towards 300 dpi: Tesseract misreads small
    diacritics below about 200 dpi."""
    from PIL import Image

    gray, dpi = frame
    if dpi < 200:
        factor = min(3.0, DPI / dpi)
        gray = gray.resize((round(gray.width * factor), round(gray.height * factor)), Image.LANCZOS)
        dpi *= factor
    return gray, dpi
