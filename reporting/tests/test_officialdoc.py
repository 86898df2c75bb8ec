"""planwatch.lib.officialdoc: the Nghị định 30/2020 layout, read back with python-docx,
and (slow) converted to PDF by LibreOffice, rendered and read by Tesseract, where the
Vietnamese text must come out right."""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import unicodedata

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from planwatch.lib import qr
from planwatch.lib.officialdoc import (
    ConversionError, OfficialDocument, Signer, date_words, to_pdf, xml_safe,
)

SIGNER = Signer("KT. GIÁM ĐỐC", "Phó Giám đốc", "Hoàng Mạnh Thắng")
RECIPIENTS = ["UBND tỉnh (b/c);", "- Ban Giám đốc", "Lưu: VT, TTBCXB."]


def report(**kw) -> OfficialDocument:
    args = dict(parent_body="UBND tỉnh Đắk Nông", issuer="Sở Thông tin và Truyền thông", number="Số: 15/BC-STTTT",
                place="Đắk Nông", date=dt.date(2024, 4, 5), title="Báo cáo",
                subject="Kết quả tuyên truyền Kỷ niệm 20 năm Ngày tái lập tỉnh Đắk Nông")
    args.update(kw)
    doc = OfficialDocument(**args)
    doc.heading("I. TÌNH HÌNH GỬI BÁO CÁO")
    doc.paragraph("Thực hiện Kế hoạch số 529/KH-UBND ngày 16/8/2023 của UBND tỉnh, Sở Thông tin và Truyền thông "
                  "báo cáo như sau:")
    doc.table(["STT", "Cơ quan, đơn vị", "Kết quả"], [[1, "UBND huyện Đắk R'Lấp", "12"], [2, "Sở Xây dựng", None]],
              widths_mm=[12, 113, 40], align=["center", "left", "right"], bold_rows=[1])
    doc.image(qr.qr_png("https://example.vn/f/abc/"), width_mm=30)
    doc.close(signer=SIGNER, recipients=RECIPIENTS)
    return doc


def reopen(doc: OfficialDocument):
    return Document(io.BytesIO(doc.to_bytes()))


def texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text]


def test_page_is_a4_with_decree_margins():
    s = reopen(report()).sections[0]
    mm = [round(x.mm, 1) for x in (s.page_width, s.page_height, s.top_margin, s.bottom_margin, s.left_margin,
                                   s.right_margin)]  # stored in twips: 210 mm reads back as 210.0009
    assert mm == [210, 297, 20, 20, 30, 15]


def test_times_new_roman_everywhere():
    d = reopen(report())
    normal = d.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Times New Roman"}
    runs = [r for p in d.paragraphs for r in p.runs] + [
        r for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
    ]
    assert runs and all(r.font.name in (None, "Times New Roman") for r in runs)
    body = [r for p in d.paragraphs for r in p.runs if r.text]
    assert all(Pt(13) <= (r.font.size or Pt(14)) <= Pt(14) for r in body)


def test_header_two_columns_without_borders():
    d = reopen(report())
    header = d.tables[0]
    left, right = header.rows[0].cells
    assert texts(left) == ["UBND TỈNH ĐẮK NÔNG", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "Số: 15/BC-STTTT"]
    parent, issuer = [p for p in left.paragraphs if p.text][:2]
    assert not parent.runs[0].bold and issuer.runs[0].bold
    assert texts(right) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                            "Đắk Nông, ngày 05 tháng 4 năm 2024"]
    national, motto, date = [p for p in right.paragraphs if p.text]
    assert national.runs[0].bold and motto.runs[0].bold and date.runs[0].italic
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in (parent, issuer, national, motto, date))
    # Short rules: one bordered empty paragraph under the issuer, one under the motto.
    for cell in (left, right):
        rules = [p for p in cell.paragraphs if not p.text and p._p.pPr.find(qn("w:pBdr")) is not None]
        assert len(rules) == 1
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_title_and_subject_bold_centred():
    d = reopen(report())
    paragraphs = [p for p in d.paragraphs if p.text]
    title, subject = paragraphs[0], paragraphs[1]
    assert title.text == "BÁO CÁO" and subject.text.startswith("Kết quả tuyên truyền")
    for p in (title, subject):
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER and p.runs[0].bold


def test_body_table_and_image():
    d = reopen(report())
    table = d.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["STT", "Cơ quan, đơn vị", "Kết quả"]
    assert [[c.text for c in r.cells] for r in table.rows[1:]] == [["1", "UBND huyện Đắk R'Lấp", "12"],
                                                                  ["2", "Sở Xây dựng", ""]]
    assert table.rows[2].cells[1].paragraphs[0].runs[0].bold  # bold_rows=[1]
    assert not table.rows[1].cells[1].paragraphs[0].runs[0].bold
    assert len(d.inline_shapes) == 1


def test_signature_and_recipients():
    d = reopen(report())
    sign = d.tables[-1]
    left, right = sign.rows[0].cells
    assert texts(right) == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Hoàng Mạnh Thắng"]
    assert all(p.runs[0].bold for p in right.paragraphs if p.text)
    lines = [p for p in left.paragraphs if p.text]
    assert lines[0].text == "Nơi nhận:"
    assert lines[0].runs[0].bold and lines[0].runs[0].italic and lines[0].runs[0].font.size == Pt(12)
    assert [p.text for p in lines[1:]] == ["- UBND tỉnh (b/c);", "- Ban Giám đốc;", "- Lưu: VT, TTBCXB."]
    assert all(p.runs[0].font.size == Pt(11) for p in lines[1:])


def test_congvan_puts_subject_under_number_and_addressees():
    doc = OfficialDocument(issuer="Sở Thông tin và Truyền thông", number="Số:      /STTTT-TTBCXB", place="Đắk Nông",
                           date=None, year=2024, subject="V/v đôn đốc báo cáo kết quả tuyên truyền",
                           subject_under_number=True)
    doc.addressees(["Sở Xây dựng", "UBND huyện Đắk Mil"])
    doc.close(signer=Signer(position="Giám đốc"), recipients=[])
    d = reopen(doc)
    left, right = d.tables[0].rows[0].cells
    assert texts(left)[-1] == "V/v đôn đốc báo cáo kết quả tuyên truyền"
    assert texts(right)[-1] == "Đắk Nông, ngày      tháng      năm 2024"
    body = [p.text for p in d.paragraphs if p.text]
    assert body[:3] == ["Kính gửi:", "- Sở Xây dựng;", "- UBND huyện Đắk Mil."]
    assert "BÁO CÁO" not in body


@pytest.mark.parametrize("day, expected", [
    (dt.date(2024, 1, 5), "Đắk Nông, ngày 05 tháng 01 năm 2024"),
    (dt.date(2024, 2, 29), "Đắk Nông, ngày 29 tháng 02 năm 2024"),
    (dt.date(2023, 12, 15), "Đắk Nông, ngày 15 tháng 12 năm 2023"),
])
def test_date_words(day, expected):
    assert date_words("Đắk Nông", day) == expected


def test_hostile_text_is_made_xml_safe():
    nasty = "Sở\x00 Xây\x07 dựng\x1b\ufffe\ud800"
    assert xml_safe(nasty) == "Sở Xây dựng"
    assert xml_safe("tab\tand\nline") == "tab\tand\nline"
    doc = OfficialDocument(issuer=nasty, number="Số: 1/BC", place=nasty, date=None, title="Báo cáo", subject=nasty)
    doc.paragraph(nasty)
    doc.table(["Tên\x0b"], [[nasty], ["Đ" * 5000]])
    doc.close(signer=Signer(nasty, nasty, nasty), recipients=[nasty])
    d = reopen(doc)
    assert [c.text for c in d.tables[1].columns[0].cells] == ["Tên", "Sở Xây dựng", "Đ" * 5000]


def test_a_large_table_is_complete():
    doc = OfficialDocument(issuer="Sở Thông tin và Truyền thông", number="Số: 1/BC", place="Đắk Nông", date=None)
    doc.table(["STT", "Đơn vị", "Trạng thái"], ([i, f"UBND xã số {i}", "Đã gửi"] for i in range(1, 3001)))
    table = reopen(doc).tables[1]
    assert len(table.rows) == 3001
    assert [c.text for c in table.rows[3000].cells] == ["3000", "UBND xã số 3000", "Đã gửi"]


def test_pdf_conversion_says_when_libreoffice_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConversionError, match="not installed"):
        to_pdf(report().to_bytes())


# --- LibreOffice, poppler and Tesseract ------------------------------------------------


def ocr_first_page(pdf: bytes, tmp_path, *, top: float = 0.45) -> str:
    """Page 1 of `pdf` rendered at 300 dpi (its top part only: quicker) and read by
    Tesseract in Vietnamese; NFC, one space between words."""
    from PIL import Image

    for tool in ("pdftoppm", "tesseract"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: apt-get install poppler-utils tesseract-ocr-vie")
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-png", "-singlefile", str(tmp_path / "doc.pdf"),
                    str(tmp_path / "page")], check=True, timeout=120)
    page = Image.open(tmp_path / "page.png")
    page.crop((0, 0, page.width, int(page.height * top))).save(tmp_path / "top.png")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # two xdist workers share two cores
    out = subprocess.run(["tesseract", str(tmp_path / "top.png"), "-", "-l", "vie"], capture_output=True,
                         check=True, timeout=300, env=env)
    return " ".join(unicodedata.normalize("NFC", out.stdout.decode()).split())


@pytest.mark.slow
def test_vietnamese_text_comes_out_right_in_the_pdf(tmp_path):
    pdf = to_pdf(report().to_bytes())
    assert pdf.startswith(b"%PDF")
    text = ocr_first_page(pdf, tmp_path)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH ĐẮK NÔNG",
                     "BÁO CÁO", "Kết quả tuyên truyền Kỷ niệm 20 năm Ngày tái lập tỉnh Đắk Nông",
                     "Đắk Nông, ngày 05 tháng 4 năm 2024", "Số: 15/BC-STTTT", "TÌNH HÌNH GỬI BÁO CÁO"):
        assert expected in text, f"{expected!r} not in OCR text: {text[:600]}"
