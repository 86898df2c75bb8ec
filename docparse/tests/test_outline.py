"""Labels and nesting."""
import pytest

from docparse.model import Paragraph
from docparse.outline import build_tree, parse_label


@pytest.mark.parametrize("text,kind,value", [
    ("III. CÁC HOẠT ĐỘNG THÔNG TIN", "ROMAN", "III"),
    ("I- CHỨC NĂNG CỦA CƠ QUAN", "ROMAN", "I"),
    ("1.1. Xây dựng đề cương tuyên truyền", "DEC2", "1.1"),
    ("2.10. Tuyên truyền trên Trang thông tin điện tử", "DEC2", "2.10"),
    ("1.1 Xây dựng", "DEC2", "1.1"),
    ("3. Các cơ quan, đơn vị, địa phương:", "DEC1", "3"),
    ("đ) Cung cấp thông tin thông qua giao ban", "LETTER", "đ"),
    ("Điều 1. Ban hành kèm theo", "ARTICLE", "1"),
    ("Bước 2: Thẩm định", "WORD:Bước", "2"),
    ("- Đơn vị thực hiện: Sở X", "DASH", "-"),
    ("+ Các bản tin", "PLUS", "+"),
])
def test_labels(text, kind, value):
    label, rest = parse_label(text)
    assert (label.kind, label.value) == (kind, value)
    assert rest and not rest[0].isspace()


@pytest.mark.parametrize("text", [
    "V/v tổ chức đợt cao điểm",          # not roman V
    "01 chuyên mục/tháng",                # a quantity
    "15/12/2023 là hạn",                  # a date
    "2024 là năm",                        # a year
])
def test_not_labels(text):
    assert parse_label(text)[0] is None


def _tree(*texts):
    return build_tree([Paragraph(t, (i + 1, i + 1)) for i, t in enumerate(texts)])


def test_nesting_follows_label_kinds():
    root = _tree("III. HOẠT ĐỘNG", "1. Công tác định hướng", "1.1. Xây dựng đề cương", "- Đơn vị thực hiện: X",
                 "1.2. Hướng dẫn", "2. Triển khai", "2.1. Chuyên trang", "IV. KINH PHÍ", "1. Từ nguồn")
    iii, iv = root.children
    assert [c.label.value for c in iii.children] == ["1", "2"]
    assert [c.label.value for c in iii.children[0].children] == ["1.1", "1.2"]
    assert iii.children[0].children[0].children[0].label.kind == "DASH"
    assert [c.label.value for c in iv.children] == ["1"]


def test_bullets_before_numbers_do_not_own_them():
    # seed 001: the "Kính gửi" bullets come before "1."
    root = _tree("- Các sở, ban, ngành;", "- UBND các huyện;", "1. Rà soát", "2. Báo Đắk Nông tăng cường",
                 "3. Các cơ quan:", "- Chỉ đạo", "3. Đề nghị UBND", "4. Thực hiện báo cáo:", "- Phương thức")
    numbered = [c for c in root.children if c.numbered]
    assert [c.label.value for c in numbered] == ["1", "2", "3", "3", "4"]
    assert numbered[-1].children[0].heading == "Phương thức"


def test_closing_paragraph_leaves_the_last_item():
    # seed 003: "Đề nghị các cơ quan báo chí …" after IV's bullets belongs to the document
    root = _tree("IV. KINH PHÍ", "- Kinh phí do mỗi bên tự đảm nhiệm.", "Đề nghị các cơ quan báo chí Trung ương báo cáo")
    assert root.children[0].body == []
    assert root.body == ["Đề nghị các cơ quan báo chí Trung ương báo cáo"]


def test_attached_plan_restarts_outline():
    # corpus 001c610b: the plan attached to a decision starts again at "I."
    root = _tree("Điều 3. Chánh Văn phòng … chịu trách nhiệm thi hành", "KẾ HOẠCH", "I. MỤC ĐÍCH")
    assert [c.label.kind for c in root.children] == ["ARTICLE", "ROMAN"]
