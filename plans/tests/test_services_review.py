"""Review edits: fields, mentions, the unresolved count, and who may make them."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from directory.models import Unit, UnitGroup
from plans.models import PlanImport
from plans.services import (
    PlanImportError,
    plan_confirm,
    plan_import_discard,
    plan_review_add_mention,
    plan_review_remove_mention,
    plan_review_set_field,
    plan_review_set_fields,
    plan_review_set_mention,
    plan_review_unresolved,
)
from plans.tests.test_services_common import activity, directory, mention, upload_small  # noqa: F401


@pytest.fixture
def imp(directory, province, officer):
    return upload_small(province, officer)


def stored(imp) -> dict:
    return PlanImport.objects.get(pk=imp.pk).review


def key_of(imp, ref: str) -> str:
    return activity(imp.review, ref)["key"]


def test_header_fields_are_set_and_dates_take_both_forms(imp, officer):
    plan_review_set_field(plan_import=imp, user=officer, activity_key=None, field="title", value="  Tên mới ")
    plan_review_set_field(plan_import=imp, user=officer, activity_key=None, field="date", value="7/3/2025")
    plan_review_set_field(plan_import=imp, user=officer, activity_key=None, field="window_end", value="2025-11-30")
    header = stored(imp)["header"]
    assert (header["title"], header["date"], header["window_end"]) == ("Tên mới", "2025-03-07", "2025-11-30")
    assert imp.review["header"] == header  # the caller's object follows the edit
    plan_review_set_field(plan_import=imp, user=officer, activity_key=None, field="date", value="")
    assert stored(imp)["header"]["date"] is None


def test_activity_fields_and_include_toggle(imp, officer):
    key = key_of(imp, "III.2")
    plan_review_set_field(plan_import=imp, user=officer, activity_key=key, field="deadline", value="30/04/2025")
    plan_review_set_field(plan_import=imp, user=officer, activity_key=key, field="content", value="Chi tiết")
    plan_review_set_field(plan_import=imp, user=officer, activity_key=key, field="include", value="")
    entry = activity(stored(imp), "III.2")
    assert (entry["deadline"], entry["content"], entry["include"]) == ("2025-04-30", "Chi tiết", False)
    plan_review_set_field(plan_import=imp, user=officer, activity_key=key, field="include", value="on")
    assert activity(stored(imp), "III.2")["include"] is True


@pytest.mark.parametrize(
    "activity_ref, field, value, message",
    [
        ("III.1", "start", "31/02/2025", "không phải là ngày hợp lệ"),
        ("III.1", "end", "ngày mai", "dd/mm/yyyy"),
        ("III.1", "start", "01/07/2025", "Bắt đầu phải trước"),  # after its end, 30/06
        ("III.1", "title", "   ", "không được để trống"),
        ("III.1", "ref", "x" * 61, "dài quá"),
        ("III.1", "plan_id", "3", "Không sửa được"),
        (None, "window_start", "01/01/2026", "phải trước"),
        (None, "sha256", "x", "Không sửa được"),
        (None, "date", "2025-13-01", "không phải là ngày hợp lệ"),
    ],
)
def test_invalid_edits_are_refused_and_change_nothing(imp, officer, activity_ref, field, value, message):
    before = stored(imp)
    key = key_of(imp, activity_ref) if activity_ref else None
    with pytest.raises(PlanImportError, match=message):
        plan_review_set_field(plan_import=imp, user=officer, activity_key=key, field=field, value=value)
    assert stored(imp) == before


def test_unknown_activity_key_is_refused(imp, officer):
    with pytest.raises(PlanImportError, match="Không tìm thấy hoạt động"):
        plan_review_set_field(plan_import=imp, user=officer, activity_key="a99", field="title", value="x")


def test_officer_picks_a_unit_a_group_or_ignores(imp, officer, directory):
    key = key_of(imp, "III.3")
    m = mention(activity(imp.review, "III.3"), "Phòng Không Tồn Tại")
    assert plan_review_unresolved(imp.review) == 1

    result = plan_review_set_mention(
        plan_import=imp, user=officer, activity_key=key, mention_key=m["key"], unit_id=directory["noi_vu"].pk
    )
    assert (result["status"], result["unit_id"], result["unit_name"], result["method"]) == (
        "unit", directory["noi_vu"].pk, "Sở Nội vụ", "manual")
    assert mention(activity(stored(imp), "III.3"), "Phòng Không Tồn Tại") == result
    assert plan_review_unresolved(stored(imp)) == 0

    result = plan_review_set_mention(
        plan_import=imp, user=officer, activity_key=key, mention_key=m["key"], group_id=directory["group"].pk
    )
    assert (result["status"], result["group_id"], result["unit_id"]) == ("group", directory["group"].pk, None)

    result = plan_review_set_mention(plan_import=imp, user=officer, activity_key=key, mention_key=m["key"], ignore=True)
    assert (result["status"], result["unit_id"], result["group_id"]) == ("ignored", None, None)

    # with no choice the text is resolved again
    result = plan_review_set_mention(plan_import=imp, user=officer, activity_key=key, mention_key=m["key"])
    assert result["status"] == "unknown" and result["method"] != "manual"


def test_units_and_groups_of_another_province_cannot_be_picked(imp, officer, other_province):
    foreign = Unit.objects.create(name="Sở Tài chính", kind="so_nganh", province=other_province)
    foreign_group = UnitGroup.objects.create(name="Nhóm khác", province=other_province)
    central = Unit.objects.create(name="Đài Truyền hình Việt Nam", kind="bao_chi_tw", province=None)
    key = key_of(imp, "III.3")
    m = mention(activity(imp.review, "III.3"), "Phòng Không Tồn Tại")["key"]
    with pytest.raises(PlanImportError, match="không có trong danh mục"):
        plan_review_set_mention(plan_import=imp, user=officer, activity_key=key, mention_key=m, unit_id=foreign.pk)
    with pytest.raises(PlanImportError, match="không có trong danh mục"):
        plan_review_set_mention(plan_import=imp, user=officer, activity_key=key, mention_key=m,
                                group_id=foreign_group.pk)
    with pytest.raises(PlanImportError, match="Chỉ chọn một"):
        plan_review_set_mention(plan_import=imp, user=officer, activity_key=key, mention_key=m,
                                unit_id=central.pk, ignore=True)
    # a unit with no province (central press) may be picked
    result = plan_review_set_mention(plan_import=imp, user=officer, activity_key=key, mention_key=m,
                                     unit_id=central.pk)
    assert result["unit_id"] == central.pk


def test_add_and_remove_mentions(imp, officer, directory):
    key = key_of(imp, "III.2")
    added = plan_review_add_mention(plan_import=imp, user=officer, activity_key=key, role="support", text="Sở Nội vụ")
    assert (added["role"], added["status"], added["unit_id"]) == ("support", "unit", directory["noi_vu"].pk)
    entry = activity(stored(imp), "III.2")
    assert entry["mentions"][-1] == added
    assert len({m["key"] for m in entry["mentions"]}) == len(entry["mentions"])

    unknown = plan_review_add_mention(plan_import=imp, user=officer, activity_key=key, role="lead", text="Ai đó")
    assert unknown["status"] == "unknown" and plan_review_unresolved(stored(imp)) == 2

    plan_review_remove_mention(plan_import=imp, user=officer, activity_key=key, mention_key=unknown["key"])
    plan_review_remove_mention(plan_import=imp, user=officer, activity_key=key, mention_key=entry["mentions"][0]["key"])
    texts = [m["text"] for m in activity(stored(imp), "III.2")["mentions"]]
    assert texts == ["Sở Văn hóa, Thể thao và Du lịch", "Sở Nội vụ"]
    again = plan_review_add_mention(plan_import=imp, user=officer, activity_key=key, role="lead", text="Sở Tài chính")
    keys = [m["key"] for m in activity(stored(imp), "III.2")["mentions"]]
    assert again["key"] == keys[-1] and len(set(keys)) == len(keys) == 3

    with pytest.raises(PlanImportError):
        plan_review_add_mention(plan_import=imp, user=officer, activity_key=key, role="boss", text="Sở Nội vụ")
    with pytest.raises(PlanImportError):
        plan_review_add_mention(plan_import=imp, user=officer, activity_key=key, role="lead", text="  ")
    with pytest.raises(PlanImportError):
        plan_review_remove_mention(plan_import=imp, user=officer, activity_key=key, mention_key="m404")


def test_unresolved_count_skips_excluded_activities(imp, officer):
    assert plan_review_unresolved(imp.review) == 1
    plan_review_set_field(plan_import=imp, user=officer, activity_key=key_of(imp, "III.3"), field="include", value="")
    assert plan_review_unresolved(stored(imp)) == 0
    assert plan_review_unresolved({}) == 0


def test_edits_stop_once_confirmed_or_discarded(imp, officer, directory, province):
    plan_confirm(plan_import=imp, user=officer)
    with pytest.raises(PlanImportError, match="đã được xác nhận"):
        plan_review_set_field(plan_import=imp, user=officer, activity_key=None, field="title", value="x")
    other = upload_small(province, officer, extra=" Khác.")
    plan_import_discard(plan_import=other, user=officer)
    with pytest.raises(PlanImportError):
        plan_review_add_mention(plan_import=other, user=officer, activity_key="a0", role="lead", text="Sở Nội vụ")


@pytest.mark.parametrize("who", ["leader", "reporter", "other_officer", "outsider"])
def test_only_the_provinces_officers_may_edit(request, imp, who):
    user = request.getfixturevalue(who)
    before = stored(imp)
    with pytest.raises(PermissionDenied):
        plan_review_set_field(plan_import=imp, user=user, activity_key=None, field="title", value="x")
    with pytest.raises(PermissionDenied):
        plan_review_add_mention(plan_import=imp, user=user, activity_key="a0", role="lead", text="Sở Nội vụ")
    with pytest.raises(PermissionDenied):
        plan_review_set_mention(plan_import=imp, user=user, activity_key="a0", mention_key="m0", ignore=True)
    with pytest.raises(PermissionDenied):
        plan_review_remove_mention(plan_import=imp, user=user, activity_key="a0", mention_key="m0")
    assert stored(imp) == before


def test_several_fields_are_written_all_or_none(imp, officer):
    key = key_of(imp, imp.review["activities"][0]["ref"])
    before = activity(stored(imp), imp.review["activities"][0]["ref"])
    with pytest.raises(PlanImportError):
        plan_review_set_fields(
            plan_import=imp, user=officer, activity_key=key,
            changes={"title": "Tên đã sửa", "start": "01/05/2025", "end": "không phải ngày"},
        )
    after = activity(stored(imp), imp.review["activities"][0]["ref"])
    assert after["title"] == before["title"] and after["start"] == before["start"]
    # a range moved later in one call: checked once every change is applied
    plan_review_set_fields(
        plan_import=imp, user=officer, activity_key=key,
        changes={"title": "Tên đã sửa", "start": "01/01/2031", "end": "31/12/2031"},
    )
    after = activity(stored(imp), imp.review["activities"][0]["ref"])
    assert (after["title"], after["start"], after["end"]) == ("Tên đã sửa", "2031-01-01", "2031-12-31")
