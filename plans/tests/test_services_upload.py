"""plan_import_upload and build_review: reading, resolving, duplicates, hostile files."""
from __future__ import annotations

import os

import pytest
from django.core.exceptions import PermissionDenied

from directory.models import Unit
from plans.models import PlanImport
from plans.services import PlanImportError, build_review, plan_confirm, plan_import_upload
from plans.tests.test_services_common import (  # noqa: F401  (fixtures)
    activity,
    directory,
    media_files,
    mention,
    row_counts,
    seed_path,
    small_plan_bytes,
    upload_small,
)

HEADER_KEYS = {"number", "kind", "title", "issuer", "date", "place", "window_start", "window_end", "window_text"}
ACTIVITY_KEYS = {
    "key", "include", "ref", "title", "content", "form", "location", "duration", "audience", "funding",
    "time_text", "start", "end", "deadline", "recurrence", "span", "notes", "mentions",
}
MENTION_KEYS = {
    "key", "role", "text", "status", "unit_id", "unit_name", "group_id", "group_name", "candidates",
    "group_candidates", "method",
}


def test_seed_000_as_docx_gives_its_24_activities_and_resolves_known_units(tmp_path, province, officer, unit_b):
    from docparse.tests.builders import build_numbered_docx

    btg = Unit.objects.create(name="Ban Tuyên giáo Tỉnh ủy", kind="dang", province=province)
    stttt = Unit.objects.create(name="Sở Thông tin và Truyền thông", kind="so_nganh", province=province)
    path = build_numbered_docx(seed_path("000"), tmp_path / "529-KH-UBND.docx")

    imp = plan_import_upload(data=path.read_bytes(), filename=path.name, province=province, user=officer)

    assert imp.status == PlanImport.Status.PARSED and imp.uploaded_by == officer
    assert imp.sha256 and imp.size == path.stat().st_size and imp.file.read() == path.read_bytes()
    review = imp.review
    assert set(review["header"]) == HEADER_KEYS
    assert review["header"]["number"] == "529/KH-UBND" and review["header"]["date"] == "2023-08-16"
    assert review["header"]["window_end"] == "2024-03-31"
    assert review["peaks"] == [imp.parsed["peaks"][0]]
    assert review["duplicate_of"] is None and review["previous_id"] is None
    assert len(review["activities"]) == 24 == len(imp.parsed["activities"])
    assert [a["key"] for a in review["activities"]] == [f"a{i}" for i in range(24)]
    for entry in review["activities"]:
        assert set(entry) == ACTIVITY_KEYS and entry["include"] is True
        assert [m["key"] for m in entry["mentions"]] == [f"m{i}" for i in range(len(entry["mentions"]))]
        for m in entry["mentions"]:
            assert set(m) == MENTION_KEYS
            assert m["status"] in ("unit", "group", "ambiguous", "unknown")

    first = activity(review, "III.1.1")
    assert first["span"] and first["span"][0] <= first["span"][1]
    lead = mention(first, "Ban Tuyên giáo Tỉnh ủy")
    assert (lead["role"], lead["status"], lead["unit_id"], lead["unit_name"]) == ("lead", "unit", btg.pk, btg.name)
    support = mention(first, "Sở Thông tin và Truyền thông")
    assert (support["role"], support["status"], support["unit_id"]) == ("support", "unit", stttt.pk)
    assert mention(activity(review, "V.5"), "Sở Tài chính")["unit_id"] == unit_b.pk
    assert activity(review, "III.2.4")["deadline"] == "2023-12-14"


def test_seed_000_with_the_demo_directory_resolves_its_mentions(tmp_path, officer):
    from directory.models import Province
    from directory.services import directory_load_demo

    directory_load_demo()
    province = Province.objects.get(code="dak-nong")
    imp = plan_import_upload(data=seed_path("000").read_bytes(), filename="529.txt", province=province, user=None)
    mentions = [m for a in imp.review["activities"] for m in a["mentions"]]
    unresolved = [m["text"] for m in mentions if m["status"] not in ("unit", "group")]
    assert len(unresolved) <= 0.05 * len(mentions), unresolved

    plan = plan_confirm(plan_import=imp, user=None)
    for act in plan.activities.prefetch_related("mentions", "assignments"):
        if any(m.role == "lead" and m.status in ("unit", "group") for m in act.mentions.all()):
            assert any(a.role == "lead" for a in act.assignments.all()), act.ref


def test_small_plan_review_resolves_units_groups_and_unknowns(directory, province, officer):
    review = upload_small(province, officer).review
    first = activity(review, "III.1")
    assert (first["start"], first["end"]) == ("2025-04-01", "2025-06-30")
    assert mention(first, "Sở Văn hóa, Thể thao và Du lịch")["unit_id"] == directory["a"].pk
    group = mention(first, "các Sở, Ban, ngành")
    assert (group["status"], group["group_id"], group["group_name"]) == ("group", directory["group"].pk,
                                                                         "Các Sở, Ban, ngành")
    unknown = mention(activity(review, "III.3"), "Phòng Không Tồn Tại")
    assert unknown["status"] == "unknown" and unknown["unit_id"] is None and unknown["role"] == "lead"
    assert review["header"]["window_start"] == "2025-03-01"
    assert review["peaks"] == [{"start": "2025-06-01", "end": "2025-07-31", "text": review["peaks"][0]["text"]}]


def test_build_review_clips_fields_to_the_database_limits(province, directory):
    parsed = {"number": "1" * 300, "title": "T", "activities": [
        {"ref": "X" * 100, "title": "Việc", "lead": ["  Sở Tài chính  ", ""], "support": []}]}
    review = build_review(parsed=parsed, province=province, sha256="0" * 64)
    assert len(review["header"]["number"]) == 100
    entry = review["activities"][0]
    assert len(entry["ref"]) == 60 and entry["content"] == "" and entry["span"] is None
    assert [m["text"] for m in entry["mentions"]] == ["Sở Tài chính"]


def test_duplicate_and_previous_version_are_flagged(directory, province, officer):
    first = upload_small(province, officer)
    plan = plan_confirm(plan_import=first, user=officer)

    again = upload_small(province, officer)
    assert again.review["duplicate_of"] == plan.pk and again.review["previous_id"] is None
    with pytest.raises(PlanImportError, match="đã được nhập"):
        plan_confirm(plan_import=again, user=officer)

    revised = upload_small(province, officer, extra=" Bổ sung.")
    assert revised.review["duplicate_of"] is None and revised.review["previous_id"] == plan.pk
    other_number = upload_small(province, officer, number="99/KH-STTTT", extra=" Khác.")
    assert other_number.review["previous_id"] is None


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("ke-hoach.docx", os.urandom(20_000), "hỏng"),
        ("ke-hoach.docx", b"", "rỗng"),
        ("ke-hoach.pdf", b"%PDF-1.4 not really", "PDF"),
        ("ke-hoach.exe", b"MZ\x90\x00", "không được hỗ trợ"),
        ("ke-hoach.txt", "Chỉ là một dòng chữ, không có hoạt động nào.".encode(), "không tìm thấy hoạt động"),
    ],
)
def test_hostile_files_are_refused_and_leave_nothing(province, officer, settings, name, data, message):
    before = row_counts()
    with pytest.raises(PlanImportError, match=message):
        plan_import_upload(data=data, filename=name, province=province, user=officer)
    assert row_counts() == before
    assert media_files(settings) == []


def test_a_path_in_the_file_name_stays_out_of_the_storage_path(directory, province, officer, settings):
    imp = plan_import_upload(data=small_plan_bytes(), filename="..\\..\\../../kh.txt", province=province, user=officer)
    assert imp.filename == "..\\..\\../../kh.txt"
    (stored,) = media_files(settings)
    assert stored.name == "kh.txt" and str(stored).startswith(str(settings.MEDIA_ROOT))


def test_a_file_over_the_limit_is_refused_before_parsing(province, officer, settings):
    settings.PLAN_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(PlanImportError, match="quá lớn") as err:
        plan_import_upload(data=small_plan_bytes(), filename="lon.txt", province=province, user=officer)
    assert "giới hạn" in err.value.message
    assert row_counts()["PlanImport"] == 0 and media_files(settings) == []


@pytest.mark.parametrize("who", ["leader", "reporter", "other_officer", "outsider"])
def test_only_the_provinces_officers_may_upload(request, province, unit_a, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        plan_import_upload(data=small_plan_bytes(), filename="x.txt", province=province, user=user)
    assert row_counts()["PlanImport"] == 0
