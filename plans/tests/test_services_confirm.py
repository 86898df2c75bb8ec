"""plan_confirm: the one transaction that writes a plan, group expansion, versions and
plan_diff, plan_import_file, discard and purge."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import timezone

from directory.models import Unit
from plans.models import Activity, Assignment, Mention, Plan, PlanImport
from plans.services import (
    PlanImportError,
    plan_confirm,
    plan_diff,
    plan_import_discard,
    plan_import_file,
    plan_imports_purge,
    plan_review_set_field,
    plan_review_set_mention,
)
from plans.tests.test_services_common import (  # noqa: F401  (fixtures)
    SMALL_DATE,
    activity,
    directory,
    media_files,
    mention,
    row_counts,
    small_plan_bytes,
    upload_small,
)


def units_of(act: Activity, role: str) -> dict[str, str | None]:
    """{unit name: via group name or None} of one role."""
    return {
        a.unit.name: (a.via_group.name if a.via_group else None)
        for a in act.assignments.filter(role=role).select_related("unit", "via_group")
    }


def test_confirm_writes_plan_activities_mentions_and_assignments(directory, province, officer):
    imp = upload_small(province, officer)
    plan = plan_confirm(plan_import=imp, user=officer)

    imp.refresh_from_db()
    assert imp.status == PlanImport.Status.CONFIRMED and imp.plan == plan
    assert (plan.number, plan.date, plan.version, plan.previous, plan.created_by) == (
        "12/KH-STTTT", SMALL_DATE, 1, None, officer)
    assert plan.title == "Tuyên truyền kỷ niệm ngày thành lập tỉnh năm 2025"
    assert (plan.window_start, plan.window_end) == (dt.date(2025, 3, 1), dt.date(2025, 12, 31))
    assert plan.sha256 == imp.sha256 and plan.file.name == imp.file.name and plan.text
    assert [(p.start, p.end) for p in plan.peaks.all()] == [(dt.date(2025, 6, 1), dt.date(2025, 7, 31))]
    acts = list(plan.activities.order_by("position"))
    assert [(a.position, a.ref) for a in acts] == [(1, "III.1"), (2, "III.2"), (3, "III.3")]
    assert "trien lam" in acts[0].search_key and acts[0].span_start and acts[0].span_end

    # activity 1: group expanded on the plan date; the lead is not also support; a unit
    # named directly is not marked as reached through the group
    assert units_of(acts[0], "lead") == {"Sở Văn hóa, Thể thao và Du lịch": None}
    assert units_of(acts[0], "support") == {"Sở Tài chính": None, "Sở Nội vụ": "Các Sở, Ban, ngành"}
    a1 = acts[0].assignments.get(unit=directory["a"])
    assert (a1.start, a1.end, a1.due, a1.status) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30),
                                                     dt.date(2025, 6, 30), "todo")
    assert a1.mention.text == "Sở Văn hóa, Thể thao và Du lịch"
    # activity 2: due is the deadline
    assert acts[1].assignments.get(role="lead").due == dt.date(2025, 4, 14)
    # activity 3: the unknown lead is kept as a mention without assignment
    unknown = acts[2].mentions.get(text="Phòng Không Tồn Tại")
    assert (unknown.status, unknown.unit, unknown.role) == ("unknown", None, "lead")
    assert not unknown.assignments.exists()
    assert units_of(acts[2], "lead") == {} and units_of(acts[2], "support") == {"Sở Văn hóa, Thể thao và Du lịch": None}
    assert Mention.objects.filter(activity__plan=plan).count() == 7
    assert Assignment.objects.filter(activity__plan=plan).count() == 6


def test_group_members_follow_the_plan_date(directory, province, officer):
    imp = upload_small(province, officer)
    # dated after 1/6/2025 the new department is a member too, the dissolved one still not
    plan_review_set_field(plan_import=imp, user=officer, activity_key=None, field="date", value="10/06/2025")
    plan = plan_confirm(plan_import=imp, user=officer)
    support = units_of(plan.activities.get(ref="III.1"), "support")
    assert set(support) == {"Sở Tài chính", "Sở Nội vụ", "Sở Khoa học mới"}
    assert "Sở Kế hoạch và Đầu tư" not in support


def test_excluded_activities_ignored_and_manual_mentions(directory, province, officer):
    imp = upload_small(province, officer)
    plan_review_set_field(plan_import=imp, user=officer, activity_key=activity(imp.review, "III.2")["key"],
                          field="include", value="")
    third = activity(imp.review, "III.3")
    plan_review_set_mention(plan_import=imp, user=officer, activity_key=third["key"],
                            mention_key=mention(third, "Phòng Không Tồn Tại")["key"], unit_id=directory["noi_vu"].pk)
    plan_review_set_mention(plan_import=imp, user=officer, activity_key=third["key"],
                            mention_key=mention(third, "Sở Văn hóa, Thể thao và Du lịch")["key"], ignore=True)
    plan = plan_confirm(plan_import=imp, user=officer)
    assert list(plan.activities.values_list("ref", "position")) == [("III.1", 1), ("III.3", 2)]
    act = plan.activities.get(ref="III.3")
    assert units_of(act, "lead") == {"Sở Nội vụ": None} and units_of(act, "support") == {}
    assert act.mentions.get(unit=directory["noi_vu"]).method == "manual"
    assert act.mentions.get(status="ignored").text == "Sở Văn hóa, Thể thao và Du lịch"


def test_a_unit_deleted_after_review_fails_midway_and_writes_nothing(directory, province, officer, settings):
    imp = upload_small(province, officer)
    third = activity(imp.review, "III.3")
    plan_review_set_mention(plan_import=imp, user=officer, activity_key=third["key"],
                            mention_key=mention(third, "Phòng Không Tồn Tại")["key"], unit_id=directory["noi_vu"].pk)
    # the group still reaches Sở Nội vụ through its kind, so only the chosen id is gone
    Unit.objects.filter(pk=directory["noi_vu"].pk).delete()
    before = row_counts()
    with pytest.raises(PlanImportError, match="III.3.*không còn trong danh mục"):
        plan_confirm(plan_import=imp, user=officer)
    assert row_counts() == before
    assert not Plan.objects.exists() and not Activity.objects.exists() and not Assignment.objects.exists()
    imp.refresh_from_db()
    assert imp.status == PlanImport.Status.PARSED and imp.plan is None
    assert len(media_files(settings)) == 1  # the upload waits for a corrected review


def test_a_database_error_midway_rolls_everything_back(directory, province, officer):
    imp = upload_small(province, officer)
    # a negative line number breaks the PositiveIntegerField check of the last activity,
    # after the plan and the first activities are written
    imp.review["activities"][-1]["span"] = [-5, 3]
    imp.save(update_fields=["review"])
    with pytest.raises(IntegrityError):
        plan_confirm(plan_import=imp, user=officer)
    counts = row_counts()
    assert (counts["Plan"], counts["PlanPeriod"], counts["Activity"], counts["Mention"], counts["Assignment"]) == (
        0, 0, 0, 0, 0)
    imp.refresh_from_db()
    assert imp.status == PlanImport.Status.PARSED


def test_confirm_twice_and_confirm_without_title_are_refused(directory, province, officer):
    imp = upload_small(province, officer)
    stale = PlanImport.objects.get(pk=imp.pk)
    plan_confirm(plan_import=imp, user=officer)
    with pytest.raises(PlanImportError, match="đã được xác nhận"):
        plan_confirm(plan_import=stale, user=officer)
    assert Plan.objects.count() == 1

    other = upload_small(province, officer, extra=" Khác.")
    other.review["header"]["title"] = ""
    other.save(update_fields=["review"])
    with pytest.raises(PlanImportError, match="trích yếu"):
        plan_confirm(plan_import=other, user=officer)


@pytest.mark.parametrize("who", ["leader", "reporter", "other_officer", "outsider"])
def test_only_the_provinces_officers_may_confirm(request, directory, province, officer, who):
    imp = upload_small(province, officer)
    with pytest.raises(PermissionDenied):
        plan_confirm(plan_import=imp, user=request.getfixturevalue(who))
    assert not Plan.objects.exists()


def test_new_version_links_previous_and_diff_lists_changes(directory, province, officer):
    old = plan_import_file(data=small_plan_bytes(), filename="v1.txt", province=province, user=officer)
    # v2 inserts a first activity (renumbering the others), moves a deadline and
    # rewrites the title of the last activity
    text = small_plan_bytes().decode()
    text = text.replace("3. Đăng tải tin bài trên cổng thông tin", "4. Đăng tải tin bài trên báo điện tử")
    text = text.replace("2. Bố trí kinh phí", "3. Bố trí kinh phí").replace("Trước ngày 15/4", "Trước ngày 30/4")
    text = text.replace(
        "1. Tổ chức triển lãm",
        "1. Tổ chức hội nghị báo cáo viên\n\n- Đơn vị chủ trì: Sở Nội vụ.\n\n"
        "- Thời gian thực hiện: Tháng 4/2025.\n\n2. Tổ chức triển lãm",
    )
    new = plan_import_file(data=text.encode(), filename="v2.txt", province=province, user=officer)

    assert (new.previous, new.version) == (old, 2)
    assert list(new.activities.values_list("ref", flat=True)) == ["III.1", "III.2", "III.3", "III.4"]
    diff = plan_diff(old=old, new=new)
    assert diff["added"] == ["III.1", "III.4"]
    assert diff["removed"] == ["III.3"]
    assert diff["changed"][0] == {"ref": "III.2", "fields": {"ref": ["III.1", "III.2"]}}
    moved = diff["changed"][1]
    assert moved["ref"] == "III.3" and set(moved["fields"]) == {"ref", "deadline", "time_text", "content"}
    assert moved["fields"]["deadline"] == ["2025-04-14", "2025-04-29"]
    assert moved["fields"]["time_text"] == ["Trước ngày 15/4/2025.", "Trước ngày 30/4/2025."]
    assert len(diff["changed"]) == 2


def test_plan_diff_added_removed_and_unchanged(directory, province, officer):
    old = plan_import_file(data=small_plan_bytes(), filename="v1.txt", province=province, user=officer)
    text = small_plan_bytes().decode()
    start = text.index("3. Đăng tải")
    shorter = text[:start] + "3. Tổ chức hội thi ảnh\n\n- Đơn vị chủ trì: Sở Nội vụ.\n"
    new = plan_import_file(data=shorter.encode(), filename="v2.txt", province=province, user=officer)
    diff = plan_diff(old=old, new=new)
    assert [c["ref"] for c in diff["changed"]] == ["III.3"]
    assert diff["changed"][0]["fields"]["title"] == ["Đăng tải tin bài trên cổng thông tin", "Tổ chức hội thi ảnh"]
    assert plan_diff(old=old, new=old) == {"added": [], "removed": [], "changed": []}
    two = text[:start]
    fewer = plan_import_file(data=two.encode(), filename="v3.txt", province=province, user=officer)
    assert plan_diff(old=old, new=fewer) == {"added": [], "removed": ["III.3"], "changed": []}
    assert plan_diff(old=fewer, new=old)["added"] == ["III.3"]
    assert fewer.version == 3 and fewer.previous == new


def test_import_file_returns_the_existing_plan_for_the_same_bytes(directory, province, officer, settings):
    plan = plan_import_file(data=small_plan_bytes(), filename="a.txt", province=province, user=None)
    assert isinstance(plan, Plan) and plan.created_by is None
    before = row_counts()
    files = media_files(settings)
    assert plan_import_file(data=small_plan_bytes(), filename="b.txt", province=province) == plan
    assert row_counts() == before and media_files(settings) == files

    imp = plan_import_file(data=small_plan_bytes(extra=" Khác."), filename="c.txt", province=province, confirm=False)
    assert isinstance(imp, PlanImport) and imp.status == PlanImport.Status.PARSED


def test_discard_deletes_the_file_and_purge_removes_old_unconfirmed_imports(
    directory, province, officer, leader, settings
):
    confirmed = upload_small(province, officer)
    plan_confirm(plan_import=confirmed, user=officer)
    discarded = upload_small(province, officer, extra=" Một.")
    waiting = upload_small(province, officer, extra=" Hai.")
    recent = upload_small(province, officer, extra=" Ba.")

    plan_import_discard(plan_import=discarded, user=officer)
    discarded.refresh_from_db()
    assert discarded.status == PlanImport.Status.DISCARDED and not discarded.file
    assert len(media_files(settings)) == 3
    with pytest.raises(PlanImportError):
        plan_import_discard(plan_import=confirmed, user=officer)
    with pytest.raises(PermissionDenied):
        plan_import_discard(plan_import=waiting, user=leader)

    old = timezone.now() - dt.timedelta(days=31)
    PlanImport.objects.filter(pk__in=[confirmed.pk, discarded.pk, waiting.pk]).update(created_at=old)
    assert plan_imports_purge(older_than_days=30) == 2
    assert set(PlanImport.objects.values_list("pk", flat=True)) == {confirmed.pk, recent.pk}
    # the confirmed plan's file and the recent upload remain
    assert {p.name for p in media_files(settings)} == {
        confirmed.file.name.rsplit("/", 1)[-1], recent.file.name.rsplit("/", 1)[-1]}
    assert Plan.objects.get().file.storage.exists(Plan.objects.get().file.name)
