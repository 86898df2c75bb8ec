"""group_expand: explicit members and member kinds, on a date."""
from __future__ import annotations

import datetime as dt

from directory.models import Unit, UnitGroup
from directory.services import group_expand


def test_kinds_and_members_on_a_date(province, other_province, unit_a, unit_b):
    old = Unit.objects.create(name="Sở Thông tin và Truyền thông", kind="so_nganh", province=province,
                              valid_to=dt.date(2025, 6, 30))
    Unit.objects.create(name="Sở Y tế tỉnh Khác", kind="so_nganh", province=other_province)
    central = Unit.objects.create(name="Báo Nhân Dân", kind="bao_chi_tw")
    group = UnitGroup.objects.create(name="Các Sở, Ban, ngành", province=province, kinds=["so_nganh"])
    group.members.add(central)
    assert group_expand(group=group, on=dt.date(2023, 1, 1)) == [central, old, unit_b, unit_a]
    assert group_expand(group=group, on=dt.date(2026, 1, 1)) == [central, unit_b, unit_a]
    assert group_expand(group=group, on=None) == [central, old, unit_b, unit_a]


def test_group_without_members_is_empty(province):
    group = UnitGroup.objects.create(name="Các cơ quan, đơn vị liên quan", province=province)
    assert group_expand(group=group, on=None) == []
