"""Plans and imports shared by the plans view tests, which import them. This module
holds no tests of its own.

- `plan`: plan 529/KH-UBND of `province` with three activities: III.1.1 led by unit_a
  (assigned, overdue), supported by unit_b (assigned) and by a press agency nobody
  knows; III.1.2 led by unit_b (assigned, done); III.2.1 with no date and no unit.
  So the reporter (unit_a) sees the plan and III.1.1 only, with unit_a's assignment.
- `foreign_plan`: a plan of `other_province`, seen by other_officer only.
- `pending_import`: an import under review (made by hand, without the parser), with one
  resolved, one ambiguous and one unknown mention.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

PLAN_TEXT = "\n".join([
    "Số: 529/KH-UBND",                                               # 1
    "KẾ HOẠCH Thông tin, tuyên truyền kỷ niệm 20 năm tái lập tỉnh",  # 2
    "1.1. Xây dựng đề cương tuyên truyền",                           # 3
    "- Đơn vị thực hiện: Sở Văn hóa, Thể thao và Du lịch.",          # 4
    "- Đơn vị phối hợp: Sở Tài chính; các cơ quan báo chí.",         # 5
    "1.2. Bố trí kinh phí tuyên truyền",                             # 6
    "- Đơn vị thực hiện: Sở Tài chính.",                             # 7
    "2.1. Tuyên truyền trên mạng xã hội",                            # 8
])
IMPORT_TEXT = "\n".join([
    "Số: 12/KH-STTTT",                                    # 1
    "KẾ HOẠCH Tuyên truyền kỷ niệm ngày thành lập tỉnh",  # 2
    "III. NHIỆM VỤ CỤ THỂ",                               # 3
    "",                                                   # 4
    "1. Tổ chức triển lãm ảnh về quê hương",              # 5
    "- Đơn vị chủ trì: Sở Văn hóa, Thể thao và Du lịch.", # 6
    "- Đơn vị phối hợp: Sở Tài chánh.",                   # 7
    "2. Đăng tải tin bài trên cổng thông tin",            # 8
    "- Đơn vị chủ trì: Phòng Không Tồn Tại.",             # 9
])


def seed_000() -> Path:
    return Path(os.environ.get("PLANWATCH_SHARED", "/work/shared")) / "seeds" / "000_29852cda548e02be.txt"


@pytest.fixture
def plan(province, unit_a, unit_b):
    from plans.models import Activity, Assignment, Mention, Plan, PlanPeriod

    p = Plan.objects.create(
        province=province, number="529/KH-UBND", kind="Kế hoạch",
        title="Thông tin, tuyên truyền kỷ niệm 20 năm Ngày tái lập tỉnh", issuer="Ủy ban nhân dân tỉnh Thử",
        date=dt.date(2023, 8, 16), place="Tỉnh Thử",
        signer={"authority": "TM.", "on_behalf_of": "ỦY BAN NHÂN DÂN", "position": "CHỦ TỊCH", "name": "Nguyễn Văn Ký"},
        window_start=dt.date(2023, 8, 16), window_end=dt.date(2024, 3, 31), window_text="từ nay đến hết tháng 3/2024",
        text=PLAN_TEXT,
    )
    PlanPeriod.objects.create(plan=p, start=dt.date(2023, 12, 1), end=dt.date(2024, 3, 31), text="cao điểm tháng 12/2023")
    a1 = Activity.objects.create(
        plan=p, position=1, ref="III.1.1", title="Xây dựng đề cương tuyên truyền", content="Đề cương gửi các đơn vị.",
        form="Văn bản", time_text="Tháng 8-9/2023", start=dt.date(2023, 8, 16), end=dt.date(2023, 9, 30),
        deadline=dt.date(2023, 9, 30), span_start=3, span_end=5, notes=["Đề nghị Ban Tuyên giáo"],
    )
    a2 = Activity.objects.create(
        plan=p, position=2, ref="III.1.2", title="Bố trí kinh phí tuyên truyền", deadline=dt.date(2023, 10, 15),
        span_start=6, span_end=7,
    )
    Activity.objects.create(plan=p, position=3, ref="III.2.1", title="Tuyên truyền trên mạng xã hội", span_start=8, span_end=8)
    m1 = Mention.objects.create(activity=a1, role="lead", text="Sở Văn hóa, Thể thao và Du lịch", status="unit", unit=unit_a)
    m2 = Mention.objects.create(activity=a1, role="support", text="Sở Tài chính", status="unit", unit=unit_b)
    Mention.objects.create(activity=a1, role="support", text="các cơ quan báo chí", status="unknown")
    m4 = Mention.objects.create(activity=a2, role="lead", text="Sở Tài chính", status="unit", unit=unit_b)
    Assignment.objects.create(activity=a1, unit=unit_a, role="lead", start=a1.start, end=a1.end, due=a1.deadline, mention=m1)
    Assignment.objects.create(activity=a1, unit=unit_b, role="support", due=a1.deadline, status="done", mention=m2)
    Assignment.objects.create(activity=a2, unit=unit_b, role="lead", due=a2.deadline, status="done", mention=m4)
    return p


@pytest.fixture
def foreign_plan(other_province):
    from plans.models import Activity, Plan

    p = Plan.objects.create(province=other_province, number="77/KH-UBND", title="Kế hoạch của tỉnh khác", date=dt.date(2024, 1, 2))
    Activity.objects.create(plan=p, position=1, ref="1", title="Hoạt động tỉnh khác")
    return p


def import_review(unit_a, unit_b) -> dict:
    def mention(key, role, text, status, unit=None, candidates=()):
        return {
            "key": key, "role": role, "text": text, "status": status,
            "unit_id": unit.pk if unit else None, "unit_name": unit.name if unit else None,
            "group_id": None, "group_name": None,
            "candidates": [{"id": u.pk, "name": u.name} for u in candidates], "method": "alias" if unit else "",
        }

    def activity(key, ref, title, span, mentions, **dates):
        return {
            "key": key, "include": True, "ref": ref, "title": title, "content": "", "form": "", "location": "",
            "duration": "", "audience": "", "funding": "", "time_text": "",
            "start": dates.get("start"), "end": dates.get("end"), "deadline": dates.get("deadline"),
            "recurrence": None, "span": span, "notes": [], "mentions": mentions,
        }

    return {
        "header": {
            "number": "12/KH-STTTT", "kind": "Kế hoạch", "title": "Tuyên truyền kỷ niệm ngày thành lập tỉnh",
            "issuer": "", "date": "2025-03-05", "place": "Tỉnh Thử", "window_start": "2025-03-01",
            "window_end": "2025-12-31", "window_text": "từ tháng 3/2025 đến hết tháng 12/2025",
        },
        "peaks": [{"start": "2025-06-01", "end": "2025-07-31", "text": "cao điểm tháng 6 và 7/2025"}],
        "duplicate_of": None,
        "previous_id": None,
        "activities": [
            activity("a0", "1", "Tổ chức triển lãm ảnh về quê hương", [5, 7], [
                mention("m0", "lead", "Sở Văn hóa, Thể thao và Du lịch", "unit", unit=unit_a),
                mention("m1", "support", "Sở Tài chánh", "ambiguous", candidates=[unit_b]),
            ], start="2025-04-01", end="2025-06-30"),
            activity("a1", "2", "Đăng tải tin bài trên cổng thông tin", [8, 9], [
                mention("m0", "lead", "Phòng Không Tồn Tại", "unknown"),
            ], start="2025-05-01", end="2025-05-31"),
        ],
    }


@pytest.fixture
def pending_import(province, officer, unit_a, unit_b):
    from plans.models import PlanImport

    return PlanImport.objects.create(
        province=province, uploaded_by=officer, filename="ke-hoach-12.txt", sha256="1" * 64, size=100,
        status=PlanImport.Status.PARSED, parsed={"text": IMPORT_TEXT}, review=import_review(unit_a, unit_b),
    )
