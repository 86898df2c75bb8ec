"""directory_load_demo and the loaddirectory command: idempotent, all marked demo,
the 2025 restructuring recorded."""
from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command

from directory.models import Alias, Province, Succession, Unit, UnitGroup, Website
from directory.services import directory_load_demo

END = dt.date(2025, 6, 30)
EFFECTIVE = dt.date(2025, 7, 1)


def _sizes():
    return tuple(m.objects.count() for m in (Province, Unit, UnitGroup, Alias, Succession, Website))


def test_second_run_changes_nothing(db):
    first = directory_load_demo()
    assert first["units_created"] > 250 and first["groups_created"] > 50 and first["successions_created"] > 100
    sizes = _sizes()
    second = directory_load_demo()
    changed = {k: v for k, v in second.items() if v and not k.endswith(("_unchanged", "_found"))}
    assert changed == {}
    assert second["units_unchanged"] == first["units_created"]
    assert _sizes() == sizes


def test_everything_is_marked_demo(db):
    directory_load_demo()
    for model in (Province, Unit, UnitGroup, Succession, Website):
        assert not model.objects.filter(is_demo=False).exists(), model
    assert not Unit.objects.exclude(email="").exists()  # reminders never reach a real office


def test_provinces_merged_in_2025(db):
    directory_load_demo()
    p = {x.code: x for x in Province.objects.all()}
    assert (p["dak-nong"].successor, p["dak-nong"].valid_to) == (p["lam-dong"], END)
    assert (p["kon-tum"].successor, p["kon-tum"].valid_to) == (p["quang-ngai"], END)
    assert (p["phu-yen"].successor, p["phu-yen"].valid_to) == (p["dak-lak"], END)
    assert p["dak-lak"].valid_to is None


def test_unit_successions(db):
    directory_load_demo()
    tttt = Unit.objects.get(name="Sở Thông tin và Truyền thông tỉnh Đắk Nông")
    assert {(s.kind, s.successor.name, s.effective) for s in tttt.successions.all()} == {
        ("merged", "Sở Khoa học và Công nghệ tỉnh Lâm Đồng", EFFECTIVE),
        ("duties", "Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng", EFFECTIVE),
    }
    for name in ("Ban Tuyên giáo Tỉnh ủy Đắk Nông", "Ban Dân vận Tỉnh ủy Đắk Nông"):
        s = Succession.objects.get(predecessor__name=name)
        assert (s.kind, s.successor.name) == ("merged", "Ban Tuyên giáo và Dân vận Tỉnh ủy Lâm Đồng")
    districts = Unit.objects.filter(kind="ubnd_huyen", province__code="dak-nong")
    assert districts.count() == 8  # Gia Nghĩa and the seven districts
    for d in districts:
        assert d.valid_to == END
        assert [(s.kind, s.successor) for s in d.successions.all()] == [("dissolved", None)]
    assert Succession.objects.get(predecessor__name="Báo Kon Tum").successor.name == (
        "Báo và Phát thanh, Truyền hình Quảng Ngãi")


def test_seed_units_are_there(db):
    directory_load_demo()
    for name in ("Tạp chí Nậm Nung", "Báo Đắk Nông", "Đài Phát thanh và Truyền hình Đắk Nông", "Thông tấn xã Việt Nam",
                 "Đài Tiếng nói Việt Nam", "Đài Truyền hình Việt Nam", "Báo Nhân Dân", "Báo Kon Tum", "Báo Đắk Lắk",
                 "Ủy ban nhân dân huyện Đắk Glong", "Hội Văn học Nghệ thuật tỉnh Đắk Nông"):
        unit = Unit.objects.get(name=name)
        assert unit.is_demo
    magazine = Unit.objects.get(name="Tạp chí Nậm Nung")
    assert {a.text for a in magazine.aliases.all()} >= {"Tạp chí Năm Nung", "Tạp chí Nấm Nung"}
    assert Website.objects.filter(unit__name="Sở Thông tin và Truyền thông tỉnh Đắk Nông",
                                  url__endswith=".gov.vn").exists()
    group = UnitGroup.objects.get(name="Ủy ban nhân dân cấp huyện", province__code="dak-nong")
    assert group.aliases.filter(text="UBND các huyện, thành phố").exists()


def test_loaddirectory_command(db):
    out = StringIO()
    call_command("loaddirectory", stdout=out)
    assert "units_created" in out.getvalue()
    out = StringIO()
    call_command("loaddirectory", stdout=out)
    assert "units_created: 0" in out.getvalue()
