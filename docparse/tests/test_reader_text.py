"""The text/markdown reader on the shapes found in the seeds and the corpus."""
from docparse.model import Paragraph, Table
from docparse.readers.text import parse_lines, read, strip_markup

from .conftest import CORPUS, seed


def _paras(text):
    blocks, _ = parse_lines(text)
    return [b for b in blocks if isinstance(b, Paragraph)]


def test_hard_wrapped_lines_join_into_one_paragraph():
    # corpus 001c610b: hard wraps inside a paragraph and inside a bold heading
    text = "**I. MỤC\nĐÍCH, YÊU CẦU**\n\n- Quán triệt, triển khai có\nhiệu quả Quyết định số 06/QĐ-TTg\n"
    paras = _paras(text)
    assert [p.text.replace("\n", " ") for p in paras] == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "- Quán triệt, triển khai có hiệu quả Quyết định số 06/QĐ-TTg",
    ]
    assert paras[0].bold and paras[0].span == (1, 2)


def test_broken_emphasis_is_stripped():
    assert strip_markup("**Điều 1. **Ban") == "Điều 1. Ban"
    assert strip_markup("** **").strip() == ""
    assert strip_markup("*Nơi nhận:*") == "Nơi nhận:"
    assert strip_markup("* một ý") == "- một ý"
    assert strip_markup("xem <https://daknong.gov.vn/a>") == "xem https://daknong.gov.vn/a"


def test_list_items_split_without_blank_lines():
    # seed 001 "Kính gửi" list
    paras = _paras("Kính gửi:\n\n- Các sở, ban, ngành, đoàn thể;\n- UBND các huyện, thành phố;\n")
    assert [p.text for p in paras] == ["Kính gửi:", "- Các sở, ban, ngành, đoàn thể;", "- UBND các huyện, thành phố;"]


def test_page_break_cut_rejoined():
    # seed 000 III.2.3: "… thành phố\n\nGia Nghĩa, các Sở …" and V.3 "… nhiệm vụ\n\nvụ được …"
    line = "- Đơn vị phối hợp: Ban Tuyên giáo Tỉnh ủy, Văn phòng Ủy ban nhân dân tỉnh, Ủy ban nhân dân các huyện, thành phố"
    paras = _paras(line + "\n\nGia Nghĩa, các Sở, Ban, ngành.\n")
    assert len(paras) == 1 and "thành phố Gia Nghĩa" in paras[0].text.replace("\n", " ")
    paras = _paras("- Xây dựng Kế hoạch, đồng thời chủ trì triển khai các nhiệm vụ\n\nvụ được phân công.\n")
    assert len(paras) == 1


def test_heading_is_not_joined_with_next_paragraph():
    paras = _paras("KẾ HOẠCH\n\nTruyền thông nhiệm vụ trọng tâm tỉnh Kon Tum năm 2024\n")
    assert len(paras) == 2


def test_cell_table_one_cell_per_run():
    # corpus 001c610b header block and appendix table
    text = "|\n**ỦY BAN NHÂN\nDÂN **\nTHÀNH PHỐ HỒ CHÍ MINH\n|\n**CỘNG HÒA XÃ\nHỘI CHỦ NGHĨA VIỆT NAM**\n|\n|\nSố:\n2820/QĐ-UBND\n|\n*Thành phố Hồ\nChí Minh, ngày 19 tháng 11 năm 2025*\n|\n\nsau\n"
    blocks, _ = parse_lines(text)
    table = blocks[0]
    assert isinstance(table, Table)
    assert len(table.rows) == 2 and len(table.rows[0]) == 2
    assert table.rows[0][0].split("\n")[-1] == "THÀNH PHỐ HỒ CHÍ MINH"
    assert "CỘNG HÒA" in table.rows[0][1]
    assert table.rows[1][0].replace("\n", " ") == "Số: 2820/QĐ-UBND"
    assert isinstance(blocks[1], Paragraph) and blocks[1].text == "sau"


def test_pipe_table():
    text = "| TT | Nội dung | Cơ quan chủ trì |\n|---|---|---|\n| 1 | Tuyên truyền | Sở Tư pháp |\n"
    blocks, _ = parse_lines(text)
    assert blocks[0].rows == [["TT", "Nội dung", "Cơ quan chủ trì"], ["1", "Tuyên truyền", "Sở Tư pháp"]]


def test_footnotes_leave_the_running_text():
    doc = read(seed("001").read_bytes(), "001.txt")
    assert "07 đơn vị, địa phương" in doc.footnotes["2"]
    assert "baodaknong.vn" in doc.footnotes["1"]  # the footnote's second paragraph
    body = " ".join(b.text for b in doc.blocks if isinstance(b, Paragraph))
    assert "Ngoài việc nhập liệu theo đường link" in body.replace("\n", " ")
    assert "chưa đặt" not in body


def test_spans_are_source_lines():
    data = seed("000").read_bytes()
    doc = read(data, "000.txt")
    lines = doc.text.split("\n")
    for b in doc.blocks:
        first = lines[b.span[0] - 1]
        assert first.strip(), b


def test_site_text_around_document_is_read():
    # corpus documents wrapped in a legal-Q&A site's text still read without error
    for path in sorted(CORPUS.glob("*.md"))[:20]:
        doc = read(path.read_bytes(), path.name)
        assert doc.blocks


def test_site_layout_table_around_the_whole_document():
    # corpus 02b9be77 (thuvienphapluat.vn): the site's notice and fields, then one layout
    # table with no blank line in it: the header in small cells, the body in one cell
    from docparse import parse

    plan = parse(CORPUS / "02b9be7711f88c70.md")
    assert (plan.number, plan.date, plan.kind) == ("55/2025/NQ-HĐND", "2025-11-26", "Nghị quyết")
    assert plan.issuer == "Hội đồng nhân dân thành phố Hà Nội"
    assert plan.title.startswith("QUY ĐỊNH MỘT SỐ NỘI DUNG CHI VÀ MỨC CHI ĐẶC THÙ") and "Căn cứ" not in plan.title
    assert plan.addressees == []  # not the site's notice "Kính gửi: Quý Thành viên"
    assert "Điều 3.1" in {a.ref for a in plan.activities}
    # corpus 514184bd: the site's English translation after the signature is not read
    plan = parse(CORPUS / "514184bd8913458c.md")
    assert plan.signer.name == "Nguyễn Thị Bích Ngọc" and "Ban Bí thư trung ương Đảng" in plan.recipients
    # corpus 05729ab5: a title in capitals ends where a sentence-case line starts
    plan = parse(CORPUS / "05729ab54fc07c39.md")
    assert plan.title.endswith("VÙNG ĐỒNG BÀO DÂN TỘC THIỂU SỐ VÀ MIỀN NÚI GIAI ĐOẠN 2026-2035")
    # corpus 2d737276: the page lacks the document's header; the site's fields stand in
    plan = parse(CORPUS / "2d737276bf416017.md")
    assert (plan.number, plan.date, plan.kind) == ("17809/BTC-CTK", "2025-11-17", "Công văn")
    # corpus 1095764e: a Công điện, its issuer wrapped "THỦ TƯỚNG CHÍNH / PHỦ" in its cell
    plan = parse(CORPUS / "1095764e502a89b8.md")
    assert (plan.number, plan.kind, plan.issuer) == ("224/CĐ-TTg", "Công điện", "Thủ tướng Chính phủ")


def test_a_long_cell_of_an_ordinary_table_stays_a_cell():
    # corpus 6e205b75: a cell listing legal bases ("- Luật …", "- Nghị định …") over
    # twenty lines, in an appendix table without the Quốc hiệu
    lines = ["|", "Thành lập tổ công tác", "|", "UBND cấp xã", "|"]
    lines += [f"- Nghị định số {k}/2022/NĐ-CP" for k in range(1, 25)]
    lines += ["|", "|", "Báo cáo", "|", "UBND cấp xã", "|", ""]
    blocks, _ = parse_lines("\n".join(lines))
    assert len(blocks) == 1 and isinstance(blocks[0], Table) and len(blocks[0].rows) == 2
