"""unit_resolve / UnitResolver on the seeds' real spellings, against the demo directory
(loaded once for this module: every test here sees it)."""
from __future__ import annotations

import datetime as dt


from directory.models import Alias, Province, Unit
from directory.services import UnitResolver, unit_resolve

from .conftest import SEED_PROVINCE

D2023 = dt.date(2023, 8, 16)  # seed 000's date
D2026 = dt.date(2026, 3, 1)  # after the 2025 restructuring


def _target(r) -> str | None:
    if r.unit is not None:
        return r.unit.name
    if r.group is not None:
        return r.group.name
    return None


def test_every_gold_mention_resolves(demo, gold, capsys):
    """Every lead and support unit of the five gold readings resolves to a unit or a
    group, with the plan's own province and date."""
    total, failures = 0, []
    for stem, plan in gold:
        province = Province.objects.get(code=SEED_PROVINCE[stem[:3]])
        on = dt.date.fromisoformat(plan["date"]) if plan["date"] else None
        resolver = UnitResolver(province=province, on=on)
        for activity in plan["activities"]:
            for mention in activity["lead"] + activity["support"]:
                total += 1
                r = resolver.resolve(mention)
                if r.status not in ("unit", "group"):
                    failures.append((stem, mention, r.status))
    with capsys.disabled():
        print(f"\nseed gold mentions resolved: {total - len(failures)}/{total}")
    assert total > 100
    assert failures == []


def test_parser_mentions_resolve(demo, capsys):
    """The mentions docparse itself reads from the seed files (what a plan import
    resolves), not the hand-made gold."""
    from docparse import parse

    from .conftest import SEEDS

    total, resolved = 0, 0
    for path in sorted(SEEDS.glob("*.txt")):
        plan = parse(path)
        province = Province.objects.get(code=SEED_PROVINCE[path.name[:3]])
        resolver = UnitResolver(province=province, on=dt.date.fromisoformat(plan.date) if plan.date else None)
        for activity in plan.activities:
            for mention in list(activity.lead) + list(activity.support):
                total += 1
                resolved += resolver.resolve(mention).status in ("unit", "group")
    with capsys.disabled():
        print(f"\nseed mentions read by docparse resolved: {resolved}/{total}")
    assert total > 100
    assert resolved / total >= 0.98


# (province code, date, mention as written in the seeds, expected status, expected unit or group name)
EXPECTED = [
    ("dak-nong", D2023, "Sở Thông tin và Truyền thông", "unit", "Sở Thông tin và Truyền thông tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Sở TT&TT", "unit", "Sở Thông tin và Truyền thông tỉnh Đắk Nông"),
    ("dak-nong", D2023, "STTTT", "unit", "Sở Thông tin và Truyền thông tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Sở TTTT", "unit", "Sở Thông tin và Truyền thông tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Đài PT-TH Đắk Nông", "unit", "Đài Phát thanh và Truyền hình Đắk Nông"),
    ("dak-nong", D2023, "Đài PT&TH Đắk Nông", "unit", "Đài Phát thanh và Truyền hình Đắk Nông"),
    ("dak-nong", D2023, "Đài Phát thanh và Truyền hình Đắk Nông", "unit", "Đài Phát thanh và Truyền hình Đắk Nông"),
    ("dak-nong", D2023, "Ban Tuyên giáo Tỉnh ủy", "unit", "Ban Tuyên giáo Tỉnh ủy Đắk Nông"),
    ("dak-nong", D2023, "BTG Tỉnh ủy", "unit", "Ban Tuyên giáo Tỉnh ủy Đắk Nông"),
    ("dak-nong", D2023, "Đề nghị Ban Tuyên giáo Tỉnh ủy", "unit", "Ban Tuyên giáo Tỉnh ủy Đắk Nông"),
    ("dak-nong", D2023, "Sở Văn hóa Thể thao và Du lịch", "unit", "Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Sở VH,TT&DL", "unit", "Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Sở KH&CN", "unit", "Sở Khoa học và Công nghệ tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Sở LĐTB&XH", "unit", "Sở Lao động - Thương binh và Xã hội tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Sở NN&PTNT", "unit", "Sở Nông nghiệp và Phát triển nông thôn tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Sở TN&MT", "unit", "Sở Tài nguyên và Môi trường tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Sở GD&ĐT", "unit", "Sở Giáo dục và Đào tạo tỉnh Đắk Nông"),
    ("dak-nong", D2023, "UBMTTQVN tỉnh", "unit", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Đắk Nông"),
    ("dak-nong", D2023, "LĐLĐ tỉnh", "unit", "Liên đoàn Lao động tỉnh Đắk Nông"),
    ("dak-nong", D2023, "HLHPN tỉnh", "unit", "Hội Liên hiệp Phụ nữ tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Văn phòng UBND tỉnh", "unit", "Văn phòng Ủy ban nhân dân tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Văn phòng HĐND và Đoàn ĐBQH tỉnh", "unit",
     "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Công TTĐT tỉnh", "unit", "Cổng Thông tin điện tử tỉnh Đắk Nông"),  # seed 000's typo
    ("dak-nong", D2023, "Hội Nhà báo tỉnh", "unit", "Hội Nhà báo tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Ủy ban nhân dân cấp tỉnh", "unit", "Ủy ban nhân dân tỉnh Đắk Nông"),
    # locality suffixes: the plan's own province, and another province named
    ("dak-nong", D2023, "Sở Y tế tỉnh Đắk Nông", "unit", "Sở Y tế tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Sở Y tế", "unit", "Sở Y tế tỉnh Đắk Nông"),
    ("dak-nong", D2023, "Báo Đắk Lắk", "unit", "Báo Đắk Lắk"),
    ("dak-nong", D2023, "UBND huyện Đắk R'Lấp", "unit", "Ủy ban nhân dân huyện Đắk R'Lấp"),  # seed 001 footnote
    ("dak-nong", D2023, "UBND huyện Đắk Glong", "unit", "Ủy ban nhân dân huyện Đắk Glong"),
    ("dak-nong", D2023, "Sở Thông tin và Truyền thông (Trung tâm Công nghệ thông tin và Truyền thông)", "unit",
     "Trung tâm Công nghệ thông tin và Truyền thông tỉnh Đắk Nông"),
    # central press, from any province
    ("dak-lak", None, "TTXVN", "unit", "Thông tấn xã Việt Nam"),
    ("dak-lak", None, "VOV", "unit", "Đài Tiếng nói Việt Nam"),
    ("dak-lak", None, "VTV8", "unit", "Ban điều hành kênh Truyền hình Quốc gia VTV8"),
    ("dak-nong", D2023, "Đài Truyền hình Việt Nam", "unit", "Đài Truyền hình Việt Nam"),
    ("dak-nong", D2023, "Thông tấn xã Việt Nam", "unit", "Thông tấn xã Việt Nam"),
    ("dak-nong", D2023, "Báo Nhân dân", "unit", "Báo Nhân Dân"),
    ("kon-tum", None, "Trung tâm VTC Miền Nam (Đài Truyền hình Kỹ thuật số VTC)", "unit", "Trung tâm VTC Miền Nam"),
    # "tỉnh" without a name means the plan's province
    ("dak-lak", None, "Đài Phát thanh và Truyền hình tỉnh", "unit", "Đài Phát thanh và Truyền hình Đắk Lắk"),
    ("kon-tum", None, "Đài Phát thanh và Truyền hình", "unit", "Đài Phát thanh và Truyền hình Kon Tum"),
    ("kon-tum", None, "KRT", "unit", "Đài Phát thanh và Truyền hình Kon Tum"),
    ("kon-tum", None, "Ban Quản lý Khu kinh tế tỉnh", "unit", "Ban Quản lý Khu kinh tế tỉnh Kon Tum"),
    ("kon-tum", None, "Sở Ngoại vụ chủ trì", "unit", "Sở Ngoại vụ tỉnh Kon Tum"),
    # a word cut off at a line break (seed 004)
    ("kon-tum", None, "Sở Nông nghiệp và Phát triển nông", "unit",
     "Sở Nông nghiệp và Phát triển nông thôn tỉnh Kon Tum"),
    # collective phrases
    ("dak-nong", D2023, "Các Sở, Ban, ngành", "group", "Các Sở, Ban, ngành"),
    ("dak-lak", None, "Các Sở, ban, ngành", "group", "Các Sở, Ban, ngành"),
    ("dak-nong", D2023, "các Sở, Ban, ngành, địa phương", "group", "Các Sở, Ban, ngành, địa phương"),
    ("dak-nong", D2023, "Các Sở, Ban, ngành, đoàn thể trong tỉnh", "group", "Các Sở, Ban, ngành, đoàn thể"),
    ("dak-nong", D2023, "UBND các huyện, thành phố", "group", "Ủy ban nhân dân cấp huyện"),
    ("dak-nong", D2023, "Ủy ban nhân dân các huyện, thành phố Gia Nghĩa", "group", "Ủy ban nhân dân cấp huyện"),
    ("dak-lak", None, "UBND các huyện, thị xã, thành phố", "group", "Ủy ban nhân dân cấp huyện"),
    ("dak-nong", D2023, "UBND các xã, phường, thị trấn", "group", "Ủy ban nhân dân cấp xã"),
    ("dak-nong", D2023, "Ủy ban nhân dân phường, xã, thị trấn", "group", "Ủy ban nhân dân cấp xã"),  # reordered
    ("dak-nong", D2023, "UBND các huyện tỉnh Đắk Lắk", "group", "Ủy ban nhân dân cấp huyện"),
    ("dak-nong", D2023, "các cơ quan báo chí", "group", "Các cơ quan báo chí của tỉnh"),
    ("kon-tum", None, "cơ quan báo chí tỉnh", "group", "Các cơ quan báo chí của tỉnh"),
    ("dak-nong", D2023, "Các cơ quan báo chí của tỉnh", "group", "Các cơ quan báo chí của tỉnh"),
    ("dak-nong", D2023, "các cơ quan báo chí, truyền thông trong tỉnh", "group",
     "Các cơ quan báo chí, truyền thông của tỉnh"),
    ("dak-nong", D2023, "đơn vị liên quan", "group", "Các cơ quan, đơn vị liên quan"),
    ("dak-nong", D2023, "Phòng Văn hóa – Thông tin các huyện, thành phố", "group",
     "Phòng Văn hóa và Thông tin các huyện, thành phố"),
    ("dak-lak", None, "các đơn vị đầu mối của các cơ quan báo chí Trung ương: TTXVN, VOV, VTV8", "group",
     "Các cơ quan báo chí Trung ương: TTXVN, VOV, VTV8"),
    # a "related units" phrase nobody listed still lands in the province's related group
    ("dak-nong", D2023, "Các trường học và đơn vị có liên quan khác", "group", "Các cơ quan, đơn vị liên quan"),
]


def test_expected_resolutions(demo):
    provinces = {p.code: p for p in Province.objects.all()}
    resolvers: dict[tuple, UnitResolver] = {}
    wrong = []
    for code, on, mention, status, name in EXPECTED:
        if (code, on) not in resolvers:
            resolvers[code, on] = UnitResolver(province=provinces[code], on=on)
        r = resolvers[code, on].resolve(mention)
        if (r.status, _target(r)) != (status, name):
            wrong.append((mention, (r.status, _target(r), [c.name for c in r.candidates])))
    assert wrong == []


def test_nam_nung_spellings_reach_one_magazine(demo):
    """Seed 000 writes "Tạp chí Nấm Nung" and "Tạp chí Năm Nung", seed 001 "Tạp chí Nậm Nung"."""
    dak_nong = Province.objects.get(code="dak-nong")
    resolver = UnitResolver(province=dak_nong, on=D2023)
    units = {resolver.resolve(s).unit for s in ("Tạp chí Nấm Nung", "Tạp chí Năm Nung", "Tạp chí Nậm Nung")}
    assert len(units) == 1
    assert units.pop().name == "Tạp chí Nậm Nung"


def test_nam_nung_spellings_match_without_aliases(demo):
    """Diacritics are folded, so the spellings meet even with no alias rows."""
    magazine = Unit.objects.get(name="Tạp chí Nậm Nung")
    Alias.objects.filter(unit=magazine).delete()
    resolver = UnitResolver(province=magazine.province, on=D2023)
    for spelling in ("Tạp chí Nấm Nung", "Tạp chí Năm Nung", "TẠP CHÍ NẬM NUNG"):
        assert resolver.resolve(spelling).unit == magazine


def test_2023_plan_gets_the_2023_unit_not_the_2025_one(demo):
    dak_nong = Province.objects.get(code="dak-nong")
    r = unit_resolve(mention="Sở Thông tin và Truyền thông", on=D2023, province=dak_nong)
    assert r.status == "unit"
    assert r.unit.province == dak_nong
    assert r.unit.valid_to == dt.date(2025, 6, 30)
    # the merged department of Lâm Đồng exists only from 01/07/2025
    lam_dong = Province.objects.get(code="lam-dong")
    r = unit_resolve(mention="Ban Tuyên giáo và Dân vận Tỉnh ủy", on=D2023, province=lam_dong)
    assert r.status == "unknown"


def test_2026_mentions_follow_the_restructuring(demo):
    dak_nong = Province.objects.get(code="dak-nong")
    resolver = UnitResolver(province=dak_nong, on=D2026)
    r = resolver.resolve("Ban Tuyên giáo Tỉnh ủy")
    assert (r.status, r.unit.name, r.method) == ("unit", "Ban Tuyên giáo và Dân vận Tỉnh ủy Lâm Đồng", "succession")
    r = resolver.resolve("Báo Đắk Nông")
    assert (r.status, r.unit.name) == ("unit", "Báo và Phát thanh, Truyền hình Lâm Đồng")
    # a department that exists in the merged province is found directly
    r = resolver.resolve("Sở Y tế")
    assert (r.status, r.unit.name) == ("unit", "Sở Y tế tỉnh Lâm Đồng")
    # Sở TT&TT went to Sở KH&CN, its press duties to Sở VHTTDL: the officer chooses
    r = resolver.resolve("Sở Thông tin và Truyền thông")
    assert r.status == "ambiguous"
    assert {c.name for c in r.candidates} == {
        "Sở Khoa học và Công nghệ tỉnh Lâm Đồng", "Sở Văn hóa, Thể thao và Du lịch tỉnh Lâm Đồng"}
    # districts were dissolved: nothing takes their place
    assert resolver.resolve("UBND huyện Cư Jút").status == "unknown"


def test_dak_lak_goes_on_after_2025(demo):
    dak_lak = Province.objects.get(code="dak-lak")
    assert unit_resolve(mention="Sở TT&TT", on=dt.date(2020, 3, 1), province=dak_lak).unit.name == (
        "Sở Thông tin và Truyền thông tỉnh Đắk Lắk")
    r = unit_resolve(mention="Báo Đắk Lắk", on=D2026, province=dak_lak)
    assert (r.status, r.unit.name) == ("unit", "Báo và Phát thanh, Truyền hình Đắk Lắk")
    r = unit_resolve(mention="Sở Y tế", on=D2026, province=dak_lak)
    assert (r.status, r.unit.name) == ("unit", "Sở Y tế tỉnh Đắk Lắk")
    # a Đắk Nông plan that names Đắk Lắk's districts gets Đắk Lắk's group
    r = unit_resolve(mention="UBND các huyện tỉnh Đắk Lắk", on=D2023, province=Province.objects.get(code="dak-nong"))
    assert (r.status, r.group.province) == ("group", dak_lak)


def test_same_name_in_several_provinces_is_ambiguous_without_a_province(demo):
    r = unit_resolve(mention="Sở Thông tin và Truyền thông", on=D2023)
    assert r.status == "ambiguous"
    assert r.unit is None
    assert {c.province.name for c in r.candidates} >= {"Đắk Nông", "Đắk Lắk", "Kon Tum"}


def test_unknown_mentions(demo):
    dak_nong = Province.objects.get(code="dak-nong")
    resolver = UnitResolver(province=dak_nong, on=D2023)
    for mention in ("Hợp tác xã Ánh Dương", "", "   ", "x" * 600, "Ban Chỉ đạo Lễ kỷ niệm"):
        r = resolver.resolve(mention)
        assert (r.status, r.unit, r.group) == ("unknown", None, None), mention


def test_one_resolver_loads_the_candidates_once(demo, gold, django_assert_max_num_queries):
    """A plan's mentions cost a fixed handful of queries, however many there are."""
    stem, plan = gold[0]
    mentions = [m for a in plan["activities"] for m in a["lead"] + a["support"]]
    assert len(mentions) > 50
    province = Province.objects.get(code=SEED_PROVINCE[stem[:3]])
    with django_assert_max_num_queries(8):
        resolver = UnitResolver(province=province, on=D2023)
        results = [resolver.resolve(m) for m in mentions]
    assert all(r.status in ("unit", "group") for r in results)


def test_unit_resolve_is_the_resolver_in_one_call(demo):
    dak_nong = Province.objects.get(code="dak-nong")
    r = unit_resolve(mention="Đài PT&TH Đắk Nông", on=D2023, province=dak_nong)
    assert r == UnitResolver(province=dak_nong, on=D2023).resolve("Đài PT&TH Đắk Nông")
    # what this test pins is the equivalence; how the abbreviation is reached is
    # test_abbreviations' business (an alias row with that spelling also counts)
    assert (r.status, r.unit.name) == ("unit", "Đài Phát thanh và Truyền hình Đắk Nông")
