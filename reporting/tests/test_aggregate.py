"""reporting.aggregate.request_aggregate: totals per metric, unit kind and district;
who has not submitted and who was late. Also holds the request factory that the export
tests import (rows are written with the ORM, not through the report services).

The `report` fixture: a plan of `province` and a request to five units —
- unit_a (a department): submitted, late;
- unit_b (a department): approved;
- "UBND huyện Đắk Mil" (a district) : submitted;
- "Trung tâm Văn hóa huyện Đắk Mil" (child of the district): draft (not counted);
- "UBND xã Thuận An" (commune under the district, through the centre): nothing.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from planwatch.lib.text import fold
from reporting.aggregate import NO_DISTRICT, normal_value, number_vi, request_aggregate

METRICS = [
    ("count", "Số tin, bài đăng tải"),
    ("boolean", "Đã đặt banner"),
    ("date", "Ngày đặt banner"),
    ("text", "Ghi chú"),
    ("urls", "Liên kết bài viết"),
    ("file", "Tệp minh chứng"),
]


def make_request(province, units, *, metrics=METRICS, plan=None, title="Báo cáo kết quả tuyên truyền 20 năm tái lập tỉnh",
                 deadline=None):
    """A request of `province` to `units` (all targets) with `metrics` [(kind, label)]."""
    from plans.models import Plan
    from reporting.models import Metric, ReportRequest, Target

    plan = plan or Plan.objects.create(
        province=province, number="529/KH-UBND", kind="Kế hoạch", issuer="Ủy ban nhân dân tỉnh Thử",
        title="Thông tin, tuyên truyền kỷ niệm 20 năm Ngày tái lập tỉnh", date=dt.date(2023, 8, 16), place="Thử",
    )
    req = ReportRequest.objects.create(
        plan=plan, province=province, title=title, status="open",
        deadline=deadline or timezone.make_aware(dt.datetime(2024, 4, 5, 17, 0)),
        written_deadline=dt.date(2024, 4, 10),
    )
    Metric.objects.bulk_create(Metric(request=req, position=i, kind=k, label=label)
                               for i, (k, label) in enumerate(metrics))
    Target.objects.bulk_create(Target(request=req, unit=u) for u in units)
    return req


def answer(req, unit, by_label: dict, *, status="submitted", is_late=False, submitted_at=None):
    """Unit `unit`'s submission to `req`, values given by metric label."""
    from reporting.models import Submission

    keys = {m.label: m.key for m in req.metrics.all()}
    when = submitted_at or timezone.make_aware(dt.datetime(2024, 4, 1, 9, 30))
    return Submission.objects.create(
        request=req, unit=unit, status=status, is_late=is_late, values={keys[k]: v for k, v in by_label.items()},
        submitted_at=None if status == "draft" else when, first_submitted_at=None if status == "draft" else when,
    )


@pytest.fixture
def district_units(province):
    from directory.models import Unit

    district = Unit.objects.create(name="Ủy ban nhân dân huyện Đắk Mil", short_name="UBND huyện Đắk Mil",
                                   kind="ubnd_huyen", province=province)
    centre = Unit.objects.create(name="Trung tâm Văn hóa huyện Đắk Mil", kind="khac", parent=district,
                                 province=province)
    commune = Unit.objects.create(name="UBND xã Thuận An", kind="ubnd_xa", parent=centre, province=province)
    return district, centre, commune


@pytest.fixture
def report(province, unit_a, unit_b, district_units):
    district, centre, commune = district_units
    req = make_request(province, [unit_a, unit_b, district, centre, commune])
    answer(req, unit_a, {"Số tin, bài đăng tải": 12, "Đã đặt banner": True, "Ngày đặt banner": "2023-12-20",
                         "Ghi chú": "Đã triển khai", "Liên kết bài viết": ["https://a.vn/1", "https://a.vn/2"],
                         "Tệp minh chứng": [1, 2]}, is_late=True)
    answer(req, unit_b, {"Số tin, bài đăng tải": 30, "Đã đặt banner": False, "Ngày đặt banner": "2023-12-15",
                         "Ghi chú": "  ", "Liên kết bài viết": ["https://b.vn/1"]}, status="approved")
    answer(req, district, {"Số tin, bài đăng tải": 5, "Đã đặt banner": True, "Ngày đặt banner": "2024-01-02"})
    answer(req, centre, {"Số tin, bài đăng tải": 1000, "Đã đặt banner": True}, status="draft")
    return req


def _by_label(totals):
    return {t.metric.label: t for t in totals}


def test_totals_count_sent_submissions_only(report):
    agg = request_aggregate(request=report)
    t = _by_label(agg.totals)
    assert t["Số tin, bài đăng tải"].total == 12 + 30 + 5  # the draft's 1000 is not counted
    assert t["Số tin, bài đăng tải"].answered == 3
    assert (t["Đã đặt banner"].yes, t["Đã đặt banner"].no) == (2, 1)
    assert (t["Ngày đặt banner"].first, t["Ngày đặt banner"].last) == (dt.date(2023, 12, 15), dt.date(2024, 1, 2))
    assert t["Ghi chú"].answered == 1  # blank text is no answer
    assert t["Liên kết bài viết"].total == 3
    assert t["Tệp minh chứng"].total == 2
    assert t["Số tin, bài đăng tải"].text() == "47"
    assert t["Đã đặt banner"].text() == "Có: 2; Không: 1"
    assert t["Ngày đặt banner"].text() == "từ 15/12/2023 đến 02/01/2024"
    assert (agg.targets, agg.sent, agg.late_count) == (5, 3, 1)


def test_not_submitted_and_late_lists(report, unit_a, district_units):
    from reporting.models import Submission

    _district, centre, commune = district_units
    agg = request_aggregate(request=report)
    assert [r.name for r in agg.late] == [unit_a.name]
    # A draft and no submission at all are both "not submitted", by name.
    assert [r.name for r in agg.not_submitted] == [centre.name, commune.name]
    assert [r.status_label for r in agg.not_submitted] == ["Bản nháp", "Chưa báo cáo"]

    # A submission returned for correction no longer counts, and its unit is listed again.
    Submission.objects.filter(request=report, unit=unit_a).update(status="returned")
    agg = request_aggregate(request=report)
    assert unit_a.name in [r.name for r in agg.not_submitted]
    assert agg.late == []
    assert _by_label(agg.totals)["Số tin, bài đăng tải"].total == 35


def test_totals_per_unit_kind(report):
    agg = request_aggregate(request=report)
    kinds = {g.key: g for g in agg.by_kind}
    # The directory's order of kinds: departments before districts before communes.
    assert [g.key for g in agg.by_kind] == ["so_nganh", "ubnd_huyen", "ubnd_xa", "khac"]
    assert kinds["so_nganh"].label == "Sở, ban, ngành"
    assert (kinds["so_nganh"].targets, kinds["so_nganh"].sent, kinds["so_nganh"].late) == (2, 2, 1)
    assert _by_label(kinds["so_nganh"].totals)["Số tin, bài đăng tải"].total == 42
    assert (kinds["khac"].targets, kinds["khac"].sent, kinds["khac"].not_sent) == (1, 0, 1)
    assert _by_label(kinds["khac"].totals)["Số tin, bài đăng tải"].total == 0


def test_totals_per_district_follow_the_parent_chain(report, district_units, unit_a):
    district, centre, commune = district_units
    agg = request_aggregate(request=report)
    rows = {r.unit_id: r for r in agg.rows}
    # The district itself, its centre and the commune under the centre share the district.
    assert {rows[u.pk].district_name for u in (district, centre, commune)} == {"UBND huyện Đắk Mil"}
    assert rows[unit_a.pk].district_key == NO_DISTRICT
    assert [g.label for g in agg.by_district] == ["UBND huyện Đắk Mil", "Cấp tỉnh và đơn vị khác"]
    mil, rest = agg.by_district
    assert (mil.targets, mil.sent, mil.not_sent) == (3, 1, 2)
    assert _by_label(mil.totals)["Số tin, bài đăng tải"].total == 5
    assert _by_label(rest.totals)["Số tin, bài đăng tải"].total == 42


def test_raw_rows_carry_sent_values_only(report, unit_a, district_units):
    agg = request_aggregate(request=report)
    rows = {r.unit_id: r for r in agg.rows}
    a = rows[unit_a.pk]
    assert a.values[0] == 12 and a.values[1] is True and a.values[2] == dt.date(2023, 12, 20)
    assert a.values[4] == ["https://a.vn/1", "https://a.vn/2"]
    assert rows[district_units[1].pk].values == [None] * len(METRICS)  # the draft
    assert [r.name for r in agg.rows] == sorted((r.name for r in agg.rows), key=fold)


def test_a_unit_answering_without_being_a_target_counts_but_is_not_chased(province, unit_a, unit_b):
    req = make_request(province, [unit_a])
    answer(req, unit_b, {"Số tin, bài đăng tải": 4})
    agg = request_aggregate(request=req)
    assert (agg.targets, agg.sent) == (1, 1)
    assert [r.name for r in agg.not_submitted] == [unit_a.name]
    assert _by_label(agg.totals)["Số tin, bài đăng tải"].total == 4
    assert {r.name: r.is_target for r in agg.rows} == {unit_a.name: True, unit_b.name: False}


def test_empty_request(province):
    req = make_request(province, [], metrics=[])
    agg = request_aggregate(request=req)
    assert (agg.metrics, agg.rows, agg.totals, agg.by_kind, agg.by_district) == ([], [], [], [], [])
    assert (agg.targets, agg.sent, agg.not_submitted, agg.late) == (0, 0, [], [])


def test_malformed_values_are_skipped(province, unit_a, unit_b):
    req = make_request(province, [unit_a, unit_b])
    answer(req, unit_a, {"Số tin, bài đăng tải": "7", "Đã đặt banner": "có", "Ngày đặt banner": "hôm qua",
                         "Liên kết bài viết": "https://a.vn/x", "Tệp minh chứng": ["3", True, 4]})
    answer(req, unit_b, {"Số tin, bài đăng tải": True, "Ghi chú": 15})
    t = _by_label(request_aggregate(request=req).totals)
    assert t["Số tin, bài đăng tải"].total == 7 and t["Số tin, bài đăng tải"].answered == 1
    assert t["Đã đặt banner"].answered == 0
    assert t["Ngày đặt banner"].first is None and t["Ngày đặt banner"].text() == "—"
    assert t["Liên kết bài viết"].total == 1
    assert t["Tệp minh chứng"].total == 1
    assert t["Ghi chú"].answered == 0


@pytest.mark.parametrize("kind, raw, expected", [
    ("count", 3.0, 3), ("count", 2.5, None), ("count", " 12 ", 12), ("count", None, None),
    ("boolean", "true", True), ("boolean", 1, None), ("date", "2024-02-29T10:00", dt.date(2024, 2, 29)),
    ("text", "  x ", "x"), ("urls", [], None), ("file", "1", None),
])
def test_normal_value(kind, raw, expected):
    assert normal_value(kind, raw) == expected


def test_number_vi():
    assert number_vi(1234567) == "1.234.567"
    assert number_vi(12) == "12"


def test_a_large_request_takes_a_handful_of_queries(province, django_assert_max_num_queries):
    from directory.models import Unit
    from reporting.models import Submission

    district = Unit.objects.create(name="UBND huyện Lớn", kind="ubnd_huyen", province=province)
    units = Unit.objects.bulk_create(
        Unit(name=f"UBND xã số {i:03d}", kind="ubnd_xa", parent=district, province=province) for i in range(300)
    )
    req = make_request(province, units, metrics=[("count", f"Chỉ tiêu {i}") for i in range(20)])
    keys = [m.key for m in req.metrics.all()]
    Submission.objects.bulk_create(
        Submission(request=req, unit=u, status="submitted", values={k: 1 for k in keys}) for u in units
    )
    with django_assert_max_num_queries(5):
        agg = request_aggregate(request=req)
    assert [t.total for t in agg.totals] == [300] * 20
    assert [g.label for g in agg.by_district] == ["UBND huyện Lớn"]
