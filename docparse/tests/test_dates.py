"""Time expressions, one test per row of the conventions table in seeds/README.md,
each on the phrase as it appears in the seeds or the corpus."""
import pytest

from docparse.dates import read_time_field, recurrence, scan_sentence_dates

PERIODS = [
    # seed 000 III.2.7
    ("Tháng 12/2023.", 2023, ("2023-12-01", "2023-12-31", None)),
    # seed 000 III.1.4
    ("Từ tháng 9/2023 đến hết tháng 3/2024.", 2023, ("2023-09-01", "2024-03-31", None)),
    # seed 000 III.1.2
    ("Từ tháng 8/2023.", 2023, ("2023-08-01", None, None)),
    ("Từ tháng 11/2013 trở đi", 2013, ("2013-11-01", None, None)),
    ("Tháng 11, 12/2013 và thường xuyên", 2013, ("2013-11-01", None, None)),
    ("Từ năm 2013 đến năm 2020 và tiếp theo", 2013, ("2013-01-01", None, None)),
    ("Năm 2025 và các năm tiếp theo", 2025, ("2025-01-01", None, None)),
    ("Năm 2026", 2025, ("2026-01-01", "2026-12-31", None)),
    ("2025 - 2035", 2025, ("2025-01-01", "2035-12-31", None)),
    # seed 000 III.2.9
    ("Quý III, IV/2023.", 2023, ("2023-07-01", "2023-12-31", None)),
    ("Quý III Năm 2026", 2026, ("2026-07-01", "2026-09-30", None)),
    ("Quý IV/2025- Quý II/2026", 2025, ("2025-10-01", "2026-06-30", None)),
    # seed 000 III.1.3
    ("dự kiến đầu tháng 3/2024.", 2023, ("2024-03-01", "2024-03-31", None)),
    ("cuối tháng 10/2024", 2024, ("2024-10-01", "2024-10-31", None)),
    # seed 000 III.2.10: "đến" is missing in the original
    ("Từ tháng 8/2023 hết tháng 3/2024.", 2023, ("2023-08-01", "2024-03-31", None)),
    # a missing year comes from the document
    ("từ ngày 15/11 đến 15/12", 2025, ("2025-11-15", "2025-12-15", None)),
]


@pytest.mark.parametrize("text,year,expected", PERIODS)
def test_period_field(text, year, expected):
    d = read_time_field(text, year)
    assert (d.start, d.end, d.deadline) == expected


DEADLINES = [
    # seed 000 III.2.4: "trước ngày D" is read as D - 1
    ("Trước ngày 15/12/2023.", 2023, False, "2023-12-14"),
    # seed 000 III.2.6
    ("Hoàn thành trong tháng 12/2023.", 2023, False, "2023-12-31"),
    ("Hoàn thành trong năm 2025", 2025, False, "2025-12-31"),
    ("trong quý IV/2025", 2025, False, "2025-12-31"),
    # seed 001 item 4
    ("Xong trước 05/4/2024", 2024, True, "2024-04-04"),
    # a "Thời gian hoàn thành" column: the period's last day
    ("Năm 2025", 2025, True, "2025-12-31"),
    ("Quý IV/2025", 2025, True, "2025-12-31"),
    ("chậm nhất ngày 20/11/2025", 2025, False, "2025-11-20"),
]


@pytest.mark.parametrize("text,year,completion,deadline", DEADLINES)
def test_deadline_field(text, year, completion, deadline):
    d = read_time_field(text, year, completion)
    assert d.deadline == deadline
    assert d.start is None and d.end is None


@pytest.mark.parametrize(
    "text",
    [
        "Thường xuyên",
        "Hằng năm",
        "Hằng tháng triển khai tối thiểu 01 chuyên mục.",
        "định kỳ",
        "trước ngày 20 hằng tháng",
        "24–48 giờ sau khi nước rút",
        "sau khi Kế hoạch được phê duyệt",
    ],
)
def test_recurring_and_relative_give_no_dates(text):
    d = read_time_field(text, 2025)
    assert (d.start, d.end, d.deadline) == (None, None, None)
    assert scan_sentence_dates(text, 2025).any() is False


def test_free_text_range_needs_tu():
    # seed 001 item 3[2]: the anniversary "(01/01/2004 - 01/01/2024)" is not a period
    s = ("chỉ đạo tổ chức thực hiện Đợt cao điểm tuyên truyền Kỷ niệm 20 năm Ngày tái lập tỉnh "
         "Đắk Nông (01/01/2004 - 01/01/2024), từ ngày 15/12/2023 – 31/01/2024 trên hệ thống")
    d = scan_sentence_dates(s, 2023)
    assert (d.start, d.end) == ("2023-12-15", "2024-01-31")


def test_free_text_deadline_and_scope_year():
    # seed 000 V.3
    d = scan_sentence_dates("(Kế hoạch gửi về Sở Thông tin và Truyền thông trước ngày 15/8/2023 để theo dõi).", 2023)
    assert d.deadline == "2023-08-14"
    # seed 003 III.1: a year used as scope gives no date
    assert not scan_sentence_dates("có thành tích xuất sắc trong việc thực hiện chương trình phối hợp này trong năm 2020.", 2020).any()


def test_reference_date_is_not_a_date():
    # seed 000 III.3: the date of a cited plan
    s = "được phân công tại Kế hoạch 396/KH-UBND ngày 23/6/2023 của Ủy ban nhân dân tỉnh"
    assert not scan_sentence_dates(s, 2023).any()


def test_earliest_deadline_wins():
    s = "Xong trước 05/4/2024. … gửi về Sở thông tin và Truyền thông trước ngày 10/4/2024 để tổng hợp"
    assert scan_sentence_dates(s, 2024).deadline == "2024-04-04"


def test_recurrence_quota():
    # seed 004 III.5.b and III.6.a
    r = recurrence("Hằng tháng triển khai tối thiểu 01 chuyên mục.")
    assert (r.frequency, r.quota, r.unit) == ("monthly", 1, "chuyên mục")
    r = recurrence("trên Báo Kon Tum và Đài Phát thanh và Truyền hình (01 chuyên mục/tháng).")
    assert (r.frequency, r.quota) == ("monthly", 1)
    assert recurrence("Tổ chức họp báo") is None


def test_invalid_dates_are_ignored():
    assert not read_time_field("ngày 31/02/2024", 2024).any()
    assert not read_time_field("tháng 13/2024", 2024).any()
