"""abbreviations.expand: the spellings seed plans and their recipients lists use."""
import pytest

from directory.abbreviations import expand
from planwatch.lib.text import fold


@pytest.mark.parametrize(
    "written, expanded",
    [
        ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
        ("STTTT", "Sở Thông tin và Truyền thông"),
        ("Sở TTTT", "Sở Thông tin và Truyền thông"),
        ("Sở TT & TT", "Sở Thông tin và Truyền thông"),
        ("Đài PT-TH Đắk Nông", "Đài Phát thanh và Truyền hình Đắk Nông"),  # seed 001
        ("Đài PT&TH Đắk Nông", "Đài Phát thanh và Truyền hình Đắk Nông"),  # seed 000, Nơi nhận
        ("Đài PT và TH tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),  # seed 003, Nơi nhận
        ("Đài PTTH", "Đài Phát thanh và Truyền hình"),
        ("BTG Tỉnh ủy", "Ban Tuyên giáo Tỉnh ủy"),  # seed 002, Nơi nhận
        ("Sở VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Sở VH,TT&DL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Trung tâm VH TT & TT cấp huyện", "Trung tâm Văn hóa, Thể thao và Truyền thông cấp huyện"),  # seed 002
        ("Phòng VH TT các huyện", "Phòng Văn hóa và Thông tin các huyện"),  # seed 002, Nơi nhận
        ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
        ("Sở LĐTB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("Sở TN&MT", "Sở Tài nguyên và Môi trường"),
        ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
        ("UBMTTQVN tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
        ("LĐLĐ tỉnh", "Liên đoàn Lao động tỉnh"),
        ("HLHPN tỉnh", "Hội Liên hiệp Phụ nữ tỉnh"),
        ("TTXVN", "Thông tấn xã Việt Nam"),
        ("VOV", "Đài Tiếng nói Việt Nam"),
        ("VTV", "Đài Truyền hình Việt Nam"),
        ("UBND các huyện, thành phố", "Ủy ban nhân dân các huyện, thành phố"),
        ("Cổng TTĐT tỉnh", "Cổng Thông tin điện tử tỉnh"),
    ],
)
def test_expand(written, expanded):
    assert expand(fold(written)) == fold(expanded)


def test_whole_words_only():
    # VTV8 is a channel of its own, not "Đài Truyền hình Việt Nam8"
    assert expand(fold("VTV8")) == "vtv8"
    # "Đầu tư" folds to "dau tu"; no abbreviation may eat the "tu"
    assert expand(fold("Sở Kế hoạch và Đầu tư")) == fold("Sở Kế hoạch và Đầu tư")


def test_text_without_abbreviations_is_unchanged():
    text = fold("Ban Quản lý Khu kinh tế tỉnh")
    assert expand(fold("Ban Quản lý Khu kinh tế tỉnh")) == text
