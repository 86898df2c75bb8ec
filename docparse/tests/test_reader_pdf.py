"""The PDF reader on real PDFs: seeds written as DOCX by the fixture builders and
printed to PDF by LibreOffice, plus broken and hostile files."""
from __future__ import annotations

import io
import os

import pytest

from docparse import read_document
from docparse.errors import CorruptFile, EmptyDocument, MissingTool, TooLarge
from docparse.model import Paragraph, Table
from docparse.readers import pdf
from docparse.tests.builders import build_numbered_docx, build_table_docx
from docparse.tests.conftest import gold, seed
from docparse.tests.pdf_builders import docx_to_pdf, seed_docx

SEED_000 = "000_29852cda548e02be"


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="session")
def plan_000(pdf_dir):
    """Seed 000 with Word numbering and the "Số: | date" header table, as PDF."""
    docx = build_numbered_docx(seed("000"), pdf_dir / "numbered_000.docx")
    return pdf.read(docx_to_pdf(docx, pdf_dir).read_bytes(), "000.pdf")


@pytest.fixture(scope="session")
def letter_001_pdf(pdf_dir):
    """Seed 001 (an official letter with a full header and real footnotes), as PDF."""
    docx = build_numbered_docx(seed("001"), pdf_dir / "numbered_001.docx")
    return docx_to_pdf(docx, pdf_dir)


@pytest.fixture(scope="session")
def letter_001(letter_001_pdf):
    return pdf.read(letter_001_pdf.read_bytes(), "001.pdf")


@pytest.fixture(scope="session")
def table_000(pdf_dir):
    """Seed 000's gold activities as a ruled table over several pages, with merged cells."""
    docx = build_table_docx(seed("000"), gold(SEED_000), pdf_dir / "table_000.docx")
    return pdf.read(docx_to_pdf(docx, pdf_dir).read_bytes(), "table_000.pdf")


@pytest.fixture(scope="session")
def signed_000(pdf_dir):
    """Seed 000 with its "Nơi nhận:" | "TM. ỦY BAN NHÂN DÂN" block as a borderless table
    (builders.py writes that block as paragraphs)."""
    docx = seed_docx(seed("000"), pdf_dir / "signed_000.docx")
    return pdf.read(docx_to_pdf(docx, pdf_dir).read_bytes(), "signed_000.pdf")


def paragraphs(doc) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


# --- layout -----------------------------------------------------------------------------


@pytest.mark.slow
def test_header_is_a_two_column_table(letter_001):
    first = letter_001.blocks[0]
    assert isinstance(first, Table)
    assert all(len(row) == 2 for row in first.rows)
    issuer, motto = first.rows[0]
    assert issuer.splitlines() == ["UBND TỈNH ĐẮK NÔNG", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"]
    assert motto.splitlines() == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert first.rows[1] == ["Số: /STTTT-TTBCXB", "Đắk Nông, ngày tháng 12 năm 2023"]


@pytest.mark.slow
def test_header_with_number_and_date_only(plan_000):
    first = plan_000.blocks[0]
    assert isinstance(first, Table)
    assert first.rows[0][1] == "Đắk Nông, ngày 16 tháng 8 năm 2023"
    assert first.rows[0][0].replace(" ", "") == "Số:529/KH-UBND"
    assert paragraphs(plan_000)[:2] == [
        "KẾ HOẠCH",
        "Thông tin, tuyên truyền kỷ niệm 20 năm Ngày tái lập tỉnh Đắk Nông (01/01/2004-01/01/2024)",
    ]


@pytest.mark.slow
def test_reading_order_follows_the_sections(plan_000):
    text = plan_000.text
    heads = ["I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG, THỜI GIAN", "III. CÁC HOẠT ĐỘNG",
             "IV. KINH PHÍ THỰC HIỆN", "V. TỔ CHỨC THỰC HIỆN"]
    positions = [text.index(h) for h in heads]
    assert positions == sorted(positions)


@pytest.mark.slow
def test_numbered_lines_start_paragraphs_and_wraps_are_joined(plan_000):
    paras = paragraphs(plan_000)
    assert ("1.1. Xây dựng đề cương tuyên truyền, triển khai định hướng nội dung, công tác "
            "tuyên truyền Kỷ niệm 20 năm Ngày tái lập tỉnh") in paras
    assert any(p.startswith("1.2. Hướng dẫn, theo dõi") and p.endswith("về các sự kiện") for p in paras)
    assert "- Đơn vị thực hiện: Đề nghị Ban Tuyên giáo Tỉnh ủy." in paras
    assert "- Thời gian hoàn thành: Trước ngày 15/12/2023." in paras
    # "Ủy ban nhân dân các huyện, thành phố / Gia Nghĩa" wraps in the seed and in the PDF
    assert not any(p.startswith("Gia Nghĩa") for p in paras)


@pytest.mark.slow
def test_spans_index_document_text(plan_000, letter_001, table_000):
    for doc in (plan_000, letter_001, table_000):
        lines = doc.text.split("\n")
        assert doc.format == "pdf"
        for block in doc.blocks:
            first, last = block.span
            if isinstance(block, Paragraph):
                assert first == last and lines[first - 1] == block.text
            else:
                assert last - first + 1 == len(block.rows)
                assert lines[first - 1] == " | ".join(c.replace("\n", " ") for c in block.rows[0])


@pytest.mark.slow
def test_word_bullets_and_bold(letter_001, plan_000):
    assert "• Các sở, ban, ngành, đoàn thể;" in paragraphs(letter_001)
    bold = {b.text for b in plan_000.blocks if isinstance(b, Paragraph) and b.bold}
    assert "I. MỤC ĐÍCH, YÊU CẦU" in bold
    assert "- Đơn vị thực hiện: Đề nghị Ban Tuyên giáo Tỉnh ủy." not in bold


@pytest.mark.slow
def test_footnotes_leave_the_running_text(letter_001):
    notes = letter_001.footnotes
    assert set(notes) == {"1", "2", "3"}
    assert "daknong.gov.vn/dak-nong-20-nam-xay-dung-va-phat-trien" in notes["1"]
    assert "Chuyên mục trên Báo Đắk Nông" in notes["1"]
    assert notes["2"].startswith("Tới nay, có 07 đơn vị") and notes["2"].endswith("UBND huyện Cư Jút.")
    assert not any("Tới nay, có 07" in p for p in paragraphs(letter_001))
    # the body paragraph interrupted by the footnotes on page 2 reads on
    assert any(p.startswith("- Chỉ đạo quản trị các kênh") and p.endswith("Đắk Nông.") for p in paragraphs(letter_001))


@pytest.mark.slow
def test_signature_block_is_a_two_column_table(signed_000):
    last = signed_000.blocks[-1]
    assert isinstance(last, Table) and len(last.rows) == 1
    recipients, signer = last.rows[0]
    assert recipients.splitlines()[:2] == ["Nơi nhận:", "- Thường trực Tỉnh ủy;"]
    assert "- Lưu: VT, HCQT, KGVX (H)." in recipients.splitlines()
    assert signer.splitlines()[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


# --- ruled tables ---------------------------------------------------------------------------


@pytest.mark.slow
def test_ruled_table_cells_survive(table_000):
    (grid,) = tables(table_000)[1:]  # [0] is the header
    assert grid.rows[0] == ["STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện"]
    row = next(r for r in grid.rows if r[1].startswith("Xây dựng đề cương tuyên truyền"))
    assert row[0] == "1" and row[2] == "Ban Tuyên giáo Tỉnh ủy"
    assert row[3].startswith("Sở Thông tin và Truyền thông; Ban Tuyên giáo các huyện ủy")


@pytest.mark.slow
def test_table_over_page_breaks_is_one_table(table_000):
    (grid,) = tables(table_000)[1:]
    activities = gold(SEED_000)["activities"]
    group_rows = [r for r in grid.rows if len(set(r)) == 1]  # "III" spread over the row
    assert [r[0] for r in group_rows] == ["III", "IV", "V"]
    assert len(grid.rows) == 1 + len(group_rows) + len(activities)
    titles = [r[1] for r in grid.rows]
    assert titles.index(activities[0]["title"]) < titles.index(activities[-1]["title"])


@pytest.mark.slow
def test_merged_cells_repeat_their_text(table_000):
    (grid,) = tables(table_000)[1:]
    continued = [(r, c) for r, row in enumerate(grid.vmerged) for c, v in enumerate(row) if v]
    assert continued
    for r, c in continued:
        assert grid.rows[r][c] == grid.rows[r - 1][c] != ""
    assert not any(grid.vmerged[0])


# --- hostile and broken files -------------------------------------------------------------


def _tiny_pdf(objects: list[bytes]) -> bytes:
    """A well-formed PDF from object bodies 1..n (1 is the catalog), xref included."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_random_bytes_named_pdf_are_corrupt():
    data = bytes((i * 7919 + 13) % 256 for i in range(4096))
    with pytest.raises(CorruptFile) as err:
        pdf.read(data, "upload.pdf")
    assert "\n" not in str(err.value)
    with pytest.raises(CorruptFile):
        read_document(b"%PDF-1.7\n" + data, "upload.pdf")


@pytest.mark.slow
def test_truncated_pdf_is_corrupt_or_flagged(letter_001_pdf):
    data = letter_001_pdf.read_bytes()
    try:
        doc = pdf.read(data[: len(data) // 2], "cut.pdf")
    except (CorruptFile, EmptyDocument):
        return
    assert any("cắt cụt" in w for w in doc.warnings)


def test_zero_page_pdf_is_empty():
    data = _tiny_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    with pytest.raises(EmptyDocument):
        pdf.read(data, "empty.pdf")


def test_blank_page_without_images_is_empty():
    data = _tiny_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ])
    with pytest.raises(EmptyDocument):
        pdf.read(data, "blank.pdf")


def test_scan_without_tesseract_names_the_packages(tmp_path, monkeypatch):
    from PIL import Image, ImageDraw

    page = Image.new("L", (850, 1100), 255)
    ImageDraw.Draw(page).rectangle((100, 100, 700, 140), fill=0)
    buf = io.BytesIO()
    page.save(buf, "PDF", resolution=100)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(MissingTool) as err:
        pdf.read(buf.getvalue(), "scan.pdf")
    assert "apt-get install --no-install-recommends tesseract-ocr tesseract-ocr-vie" in str(err.value)


@pytest.mark.slow
def test_page_limit(letter_001_pdf, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGES", 1)
    with pytest.raises(TooLarge):
        pdf.read(letter_001_pdf.read_bytes(), "long.pdf")


def test_registry_routes_pdf_by_content():
    # no extension: the reader table sniffs %PDF- and still reports a broken file clearly
    with pytest.raises(CorruptFile):
        read_document(b"%PDF-1.4\n" + os.urandom(0) + b"garbage" * 100, "upload")
