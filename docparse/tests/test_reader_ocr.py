"""OCR of scans: seed 001 printed to PDF, rendered at 200 dpi, tilted 0.8° and
speckled, then read back through Tesseract (PDF without a text layer, PNG, TIFF)."""
from __future__ import annotations

import re

import pytest

from docparse import read_document
from docparse.errors import CorruptFile, MissingTool
from docparse.model import Paragraph, Table
from docparse.readers import ocr, pdf
from docparse.tests.builders import build_numbered_docx
from docparse.tests.conftest import seed
from docparse.tests.pdf_builders import docx_to_pdf, scan_images, scan_pdf


@pytest.fixture(scope="session")
def letter_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("ocr")
    return docx_to_pdf(build_numbered_docx(seed("001"), out / "letter_001.docx"), out)


@pytest.fixture(scope="session")
def scanned_letter(letter_pdf):
    """The first two pages of seed 001 as an image-only PDF, OCR'd once per session."""
    scan = scan_pdf(letter_pdf, letter_pdf.with_name("scan_001.pdf"), pages=2)
    return pdf.read(scan.read_bytes(), "scan_001.pdf")


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_scanned_pdf_is_ocrd_with_confidence(scanned_letter):
    assert [p.page for p in scanned_letter.ocr_pages] == [1, 2]
    assert all(p.confidence > 60 for p in scanned_letter.ocr_pages)
    assert scanned_letter.format == "pdf"


@pytest.mark.slow
def test_scan_keeps_vietnamese_diacritics(scanned_letter):
    text = _flat(scanned_letter.text)
    for phrase in ("Sở Thông tin và Truyền thông", "Đắk Nông", "Kỷ niệm 20 năm Ngày tái lập tỉnh",
                   "Ban Tuyên giáo Tỉnh ủy", "Đài PT-TH Đắk Nông"):
        assert phrase in text


@pytest.mark.slow
def test_scan_header_is_a_two_column_table(scanned_letter):
    first = scanned_letter.blocks[0]
    assert isinstance(first, Table) and len(first.rows[0]) == 2
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first.rows[0][1]
    assert "UBND TỈNH ĐẮK NÔNG" in first.rows[0][0]


@pytest.mark.slow
def test_scan_paragraphs_start_at_numbers(scanned_letter):
    paras = [b.text for b in scanned_letter.blocks if isinstance(b, Paragraph)]
    # one wrapped numbered paragraph, whatever OCR makes of a diacritic or two inside it
    assert any(p.startswith("2. Báo") and "Tạp chí" in p and p.endswith("15/01/2024.") for p in paras)
    assert any(p.startswith("3. Các cơ quan, đơn vị, địa phương") for p in paras)


@pytest.mark.slow
def test_png_input(letter_pdf, tmp_path):
    png = scan_images(letter_pdf, tmp_path / "header.png", crop=0.3)
    doc = read_document(png)
    assert doc.format == "image" and len(doc.ocr_pages) == 1 and doc.ocr_pages[0].confidence > 60
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in _flat(doc.text)
    assert re.search(r"Số:\s*/STTTT-TTBCXB", _flat(doc.text))


@pytest.mark.slow
def test_multipage_tiff(letter_pdf, tmp_path):
    tif = scan_images(letter_pdf, tmp_path / "two.tif", pages=2, crop=0.15, noise=0.01)
    doc = read_document(tif)
    assert [p.page for p in doc.ocr_pages] == [1, 2]
    assert "UBND TỈNH ĐẮK NÔNG" in doc.text  # page 1's header
    assert "Ban Tuyên giáo Tỉnh ủy" in doc.text  # the top of page 2


def test_image_without_tesseract_names_the_packages(tmp_path, monkeypatch):
    from PIL import Image

    png = tmp_path / "page.png"
    Image.new("L", (400, 300), 255).save(png)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(MissingTool) as err:
        read_document(png)
    assert "tesseract-ocr-vie" in str(err.value)


def test_random_bytes_named_png_are_corrupt():
    with pytest.raises(CorruptFile):
        ocr.read(bytes(range(256)) * 8, "photo.png")


def test_parse_tsv_drops_specks_and_keeps_lines():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "5\t1\t1\t1\t1\t1\t100\t100\t60\t40\t95\tĐắk",
        "5\t1\t1\t1\t1\t2\t170\t100\t80\t40\t94\tNông",
        "5\t1\t1\t1\t1\t3\t400\t120\t3\t3\t20\t.",  # a speck
        "5\t1\t1\t1\t2\t1\t100\t160\t20\t8\t90\t~",  # a list dash read as a tilde
        "5\t1\t1\t1\t2\t2\t130\t150\t90\t40\t91\tÐoàn",  # Icelandic eth for Đ
        "5\t1\t2\t1\t1\t1\t900\t900\t4\t4\t80\t:",  # a line of specks only
    ]
    lines, conf = ocr.parse_tsv("\n".join([header] + rows), 72 / 300)
    assert [l.text for l in lines] == ["Đắk Nông", "- Đoàn"]
    assert 80 < conf < 95


@pytest.mark.slow
def test_scanned_table_is_read_cell_by_cell(tmp_path_factory):
    """A ruled activity table in a scan: the grid comes from the image, each OCR word
    goes to its cell, and the rows become activities with their lead units."""
    import json

    from docparse import parse
    from docparse.tests.builders import build_table_docx
    from docparse.tests.conftest import GOLD

    out = tmp_path_factory.mktemp("ocr_table")
    stem = seed("000").stem
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    source = docx_to_pdf(build_table_docx(seed("000"), gold, out / "table_000.docx"), out)
    scan = scan_pdf(source, out / "scan_table_000.pdf", pages=1)
    doc = read_document(scan)
    tables = [b for b in doc.blocks if isinstance(b, Table) and len(b.rows[0]) >= 4]
    assert tables, doc.text[:500]
    header = [c.replace(" ", "").lower() for c in tables[0].rows[0]]
    assert header[0] == "stt" and "nộidung" in header[1] and "chủtrì" in header[2]
    plan = parse(scan)
    first = plan.activities[0]
    assert first.ref.startswith("PL.") and first.title.startswith("Xây dựng đề cương")
    assert any("Tuyên giáo" in unit for unit in first.lead)
