"""Unit mentions: splitting lists as written, collective names, subjects, groups."""
import pytest

from docparse.units import is_group, members_in_heading, split_units, subject_units, trailing_units

SPLITS = [
    # seed 000 III.1.3 "Đơn vị phối hợp"
    ("Ban Tuyên giáo Tỉnh ủy, Sở Văn hóa, Thể thao và Du lịch, Văn phòng UBND tỉnh, Sở Kế hoạch và Đầu tư "
     "và các cơ quan khác có liên quan.",
     ["Ban Tuyên giáo Tỉnh ủy", "Sở Văn hóa, Thể thao và Du lịch", "Văn phòng UBND tỉnh",
      "Sở Kế hoạch và Đầu tư", "các cơ quan khác có liên quan"]),
    # seed 000 III.1.1: ";" always splits
    ("Sở Thông tin và Truyền thông; Ban Tuyên giáo các huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy; "
     "các cơ quan báo chí, truyền thông trong tỉnh.",
     ["Sở Thông tin và Truyền thông", "Ban Tuyên giáo các huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy",
      "các cơ quan báo chí, truyền thông trong tỉnh"]),
    # seed 000 III.2.3: collective names stay whole
    ("Ủy ban nhân dân các huyện, thành phố Gia Nghĩa, các Sở, Ban, ngành và các cơ quan báo chí, truyền thông, "
     "đơn vị khác có liên quan.",
     ["Ủy ban nhân dân các huyện, thành phố Gia Nghĩa", "các Sở, Ban, ngành",
      "các cơ quan báo chí, truyền thông, đơn vị khác có liên quan"]),
    # seed 000 III.2.10
    ("Các Sở, Ban, ngành, đoàn thể, Ủy ban nhân dân cấp huyện, Ủy ban nhân dân cấp xã.",
     ["Các Sở, Ban, ngành, đoàn thể", "Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã"]),
    # seed 000 III.2.9: "và đơn vị liên quan" splits
    ("Sở Văn hóa, Thể thao và Du lịch, Hội Nhà báo tỉnh, các cơ quan báo chí và đơn vị liên quan.",
     ["Sở Văn hóa, Thể thao và Du lịch", "Hội Nhà báo tỉnh", "các cơ quan báo chí", "đơn vị liên quan"]),
    # seed 004 V.2
    ("Các đơn vị, địa phương và cơ quan báo chí tỉnh", ["Các đơn vị, địa phương", "cơ quan báo chí tỉnh"]),
    # seed 002 III.2: "Phóng viên" is not a new unit
    ("Các cơ quan báo chí của tỉnh; Cơ quan đại diện, Phóng viên thường trú của các cơ quan Báo chí Trung ương "
     "đóng chân trên địa bàn tỉnh",
     ["Các cơ quan báo chí của tỉnh",
      "Cơ quan đại diện, Phóng viên thường trú của các cơ quan Báo chí Trung ương đóng chân trên địa bàn tỉnh"]),
    # parenthetical qualifiers stay (seed 000 III.2.3)
    ("Sở Thông tin và Truyền thông (Trung tâm Công nghệ thông tin và Truyền thông).",
     ["Sở Thông tin và Truyền thông (Trung tâm Công nghệ thông tin và Truyền thông)"]),
    # an enumeration after ":" is one mention (seed 003 III.2)
    ("các đơn vị đầu mối của các cơ quan báo chí Trung ương: TTXVN, VOV, VTV8",
     ["các đơn vị đầu mối của các cơ quan báo chí Trung ương: TTXVN, VOV, VTV8"]),
    # "Đề nghị" is dropped (seed 000 III.1.1)
    ("Đề nghị Ban Tuyên giáo Tỉnh ủy.", ["Ban Tuyên giáo Tỉnh ủy"]),
    ("Đài Phát thanh và Truyền hình Đắk Nông, Báo Đắk Nông, Cổng Thông tin điện tử tỉnh, Tạp chí Nấm Nung.",
     ["Đài Phát thanh và Truyền hình Đắk Nông", "Báo Đắk Nông", "Cổng Thông tin điện tử tỉnh", "Tạp chí Nấm Nung"]),
    ("UBND xã, phường, thị trấn", ["UBND xã, phường, thị trấn"]),
    ("Ban Quản lý các khu công nghệ cao và khu công nghiệp", ["Ban Quản lý các khu công nghệ cao và khu công nghiệp"]),
    ("", []),
]


@pytest.mark.parametrize("text,expected", SPLITS)
def test_split_units(text, expected):
    assert split_units(text) == expected


def test_subject_units():
    # seed 001 item 2
    assert subject_units("Báo Đắk Nông, Đài PT-TH Đắk Nông, Tạp chí Nậm Nung tăng cường thời lượng, thông tin") == [
        "Báo Đắk Nông", "Đài PT-TH Đắk Nông", "Tạp chí Nậm Nung"]
    # seed 001 item 3[2]
    assert subject_units("Đề nghị UBND các huyện, thành phố; UBND các xã, phường, thị trấn căn cứ tình hình") == [
        "UBND các huyện, thành phố", "UBND các xã, phường, thị trấn"]
    # seed 000 IV.2
    assert subject_units("Các cơ quan, đơn vị, địa phương lồng ghép các nội dung") == ["Các cơ quan, đơn vị, địa phương"]
    # no unit, or no predicate
    assert subject_units("Việc quản lý, sử dụng và thanh, quyết toán kinh phí thực hiện") == []
    assert subject_units("Sở Tài chính") == []
    # "X: …" is a label, not a subject
    assert subject_units("Riêng đối với Ban Tuyên giáo Tỉnh ủy: Ngoài việc nhập liệu theo đường link") == []


def test_trailing_units():
    # seed 003 IV
    assert trailing_units("Căn cứ nội dung truyền thông theo Kế hoạch này và kinh phí được UBND tỉnh giao, "
                          "Sở Thông tin và Truyền thông") == ["Sở Thông tin và Truyền thông"]
    # seed 004 III.5.a
    assert trailing_units("Sở Kế hoạch và Đầu tư, Sở Thông tin và Truyền thông") == [
        "Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông"]
    assert trailing_units("Kính phí triển khai, tổ chức") == []


def test_members_in_heading():
    # seed 000 V.3
    assert members_in_heading("Các cơ quan báo chí địa phương (Báo Đắk Nông, Đài Phát thanh và Truyền hình "
                              "Đắk Nông, Tạp chí Năm Nung)") == [
        "Báo Đắk Nông", "Đài Phát thanh và Truyền hình Đắk Nông", "Tạp chí Năm Nung"]
    # seed 003 III.1
    assert members_in_heading("Các cơ quan báo chí Trung ương: TTXVN, VOV, VTV8") == ["TTXVN", "VOV", "VTV8"]
    assert members_in_heading("Sở Tài chính") is None


@pytest.mark.parametrize("name,group", [
    ("các Sở, Ban, ngành, địa phương", True),
    ("UBND các huyện, thành phố", True),
    ("Ủy ban nhân dân cấp xã", True),
    ("đơn vị liên quan", True),
    ("Sở Tài chính", False),
    ("Báo Đắk Nông", False),
])
def test_is_group(name, group):
    assert is_group(name) is group


def test_verb_before_running_text():
    # corpus 50693ea4: the predicate "triển khai" ends the name, not a word inside it
    from docparse.units import cut_at_verb

    assert cut_at_verb("cơ quan, đơn vị liên quan triển khai thực hiện") == "cơ quan, đơn vị liên quan"
    assert split_units("cơ quan, đơn vị liên quan") == ["cơ quan, đơn vị liên quan"]



@pytest.mark.parametrize("text, expected", [
    # corpus f4f77ac6 3.c.4 (was "Ủy ban nhân dân các cấp trong")
    ("Ủy ban nhân dân các cấp trong phạm vi nhiệm vụ, quyền hạn của mình có trách nhiệm", ["Ủy ban nhân dân các cấp"]),
    # corpus 700416cb Điều 16.3 (was "…, Viện kiểm sát nhân dân tối cao, trong")
    ("Tòa án nhân dân tối cao, Viện kiểm sát nhân dân tối cao, trong phạm vi nhiệm vụ, quyền hạn của mình, "
     "có trách nhiệm sắp xếp", ["Tòa án nhân dân tối cao", "Viện kiểm sát nhân dân tối cao"]),
    # corpus be5392d4 Điều 18.1 (was "Chủ tịch UBND cấp xã và")
    ("Chánh Văn phòng UBND tỉnh, Thủ trưởng các sở, ban, ngành cấp tỉnh, Chủ tịch UBND cấp xã và thủ trưởng các cơ "
     "quan, đơn vị có liên quan triển khai thực hiện",
     ["Chánh Văn phòng UBND tỉnh, Thủ trưởng các sở, ban, ngành cấp tỉnh", "Chủ tịch UBND cấp xã"]),
    # corpus fe168907 V.2 and IV.2: "cụ thể hóa", "trao đổi" are predicates
    ("Các cấp ủy, tổ chức đảng, cơ quan, đơn vị trực thuộc Trung ương cụ thể hóa, triển khai thực hiện",
     ["Các cấp ủy, tổ chức đảng, cơ quan, đơn vị trực thuộc Trung ương"]),
    ("Ban Tổ chức Trung ương trao đổi, thống nhất với các cơ quan chức năng", ["Ban Tổ chức Trung ương"]),
    # corpus 9615b53d 2 (was "các cơ quan chức năng trong quá")
    ("Các cơ quan chức năng trong quá trình thực hiện nhiệm vụ", ["Các cơ quan chức năng"]),
])
def test_name_cut_before_running_text_drops_a_dangling_word(text, expected):
    assert subject_units(text) == expected


def test_verbs_that_are_also_words_of_a_name():
    from docparse.units import cut_at_verb_only

    # corpus abc00053 Điều 5.1.a: "tổ chức" in a list of nouns is not the verb
    assert cut_at_verb_only("các cơ quan, đơn vị, tổ chức cấp tỉnh thực hiện") == "các cơ quan, đơn vị, tổ chức cấp tỉnh"
    # corpus 0f98ee48: "công lập" (public), not "lập" (to draw up)
    assert cut_at_verb_only("Các đơn vị sự nghiệp công lập trực thuộc thực hiện") == (
        "Các đơn vị sự nghiệp công lập trực thuộc")
    assert cut_at_verb_only("Sở Tư pháp tổ chức hội nghị") == "Sở Tư pháp"


@pytest.mark.parametrize("text, unit", [
    # corpus 1e6fb98e (Điều 23.5.c) and c22591f1: "the other cases", not a collective of units
    ("Các trường hợp khác theo yêu cầu của Bộ trưởng Bộ Quốc phòng.", False),
    ("Những trường hợp không quy định tại khoản 1 Điều này", False),
    # corpus 012b8a72 (Điều 36.1): databases; ac0f18a2 (Điều 15.4.c): school levels
    ("Các cơ sở dữ liệu quốc gia khác, cơ sở dữ liệu chuyên ngành", False),
    ("Các cấp học từ mầm non đến trung học phổ thông", False),
    # the nouns themselves still make a collective
    ("Các trường học ở tất cả các cấp", True),
    ("Các cơ sở đào tạo, bồi dưỡng", True),
    ("các cấp ủy, chính quyền", True),
])
def test_phrases_that_only_look_like_a_collective(text, unit):
    from docparse.units import starts_unit

    assert starts_unit(text) is unit
