"""Documents, a small directory and helpers shared by the plans tests, which import
them. This module holds no tests of its own.

The small directory lives in the `province` of planwatch.testing:
- unit_a "Sở Văn hóa, Thể thao và Du lịch" and unit_b "Sở Tài chính" (departments);
- "Sở Nội vụ", a department valid on the small plan's date (5/3/2025);
- "Sở Kế hoạch và Đầu tư", a department dissolved on 28/2/2025, before that date;
- "Sở Khoa học mới", a department valid only from 1/6/2025, after it;
- the group "Các Sở, Ban, ngành" (every department of the province), with an alias.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

# A plan as a department writes one, with the labeled fields of seed 000. Activity 1
# names a group, activity 2 a deadline, activity 3 a unit nobody knows.
SMALL_PLAN = """UBND TỈNH THỬ
SỞ THÔNG TIN VÀ TRUYỀN THÔNG

Số: 12/KH-STTTT

Tỉnh Thử, ngày 05 tháng 3 năm 2025

KẾ HOẠCH

Tuyên truyền kỷ niệm ngày thành lập tỉnh năm 2025

I. MỤC ĐÍCH, YÊU CẦU

Tuyên truyền sâu rộng.

II. THỜI GIAN

Kế hoạch thực hiện từ tháng 3/2025 đến hết tháng 12/2025; cao điểm từ tháng 6/2025 đến hết tháng 7/2025.

III. NHIỆM VỤ CỤ THỂ

1. Tổ chức triển lãm ảnh về quê hương

- Đơn vị chủ trì: Sở Văn hóa, Thể thao và Du lịch.

- Đơn vị phối hợp: Sở Tài chính; các Sở, Ban, ngành.

- Thời gian thực hiện: Từ tháng 4/2025 đến hết tháng 6/2025.

2. Bố trí kinh phí thực hiện kế hoạch

- Đơn vị chủ trì: Sở Tài chính.

- Đơn vị phối hợp: Sở Văn hóa, Thể thao và Du lịch.

- Thời gian hoàn thành: Trước ngày 15/4/2025.

3. Đăng tải tin bài trên cổng thông tin

- Đơn vị chủ trì: Phòng Không Tồn Tại.

- Đơn vị phối hợp: Sở Văn hóa, Thể thao và Du lịch.

- Thời gian thực hiện: Tháng 5/2025.
"""
SMALL_DATE = dt.date(2025, 3, 5)


def small_plan_bytes(*, number: str = "12/KH-STTTT", extra: str = "") -> bytes:
    """The small plan, optionally renumbered or with a changed ending (a new version)."""
    return SMALL_PLAN.replace("12/KH-STTTT", number).replace("Tháng 5/2025.", "Tháng 5/2025." + extra).encode()


def seed_path(prefix: str) -> Path:
    from docparse.tests.conftest import seed

    return seed(prefix)


@pytest.fixture
def directory(province, unit_a, unit_b):
    """The small directory described in the module docstring, as a dict of rows."""
    from directory.models import Alias, Unit, UnitGroup

    noi_vu = Unit.objects.create(name="Sở Nội vụ", kind="so_nganh", province=province)
    khdt = Unit.objects.create(
        name="Sở Kế hoạch và Đầu tư", kind="so_nganh", province=province, valid_to=dt.date(2025, 2, 28)
    )
    moi = Unit.objects.create(
        name="Sở Khoa học mới", kind="so_nganh", province=province, valid_from=dt.date(2025, 6, 1)
    )
    group = UnitGroup.objects.create(name="Các Sở, Ban, ngành", province=province, kinds=["so_nganh"])
    Alias.objects.create(text="các Sở, Ban, ngành", group=group)
    return {"a": unit_a, "b": unit_b, "noi_vu": noi_vu, "khdt": khdt, "moi": moi, "group": group}


def upload_small(province, user, **kwargs):
    from plans.services import plan_import_upload

    return plan_import_upload(data=small_plan_bytes(**kwargs), filename="ke-hoach-12.txt", province=province, user=user)


def activity(review: dict, ref: str) -> dict:
    (entry,) = [a for a in review["activities"] if a["ref"] == ref]
    return entry


def mention(entry: dict, text: str) -> dict:
    (m,) = [m for m in entry["mentions"] if m["text"] == text]
    return m


def row_counts() -> dict[str, int]:
    from plans.models import Activity, Assignment, Mention, Plan, PlanImport, PlanPeriod

    return {m.__name__: m.objects.count() for m in (Plan, PlanPeriod, Activity, Mention, Assignment, PlanImport)}


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
