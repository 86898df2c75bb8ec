"""DOCX reader: seeds rebuilt as real Word files (automatic numbering, header table,
footnotes, activity tables), small hand-written packages for single WordprocessingML
rules, and hostile files (broken zips, zip bombs, entity expansion)."""
from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

import docx as python_docx
import pytest

import docparse
from docparse.errors import CorruptFile, EmptyDocument, ParseError, TooLarge
from docparse.model import Paragraph, Table
from docparse.readers import docx as reader
from docparse.tests.builders import build_numbered_docx, build_table_docx, time_text
from docparse.tests.conftest import gold, seed_paths

SEEDS = {path.stem[:3]: path for path in seed_paths()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each seed as a numbered DOCX, read back: {"000": Document, …}."""
    out = tmp_path_factory.mktemp("numbered")
    docs = {}
    for prefix, path in SEEDS.items():
        target = build_numbered_docx(path, out / f"{path.stem}.docx")
        docs[prefix] = reader.read(target.read_bytes(), target.name)
    return docs


def para(doc, start: str) -> Paragraph:
    """The paragraph whose text starts with `start`."""
    found = [b for b in doc.blocks if isinstance(b, Paragraph) and b.text.startswith(start)]
    assert found, f"no paragraph starts with {start!r}"
    return found[0]


def tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


# ---------------------------------------------------------------------------
# Automatic numbering on the seeds


def test_multilevel_labels_under_roman_sections_seed_000(built):
    doc = built["000"]
    assert para(doc, "CÁC HOẠT ĐỘNG THÔNG TIN, TUYÊN TRUYỀN CỤ THỂ").label == "III."
    assert para(doc, "Công tác định hướng, cung cấp thông tin").label == "1."
    assert para(doc, "Xây dựng đề cương tuyên truyền").label == "1.1."
    assert para(doc, "Cung cấp thông tin về chuỗi các hoạt động").label == "1.4."
    # "2." advances the first level and restarts the second: 2.1 … 2.10.
    assert para(doc, "Triển khai công tác thông tin, truyền thông").label == "2."
    assert para(doc, "Xây dựng chuyên trang, chuyên mục").label == "2.1."
    item = para(doc, "Tuyên truyền trên Trang thông tin điện tử, bản tin")
    assert item.label == "2.10." and not item.text[0].isdigit()
    # A new w:num with a startOverride restarts the shared counters in section IV.
    assert para(doc, "KINH PHÍ THỰC HIỆN").label == "IV."
    assert para(doc, "Từ nguồn ngân sách Nhà nước").label == "1."
    assert para(doc, "Việc quản lý, sử dụng và thanh").label == "3."


def test_labels_are_in_the_text_view_not_in_paragraph_text(built):
    doc = built["000"]
    item = para(doc, "Xây dựng đề cương tuyên truyền")
    assert doc.text.splitlines()[item.span[0] - 1] == "1.1. " + item.text


def test_vietnamese_letters_seed_004(built):
    doc = built["004"]
    # a)–d) under "6." are Word lowerLetter numbering …
    assert para(doc, "Thực hiện chuyên mục về phổ biến kiến thức").label == "a)"
    assert para(doc, "Thực hiện hoạt động hỗ trợ phát triển truyền thông").label == "d)"
    assert para(doc, "Tuyên truyền về phòng, chống rác thải nhựa").label == "b)"
    # … but the list under "5." reaches "đ)", which Word cannot draw: typed letters stay.
    typed = para(doc, "đ) Cung cấp thông tin thông qua giao ban")
    assert typed.label is None
    assert para(doc, "a) Hợp tác truyền thông với các cơ quan báo chí").label is None


def test_repeated_number_stays_typed_seed_001(built):
    doc = built["001"]
    assert para(doc, "Các cơ quan, đơn vị, địa phương:").label == "3."
    repeated = para(doc, "3. Đề nghị UBND các huyện, thành phố")
    assert repeated.label is None
    assert para(doc, "Thực hiện báo cáo kết quả tuyên truyền").label == "4."


def test_bullets_dash_plus_and_symbol_font(built, tmp_path):
    doc = built["000"]
    assert para(doc, "Nhiệm vụ thực hiện cụ thể:").label == "-"
    assert para(doc, "Các Trang thông tin điện tử (của cơ quan cấp tỉnh").label == "+"
    # "Kính gửi" lists use Word's Symbol-font bullet U+F0B7, which reads as "-".
    path = build_numbered_docx(SEEDS["001"], tmp_path / "001.docx")
    with zipfile.ZipFile(path) as zf:
        assert "\uf0b7" in zf.read("word/numbering.xml").decode()
    assert para(built["001"], "Các cơ quan tham mưu, giúp việc Tỉnh ủy;").label == "-"


def _seed_numbered_lines(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        plain = re.sub(r"^#+\s*", "", line).replace("*", "").replace("<", "").replace(">", "").strip()
        if re.match(r"^(?:[IVX]+\.|\d+\.(?:\d+\.?)?|[a-zđ]\))\s", plain):
            lines.append(plain)
    return lines


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_every_typed_number_reads_back(built, prefix):
    """Whether Word numbers an item or it stays typed, a reader sees the seed's number."""
    doc = built[prefix]
    shown = doc.text.splitlines()
    expected = _seed_numbered_lines(SEEDS[prefix])
    assert expected
    for line in expected:
        assert any(s.startswith(line[:60]) for s in shown), line
    labels = [b.label for b in doc.blocks if isinstance(b, Paragraph) and b.label not in (None, "-", "+")]
    assert len(labels) >= len(expected) - 7  # only the "đ" list and seed 001's repeat stay typed


# ---------------------------------------------------------------------------
# Header table, footnotes, soft breaks, bold, headings, spans


def test_header_table_seed_001(built):
    doc = built["001"]
    header = doc.blocks[0]
    assert isinstance(header, Table)
    assert header.rows == [
        ["UBND TỈNH ĐẮK NÔNG\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"],
        ["Số: /STTTT-TTBCXB", "Đắk Nông, ngày tháng 12 năm 2023"],
    ]
    assert header.span == (1, 2)
    assert doc.text.splitlines()[0] == (
        "UBND TỈNH ĐẮK NÔNG / SỞ THÔNG TIN VÀ TRUYỀN THÔNG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc"
    )


def test_footnotes_seed_001(built):
    doc = built["001"]
    assert list(doc.footnotes) == ["1", "2", "3"]  # Word's separator notes (-1, 0) are skipped
    assert doc.footnotes["1"] == (
        "Chuyên mục trên Cổng TTĐT tỉnh: https://daknong.gov.vn/dak-nong-20-nam-xay-dung-va-phat-trien\n"
        "Chuyên mục trên Báo Đắk Nông: https://baodaknong.vn/ky-niem-20-nam-ngay-tai-lap-tinh-dak-nong-event435.html"
    )
    assert doc.footnotes["3"] == "QR Code nhập liệu báo cáo:"
    assert "Báo Đắk Nông xây dựng¹; (2)" in doc.text
    assert "thay ảnh bìa/ ảnh đại diện²(tham khảo" in doc.text
    # The footnotes sat in the middle of a paragraph cut by a page break; it reads whole.
    assert "Ngoài việc nhập liệu theo đường link nêu trên" in doc.text


def test_footnotes_seed_004(built):
    doc = built["004"]
    assert list(doc.footnotes) == [str(n) for n in range(1, 8)]
    assert doc.footnotes["4"] == "Quy định chi tiết một số điều và biện pháp thi hành luật đấu thầu về lựa chọn nhà thầu."
    assert "Hoạt động truyền thông trên hệ thống thông tin cơ sở⁵" in doc.text


def test_soft_breaks_become_lines(built):
    doc = built["001"]
    subject = para(doc, "V/v tổ chức đợt cao điểm")
    assert subject.text == (
        "V/v tổ chức đợt cao điểm tuyên truyền\nKỷ niệm 20 năm Ngày tái lập tỉnh Đắk Nông\n(01/01/2004 - 01/01/2024)"
    )
    assert subject.span[1] - subject.span[0] == 2
    signer = para(doc, "KT. GIÁM ĐỐC")
    assert signer.text == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" and signer.bold


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_spans_index_the_text(built, prefix):
    doc = built[prefix]
    lines = doc.text.splitlines()
    expected_next = 1
    for block in doc.blocks:
        first, last = block.span
        assert first == expected_next  # blocks tile the text, in order
        shown = lines[first - 1:last]
        if isinstance(block, Paragraph):
            body = f"{block.label} {block.text}" if block.label else block.text
            assert "\n".join(shown) == body
        else:
            assert shown == [" | ".join(c.replace("\n", " / ") for c in row) for row in block.rows]
        expected_next = last + 1
    assert expected_next == len(lines) + 1
    assert doc.format == "docx"


def test_bold_and_headings(built):
    doc = built["000"]
    section = para(doc, "CÁC HOẠT ĐỘNG THÔNG TIN, TUYÊN TRUYỀN CỤ THỂ")
    assert section.heading == 2 and section.bold
    assert para(doc, "Mục đích").heading == 5
    body = para(doc, "Triển khai các hoạt động Kỷ niệm 20 năm")
    assert body.heading is None and not body.bold
    # Bold only in part of the paragraph ("**trước ngày 10/4/2024**") is not a bold paragraph.
    assert not para(built["001"], "Thời gian hoàn thành nhập liệu báo cáo").bold


def test_hyperlink_text_is_read(built, tmp_path):
    path = build_numbered_docx(SEEDS["001"], tmp_path / "001.docx")
    with zipfile.ZipFile(path) as zf:
        assert "<w:hyperlink" in zf.read("word/document.xml").decode()
    assert "Truy cập đường link https://bit.ly/tuyentruyen20namNgaytailaptinhDakNong hoặc" in built["001"].text


def test_read_document_picks_the_docx_reader(tmp_path):
    path = build_numbered_docx(SEEDS["002"], tmp_path / "plan.docx")
    doc = docparse.read_document(path)
    assert doc.format == "docx"
    assert para(doc, "Phòng Văn hóa – Thông tin các huyện, thành phố").label == "3."


# ---------------------------------------------------------------------------
# The activity table


@pytest.fixture(scope="module")
def table_000(tmp_path_factory):
    stem = SEEDS["000"].stem
    path = build_table_docx(SEEDS["000"], gold(stem), tmp_path_factory.mktemp("table") / "000.docx")
    return path, reader.read(path.read_bytes(), path.name)


def test_activity_table_grid_seed_000(table_000):
    _, doc = table_000
    header, table = tables(doc)
    assert header.rows == [["Số: 529/KH-UBND", "Đắk Nông, ngày 16 tháng 8 năm 2023"]]
    rows = table.rows
    assert rows[0] == ["STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện"]
    assert rows[1] == ["III"] * 5  # a full-width group row repeats its text in every slot
    assert rows[2][:3] == ["1", "Xây dựng đề cương tuyên truyền, triển khai định hướng nội dung, công tác tuyên truyền Kỷ niệm 20 năm Ngày tái lập tỉnh", "Ban Tuyên giáo Tỉnh ủy"]
    assert rows[2][3].startswith("Sở Thông tin và Truyền thông; Ban Tuyên giáo các huyện ủy")
    groups = [r[0] for r in rows if len(set(r)) == 1]
    assert groups == ["III", "IV", "V"]
    after_iv = rows[[r[0] for r in rows].index("IV") + 1]
    assert after_iv[0] == "1"  # STT restarts in each group
    assert all(len(r) == 5 for r in rows)


def test_activity_table_vertical_merge(table_000):
    _, doc = table_000
    table = tables(doc)[1]
    # III.1.2, 1.3 and 1.4 share their lead: one cell merged down three rows.
    assert [r[2] for r in table.rows[3:6]] == ["Sở Thông tin và Truyền thông"] * 3
    assert [m[2] for m in table.vmerged[3:6]] == [False, True, True]
    assert not any(m[1] for m in table.vmerged)


def test_activity_table_time_column(table_000):
    _, doc = table_000
    by_title = {r[1][:40]: r[4] for r in tables(doc)[1].rows}
    expected = {
        "Xây dựng đề cương tuyên truyền, triển kh": "Thường xuyên",
        "Hướng dẫn, theo dõi các cơ quan báo chí,": "Từ tháng 8/2023",
        "Tổ chức họp báo, cung cấp thông tin về c": "Tháng 3/2024",
        "Cung cấp thông tin về chuỗi các hoạt độn": "Từ tháng 9/2023 đến hết tháng 3/2024",
        "Thực hiện phóng sự “Đắk Nông 20 năm xây ": "Trước ngày 15/12/2023",
        "Biên soạn, xuất bản Kỷ yếu “Đắk Nông 20 ": "Hoàn thành trong tháng 12/2023",
        "Phát động hội viên, văn nghệ sĩ và đội n": "Quý III, IV/2023",
    }
    for title, text in expected.items():
        assert by_title[title] == text


def test_activity_table_header_row_is_bold(table_000):
    path, _ = table_000
    header_row = python_docx.Document(str(path)).tables[1].rows[0]
    assert all(run.bold for cell in header_row.cells for run in cell.paragraphs[0].runs)


@pytest.mark.parametrize(
    "start,end,deadline,text",
    [
        ("2023-09-01", "2023-09-30", None, "Tháng 9/2023"),
        ("2023-09-01", "2024-03-31", None, "Từ tháng 9/2023 đến hết tháng 3/2024"),
        ("2023-08-01", None, None, "Từ tháng 8/2023"),
        ("2026-01-01", "2026-12-31", None, "Năm 2026"),
        ("2023-07-01", "2023-12-31", None, "Quý III, IV/2023"),
        ("2025-10-01", "2026-06-30", None, "Quý IV/2025 - Quý II/2026"),
        ("2023-12-15", "2024-01-15", None, "Từ ngày 15/12/2023 đến ngày 15/1/2024"),
        (None, None, "2023-12-14", "Trước ngày 15/12/2023"),
        (None, None, "2023-12-31", "Hoàn thành trong tháng 12/2023"),
        (None, None, None, "Thường xuyên"),
    ],
)
def test_time_text_follows_the_gold_conventions(start, end, deadline, text):
    assert time_text(start, end, deadline) == text


def test_activity_table_without_sections_seed_001(tmp_path):
    stem = SEEDS["001"].stem
    path = build_table_docx(SEEDS["001"], gold(stem), tmp_path / "001.docx")
    doc = reader.read(path.read_bytes(), path.name)
    rows = tables(doc)[1].rows
    assert [r[0] for r in rows] == ["STT", "1", "2", "3", "4"]  # refs "2", "3", "3[2]", "4": no groups
    assert rows[4][4] == "Trước ngày 5/4/2024"


# ---------------------------------------------------------------------------
# Hand-written packages: one WordprocessingML rule each

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOC_NS = (W_NS + ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
          ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
          ' xmlns:v="urn:schemas-microsoft-com:vml"')


def package(path: Path, body: str, *, numbering: str = "", styles: str = "", footnotes: str = "") -> bytes:
    """A minimal DOCX with the given body XML (and optional parts); returns its bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                    "</Relationships>")
        zf.writestr("word/document.xml", f"<w:document {DOC_NS}><w:body>{body}</w:body></w:document>")
        for part, root, content in (("numbering", "numbering", numbering), ("styles", "styles", styles),
                                    ("footnotes", "footnotes", footnotes)):
            if content:
                zf.writestr(f"word/{part}.xml", f"<w:{root} {W_NS}>{content}</w:{root}>")
    return path.read_bytes()


def p(text: str = "", ppr: str = "", runs: str | None = None) -> str:
    """A w:p with paragraph properties `ppr` and either `runs` or one run of `text`."""
    if runs is None:
        runs = f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


def numpr(num: int, ilvl: int | None = None) -> str:
    level = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
    return f'<w:numPr>{level}<w:numId w:val="{num}"/></w:numPr>'


def lvl(ilvl: int, fmt: str, text: str, extra: str = "") -> str:
    return f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>{extra}</w:lvl>'


def labels(data: bytes) -> list[tuple[str | None, str]]:
    return [(b.label, b.text) for b in reader.read(data, "t.docx").blocks if isinstance(b, Paragraph)]


def test_numbering_inherited_from_style_through_based_on(tmp_path):
    styles = (
        '<w:style w:type="paragraph" w:styleId="Muc1"><w:name w:val="Muc 1"/><w:pPr>' + numpr(1) + "</w:pPr></w:style>"
        '<w:style w:type="paragraph" w:styleId="Muc2"><w:name w:val="Muc 2"/><w:basedOn w:val="Muc1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Muc3"><w:name w:val="Muc 3"/><w:basedOn w:val="Muc2"/>'
        '<w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>'
    )
    numbering = ('<w:abstractNum w:abstractNumId="0">' + lvl(0, "upperRoman", "%1.", '<w:pStyle w:val="Muc1"/>')
                 + lvl(1, "decimal", "%2.") + "</w:abstractNum>"
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')
    body = (p("MỤC ĐÍCH, YÊU CẦU", '<w:pStyle w:val="Muc1"/>')
            + p("NỘI DUNG, THỜI GIAN TUYÊN TRUYỀN", '<w:pStyle w:val="Muc2"/>')
            + p("Nội dung tuyên truyền", '<w:pStyle w:val="Muc2"/><w:numPr><w:ilvl w:val="1"/></w:numPr>')
            + p("Thời gian tuyên truyền", '<w:pStyle w:val="Muc2"/><w:numPr><w:ilvl w:val="1"/></w:numPr>')
            + p("Đã đánh số tay", '<w:pStyle w:val="Muc2"/>' + numpr(0)))
    assert labels(package(tmp_path / "s.docx", body, numbering=numbering, styles=styles)) == [
        ("I.", "MỤC ĐÍCH, YÊU CẦU"), ("II.", "NỘI DUNG, THỜI GIAN TUYÊN TRUYỀN"),
        ("1.", "Nội dung tuyên truyền"), ("2.", "Thời gian tuyên truyền"), (None, "Đã đánh số tay"),
    ]


def test_counters_shared_by_abstract_and_start_override(tmp_path):
    numbering = ('<w:abstractNum w:abstractNumId="0">' + lvl(0, "decimal", "%1.") + lvl(1, "decimal", "%1.%2.")
                 + "</w:abstractNum>"
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
                 '<w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>'
                 '<w:num w:numId="3"><w:abstractNumId w:val="0"/>'
                 '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>')
    body = (p("Sở Thông tin và Truyền thông", numpr(1, 0)) + p("Làm đầu mối tham mưu", numpr(1, 1))
            + p("Tổ chức triển khai", numpr(1, 1))
            + p("Các cơ quan báo chí của tỉnh", numpr(2, 0))  # another num, same list: continues
            + p("Chủ động triển khai", numpr(2, 1))  # restarted by the level above
            + p("Sở Văn hóa, Thể thao và Du lịch", numpr(3, 0))  # startOverride
            + p("Sở Tài chính", numpr(1, 0)))  # back on num 1: the shared count goes on
    assert [lab for lab, _ in labels(package(tmp_path / "c.docx", body, numbering=numbering))] == [
        "1.", "1.1.", "1.2.", "2.", "2.1.", "5.", "6.",
    ]


def test_lvl_restart_legal_numbering_and_level_override(tmp_path):
    numbering = ('<w:abstractNum w:abstractNumId="0">' + lvl(0, "upperRoman", "%1.")
                 + lvl(1, "decimal", "%1.%2.", '<w:lvlRestart w:val="0"/><w:isLgl/>')
                 + lvl(2, "lowerLetter", "%3)") + "</w:abstractNum>"
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
                 '<w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="2">'
                 + lvl(2, "upperLetter", "%3.") + "</w:lvlOverride></w:num>")
    body = (p("MỤC ĐÍCH", numpr(1, 0)) + p("Mục đích", numpr(1, 1)) + p("Yêu cầu", numpr(1, 1))
            + p("Hợp tác truyền thông", numpr(1, 2)) + p("Thực hiện chuyên mục", numpr(1, 2))
            + p("NỘI DUNG", numpr(1, 0)) + p("Truyền thông về hình ảnh", numpr(1, 1))
            + p("Quảng bá", numpr(2, 2)))
    assert [lab for lab, _ in labels(package(tmp_path / "r.docx", body, numbering=numbering))] == [
        "I.", "1.1.", "1.2.", "a)", "b)", "II.", "2.3.", "A.",  # level 2 never restarts; isLgl → arabic
    ]


def test_missing_numbering_definition_is_a_warning(tmp_path):
    doc = reader.read(package(tmp_path / "m.docx", p("Mục đích", numpr(7, 0))), "m.docx")
    assert doc.blocks[0].label is None and "numId 7" in doc.warnings[0]


def test_run_content_rules(tmp_path):
    runs = (
        '<w:r><w:t>Thời gian:</w:t><w:tab/><w:t>Quý III</w:t><w:noBreakHyphen/><w:t>IV</w:t>'
        '<w:sym w:font="Wingdings" w:char="F0FC"/></w:r>'
        '<w:del w:id="1" w:author="a"><w:r><w:delText> năm 2022</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t xml:space="preserve"> năm 2023</w:t></w:r></w:ins>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r>'
        '<w:smartTag w:uri="u" w:element="place"><w:r><w:t xml:space="preserve"> tại Đắk Nông</w:t></w:r></w:smartTag>'
        '<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent><w:r><w:t>;</w:t></w:r></w:sdtContent></w:sdt>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t xml:space="preserve"> trang 2</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:br/><w:t>Đơn vị thực hiện: Sở Thông tin và Truyền thông</w:t><w:cr/><w:t>hết</w:t></w:r>'
    )
    doc = reader.read(package(tmp_path / "r.docx", p(runs=runs)), "r.docx")
    (block,) = doc.blocks
    assert block.text == ("Thời gian: Quý III-IV năm 2023 tại Đắk Nông; trang 2\n"
                          "Đơn vị thực hiện: Sở Thông tin và Truyền thông\nhết")
    assert block.span == (1, 3)


def test_bold_from_run_and_styles(tmp_path):
    styles = ('<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
              '<w:rPr><w:b/></w:rPr></w:style>'
              '<w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/><w:rPr><w:b/></w:rPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="Outline"><w:name w:val="Muc"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>')
    body = (p("TỔ CHỨC THỰC HIỆN", '<w:pStyle w:val="Heading1"/>')
            + p(runs='<w:r><w:rPr><w:rStyle w:val="Strong"/></w:rPr><w:t>Nơi nhận:</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>')
            + p(runs='<w:r><w:rPr><w:b/></w:rPr><w:t>KT. CHỦ TỊCH</w:t></w:r><w:r><w:t> Nguyễn Tuấn Hà</w:t></w:r>')
            + p("Thường xuyên", '<w:pStyle w:val="Heading1"/>', '<w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>Thường xuyên</w:t></w:r>')
            + p("Kinh phí", '<w:pStyle w:val="Outline"/>'))
    blocks = reader.read(package(tmp_path / "b.docx", body, styles=styles), "b.docx").blocks
    assert [(b.bold, b.heading) for b in blocks] == [(True, 1), (True, None), (False, None), (False, 1), (False, 3)]


def tc(text: str, tcpr: str = "") -> str:
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{p(text)}</w:tc>"


def test_table_spans_merges_and_nesting(tmp_path):
    nested = "<w:tbl><w:tr>" + tc("Báo Đắk Nông") + tc("Tháng 12/2023") + "</w:tr></w:tbl>"
    body = (
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
        "<w:tr>" + tc("STT") + tc("Nội dung") + tc("Đơn vị chủ trì") + "</w:tr>"
        "<w:tr>" + tc("I", '<w:gridSpan w:val="3"/>') + "</w:tr>"
        "<w:tr>" + tc("1") + tc("Xây dựng đề cương") + tc("Ban Tuyên giáo Tỉnh ủy", '<w:vMerge w:val="restart"/>') + "</w:tr>"
        "<w:tr>" + tc("2") + tc("Biên soạn Kỷ yếu") + tc("", "<w:vMerge/>") + "</w:tr>"
        "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>"
        "<w:tc>" + p("Xuất bản số báo đặc biệt") + nested + "</w:tc></w:tr>"
        "</w:tbl>"
    )
    (table,) = reader.read(package(tmp_path / "t.docx", body), "t.docx").blocks
    assert table.rows == [
        ["STT", "Nội dung", "Đơn vị chủ trì"],
        ["I", "I", "I"],
        ["1", "Xây dựng đề cương", "Ban Tuyên giáo Tỉnh ủy"],
        ["2", "Biên soạn Kỷ yếu", "Ban Tuyên giáo Tỉnh ủy"],
        ["", "Xuất bản số báo đặc biệt\nBáo Đắk Nông | Tháng 12/2023", ""],
    ]
    assert table.vmerged[3] == [False, False, True] and not any(table.vmerged[2])
    assert table.span == (1, 5)


def test_numbered_paragraphs_in_cells_keep_their_label(tmp_path):
    numbering = ('<w:abstractNum w:abstractNumId="0">' + lvl(0, "decimal", "%1.") + "</w:abstractNum>"
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')
    body = "<w:tbl><w:tr><w:tc>" + p("Sở Tài chính", numpr(1, 0)) + p("Sở Nội vụ", numpr(1, 0)) + "</w:tc></w:tr></w:tbl>"
    (table,) = reader.read(package(tmp_path / "n.docx", body, numbering=numbering), "n.docx").blocks
    assert table.rows == [["1. Sở Tài chính\n2. Sở Nội vụ"]]


def test_text_box_is_read_once_after_its_paragraph(tmp_path):
    box = p("Số: 46/KH-STTTT")
    runs = ('<w:r><w:t>KẾ HOẠCH</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
            f"<wps:txbx><w:txbxContent>{box}</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
            f"<mc:Fallback><w:pict><v:textbox><w:txbxContent>{box}</w:txbxContent></v:textbox></w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r>")
    doc = reader.read(package(tmp_path / "x.docx", p(runs=runs) + p("Tuyên truyền Đại hội")), "x.docx")
    assert [b.text for b in doc.blocks] == ["KẾ HOẠCH", "Số: 46/KH-STTTT", "Tuyên truyền Đại hội"]


def test_footnote_numbers_follow_reference_order(tmp_path):
    footnotes = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                 '<w:footnote w:id="7"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Nghị định số 49/2024/NĐ-CP</w:t></w:r></w:p></w:footnote>'
                 '<w:footnote w:id="3"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Chương trình số 35-CTr/TU</w:t></w:r></w:p></w:footnote>')
    body = p(runs='<w:r><w:t>thông tin cơ sở</w:t></w:r><w:r><w:footnoteReference w:id="7"/></w:r>'
             '<w:r><w:t xml:space="preserve"> du lịch Kon Tum</w:t></w:r><w:r><w:footnoteReference w:id="3"/></w:r>')
    doc = reader.read(package(tmp_path / "f.docx", body, footnotes=footnotes), "f.docx")
    assert doc.text == "thông tin cơ sở¹ du lịch Kon Tum²"
    assert doc.footnotes == {"1": "Nghị định số 49/2024/NĐ-CP", "2": "Chương trình số 35-CTr/TU"}


def test_empty_paragraphs_are_not_blocks(tmp_path):
    body = p("") + p(runs="<w:r><w:t>   </w:t></w:r>") + p("Trân trọng./.") + p(runs="<w:r><w:br/></w:r>")
    doc = reader.read(package(tmp_path / "e.docx", body), "e.docx")
    assert [b.text for b in doc.blocks] == ["Trân trọng./."] and doc.text == "Trân trọng./."


def test_docx_without_text_is_empty(tmp_path):
    with pytest.raises(EmptyDocument, match="không có nội dung"):
        reader.read(package(tmp_path / "e.docx", p("") + p("")), "e.docx")


# ---------------------------------------------------------------------------
# Hostile and broken files


def test_random_bytes_are_corrupt():
    data = bytes(range(256)) * 64
    with pytest.raises(CorruptFile, match="zip"):
        reader.read(data, "plan.docx")
    with pytest.raises(CorruptFile):
        docparse.read_document(data, "plan.docx")


def test_old_word_file_named_docx_says_so():
    with pytest.raises(CorruptFile, match=r"\.doc"):
        reader.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), "plan.docx")


def test_zip_without_document_xml_is_corrupt(tmp_path):
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/styles.xml", f"<w:styles {W_NS}/>")
    with pytest.raises(CorruptFile, match="word/document.xml"):
        reader.read(path.read_bytes(), path.name)


def test_malformed_xml_is_corrupt(tmp_path):
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", f"<w:document {W_NS}><w:body><w:p>")
    with pytest.raises(CorruptFile, match="XML"):
        reader.read(path.read_bytes(), path.name)


def write_zero_bomb(path: Path, member: str, size: int) -> None:
    """A zip whose `member` inflates to `size` zero bytes, written as a stream: one
    deflated MiB (full-flushed, so it stands alone) is repeated, and neither this
    function nor the reader ever holds the expanded data."""
    mib = 1 << 20
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(mib)) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    crc = 0
    for _ in range(size // mib):
        crc = zlib.crc32(bytes(mib), crc)
    csize = len(block) * (size // mib) + len(tail)
    name = member.encode()
    with path.open("wb") as fh:
        fh.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, csize, size, len(name), 0) + name)
        for _ in range(size // mib):
            fh.write(block)
        fh.write(tail)
        offset = fh.tell()
        central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, csize, size,
                              len(name), 0, 0, 0, 0, 0, 0) + name
        fh.write(central)
        fh.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), offset, 0))


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.docx"
    write_zero_bomb(path, "word/document.xml", 1 << 30)  # 1 GiB of zeros in about 1 MB
    assert path.stat().st_size < 2 << 20
    with zipfile.ZipFile(path) as zf:  # the bomb is a valid zip: the refusal is ours
        assert zf.getinfo("word/document.xml").file_size == 1 << 30
    with pytest.raises(TooLarge, match="zip bomb"):
        reader.read(path.read_bytes(), path.name)
    with pytest.raises(TooLarge):
        docparse.read_document(path)


def test_absurd_compression_ratio_is_refused(tmp_path):
    path = tmp_path / "ratio.docx"
    write_zero_bomb(path, "word/document.xml", 100 << 20)  # under the total limit, ratio ~1000
    with pytest.raises(TooLarge, match="nén"):
        reader.read(path.read_bytes(), path.name)


def test_lying_size_header_is_not_trusted(tmp_path):
    """A member that claims 1 KB but inflates to 10 MB: reading stops at the claim and
    the checksum fails, instead of inflating what the header hid."""
    path = tmp_path / "liar.docx"
    write_zero_bomb(path, "word/document.xml", 10 << 20)
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(sig)
        data[at + offset:at + offset + 4] = struct.pack("<L", 1024)
    with pytest.raises(CorruptFile):
        reader.read(bytes(data), "liar.docx")


def test_inflate_cap_applies_whatever_the_header_says(tmp_path):
    path = tmp_path / "big.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document/>" + " " * 5000)
    with zipfile.ZipFile(path) as zf, pytest.raises(TooLarge):
        reader._read_member(zf, "word/document.xml", "big.docx", limit=1024)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>{pad}<!DOCTYPE w:document [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1 if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]><w:document " + W_NS + "><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)


@pytest.mark.parametrize(
    "pad,encoding",
    [("", "utf-8"), ("<!--" + "x" * 8000 + "-->", "utf-8"), ("", "utf-16")],
    ids=["doctype-first", "doctype-after-comment", "utf-16"],  # utf-16 hides from a byte search
)
def test_entity_expansion_is_refused(tmp_path, pad, encoding):
    path = tmp_path / "laughs.docx"
    xml = BILLION_LAUGHS.format(pad=pad).replace('version="1.0"', f'version="1.0" encoding="{encoding}"')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", xml.encode(encoding))
    with pytest.raises(CorruptFile, match="DOCTYPE"):
        reader.read(path.read_bytes(), path.name)


def test_every_failure_is_a_parse_error_with_one_line(tmp_path):
    for data in (b"PK\x03\x04" + bytes(100), b"PK\x05\x06" + bytes(18)):
        with pytest.raises(ParseError) as info:
            reader.read(data, "x.docx")
        assert "\n" not in str(info.value)
