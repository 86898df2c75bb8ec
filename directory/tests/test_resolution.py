"""Resolution rules on small directories of their own (no demo data): fuzzy matching
and its guards, preference for the plan's province, validity dates."""
from __future__ import annotations

import datetime as dt

from directory.models import Unit
from directory.resolution import collective_key, loose_key, strip_locality
from directory.services import UnitResolver, unit_resolve


def test_strip_locality():
    names = ["dak nong", "kon tum"]
    assert strip_locality("so y te tinh dak nong", names) == ("so y te", "dak nong")
    assert strip_locality("bao dak nong", names) == ("bao", "dak nong")
    assert strip_locality("hoi nha bao tinh", names) == ("hoi nha bao", None)
    assert strip_locality("cac co quan bao chi cua tinh", names) == ("cac co quan bao chi", None)
    # a level or a plural is not a locality; a bare name is kept
    assert strip_locality("uy ban nhan dan cap tinh", names) == ("uy ban nhan dan cap tinh", None)
    assert strip_locality("dai phat thanh va truyen hinh cac tinh", names)[0].endswith("cac tinh")
    assert strip_locality("dak nong", names) == ("dak nong", None)


def test_collective_key():
    spellings = ("Các cơ quan báo chí của tỉnh", "cơ quan báo chí tỉnh", "các cơ quan báo chí",
                 "Các cơ quan báo chí trong tỉnh")
    keys = {collective_key(loose_key(t)) for t in spellings}
    assert keys == {"co quan bao chi"}
    assert collective_key(loose_key("các đơn vị có liên quan")) == "don vi lien quan"


def test_fuzzy_never_takes_a_similar_department(province):
    """"Sở Ngoại vụ" and "Sở Nội vụ" score 90 as whole strings; the word check refuses."""
    Unit.objects.create(name="Sở Nội vụ", kind="so_nganh", province=province)
    r = unit_resolve(mention="Sở Ngoại vụ", province=province)
    assert r.status == "unknown"
    r = unit_resolve(mention="Sở Nôi vụ", province=province)  # a missing diacritic is fine
    assert r.status == "unit"


def test_close_fuzzy_candidates_are_ambiguous(province):
    a = Unit.objects.create(name="Đội Thông tin lưu động số 1", province=province)
    b = Unit.objects.create(name="Đội Thông tin lưu động số 2", province=province)
    r = unit_resolve(mention="Đội Thông tin lưu động số", province=province)
    assert r.status == "ambiguous"
    assert r.method == "fuzzy"
    assert set(r.candidates) == {a, b}
    assert r.unit is None


def test_units_of_the_province_are_preferred(province, other_province):
    own = Unit.objects.create(name="Sở Tư pháp", kind="so_nganh", province=province)
    Unit.objects.create(name="Sở Tư pháp", kind="so_nganh", province=other_province)
    central = Unit.objects.create(name="Báo Nhân Dân", kind="bao_chi_tw")
    resolver = UnitResolver(province=province)
    assert resolver.resolve("Sở Tư pháp").unit == own
    assert resolver.resolve("Báo Nhân Dân").unit == central


def test_validity_dates_are_inclusive(province):
    unit = Unit.objects.create(name="Sở Thông tin và Truyền thông", province=province,
                               valid_from=dt.date(2008, 1, 1), valid_to=dt.date(2025, 6, 30))
    assert unit_resolve(mention="Sở TT&TT", on=dt.date(2025, 6, 30), province=province).unit == unit
    assert unit_resolve(mention="Sở TT&TT", on=dt.date(2008, 1, 1), province=province).unit == unit
    assert unit_resolve(mention="Sở TT&TT", on=dt.date(2025, 7, 1), province=province).status == "unknown"
    assert unit_resolve(mention="Sở TT&TT", on=dt.date(2007, 12, 31), province=province).status == "unknown"


def test_resolver_results_are_independent_copies(province, unit_b):
    resolver = UnitResolver(province=province)
    first = resolver.resolve("Sở Tài chính")
    first.status = "changed by the caller"
    assert resolver.resolve("Sở Tài chính").status == "unit"
