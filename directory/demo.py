"""The demo directory: the provinces and units that the seed plans name, and the 2025
restructuring.

The units are in demo_data/units.csv and go in through directory_import, the same path
an officer's spreadsheet takes. The groups (collective phrases such as "Các Sở, Ban,
ngành" with their spellings) and the successions are in demo_data/groups.csv and
demo_data/successions.csv. Everything is marked is_demo; the UI labels it "Dữ liệu mẫu".

The restructuring recorded (the 2025 merger of provinces and reorganisation of
departments and party bodies; all effective 01/07/2025 in this demo, except the
ministry merger of 01/03/2025):
- Đắk Nông into Lâm Đồng, Kon Tum into Quảng Ngãi, Phú Yên into Đắk Lắk;
- the district level abolished (district committees and their offices dissolved);
- Sở Thông tin và Truyền thông merged into Sở Khoa học và Công nghệ, its press duties
  moved to Sở Văn hóa, Thể thao và Du lịch; Kế hoạch và Đầu tư into Tài chính; Nông
  nghiệp và PTNT with Tài nguyên và Môi trường; Giao thông vận tải into Xây dựng;
  Lao động - TB&XH into Nội vụ; Ban Dân tộc into Sở Dân tộc và Tôn giáo;
- Ban Tuyên giáo and Ban Dân vận merged into Ban Tuyên giáo và Dân vận; the
  provincial newspaper and radio-television merged.

Demo units carry no e-mail addresses: reminders must never reach a real office from
demo data.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.db import transaction

from planwatch.lib.text import fold, normalize

from .models import Alias, Province, Succession, Unit, UnitGroup

DATA = Path(__file__).resolve().parent / "demo_data"

# name, code, valid_from, valid_to, code of the province it was merged into
PROVINCES = [
    ("Lâm Đồng", "lam-dong", None, None, None),
    ("Quảng Ngãi", "quang-ngai", None, None, None),
    ("Đắk Lắk", "dak-lak", None, None, None),
    ("Đắk Nông", "dak-nong", dt.date(2004, 1, 1), dt.date(2025, 6, 30), "lam-dong"),
    ("Kon Tum", "kon-tum", None, dt.date(2025, 6, 30), "quang-ngai"),
    ("Phú Yên", "phu-yen", None, dt.date(2025, 6, 30), "dak-lak"),
]


class DemoDataError(Exception):
    """The demo files do not load: a bug in directory/demo_data, not user input."""


def load_demo() -> dict[str, int]:
    """See services.directory_load_demo."""
    counts = dict.fromkeys(
        ["provinces_created", "provinces_updated", "provinces_unchanged", "units_created", "units_updated",
         "units_unchanged", "aliases_added", "websites_added", "groups_created", "groups_updated",
         "successions_created", "successions_updated"], 0)
    with transaction.atomic():
        _provinces(counts)
        _units(counts)
        _groups(counts)
        _successions(counts)
    return counts


def _count(counts: dict[str, int], key: str, n: int = 1) -> None:
    counts[key] = counts.get(key, 0) + n


def _provinces(counts: dict[str, int]) -> None:
    by_code, created, changed = {}, set(), set()
    for name, code, valid_from, valid_to, _ in PROVINCES:
        fields = {"name": name, "valid_from": valid_from, "valid_to": valid_to, "is_demo": True}
        p, fresh = Province.objects.get_or_create(code=code, defaults=fields)
        if fresh:
            created.add(code)
        elif any(getattr(p, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(p, k, v)
            p.save()
            changed.add(code)
        by_code[code] = p
    for _, code, _, _, successor in PROVINCES:
        p = by_code[code]
        want = by_code[successor].pk if successor else None
        if p.successor_id != want:
            p.successor_id = want
            p.save(update_fields=["successor"])
            changed.add(code)
    changed -= created
    counts["provinces_created"] = len(created)
    counts["provinces_updated"] = len(changed)
    counts["provinces_unchanged"] = len(PROVINCES) - len(created) - len(changed)


def _units(counts: dict[str, int]) -> None:
    from .services import directory_import

    report = directory_import(data=(DATA / "units.csv").read_bytes(), filename="units.csv", demo=True)
    if not report.ok:
        raise DemoDataError("; ".join(f"units.csv:{e.line}: {e.message}" for e in report.errors))
    counts["units_created"] = report.created
    counts["units_updated"] = report.updated
    counts["units_unchanged"] = report.unchanged
    counts["aliases_added"] = report.aliases_added
    counts["websites_added"] = report.websites_added


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class _Units:
    """Demo units by (name, province name); a unit of a province may name a unit with
    no province (central press) as its member or successor."""

    def __init__(self) -> None:
        self.provinces = {fold(p.name): p for p in Province.objects.all()}
        self.units = {(normalize(u.name), u.province_id): u for u in Unit.objects.all()}

    def province(self, name: str) -> Province | None:
        if not name:
            return None
        try:
            return self.provinces[fold(name)]
        except KeyError:
            raise DemoDataError(f"unknown province {name!r}") from None

    def get(self, name: str, province: str) -> Unit:
        p = self.province(province)
        unit = self.units.get((normalize(name), p.pk if p else None)) or self.units.get((normalize(name), None))
        if unit is None:
            raise DemoDataError(f"unknown unit {name!r} ({province or 'no province'})")
        return unit


def _groups(counts: dict[str, int]) -> None:
    units = _Units()
    existing = {(g.name, g.province_id): g for g in UnitGroup.objects.prefetch_related("members", "aliases")}
    new_aliases: list[Alias] = []
    for row in _rows("groups.csv"):
        province = units.province(row["province"])
        kinds = [k for k in row["kinds"].split("|") if k]
        group = existing.get((row["name"], province.pk if province else None))
        fresh, changed = group is None, False
        if fresh:
            group = UnitGroup.objects.create(name=row["name"], province=province, kinds=kinds, is_demo=True)
            _count(counts, "groups_created")
        elif group.kinds != kinds or not group.is_demo:
            group.kinds, group.is_demo = kinds, True
            group.save()
            changed = True
        members = {units.get(m, row["province"]).pk for m in row["members"].split("|") if m}
        if fresh or {m.pk for m in group.members.all()} != members:
            group.members.set(members)
            changed = changed or not fresh
        if changed:
            _count(counts, "groups_updated")
        have = {normalize(group.name)} | (set() if fresh else {a.key for a in group.aliases.all()})
        for text in row["aliases"].split("|"):
            if text and normalize(text) not in have:
                have.add(normalize(text))
                # bulk_create skips Alias.save(), so the key is set here as save() sets it
                new_aliases.append(Alias(text=text, key=normalize(text), group=group))
    Alias.objects.bulk_create(new_aliases)
    _count(counts, "aliases_added", len(new_aliases))


def _date(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%d/%m/%Y").date()


def _successions(counts: dict[str, int]) -> None:
    units = _Units()
    existing = {(s.predecessor_id, s.successor_id, s.kind): s for s in Succession.objects.all()}
    new: list[Succession] = []
    for row in _rows("successions.csv"):
        predecessor = units.get(row["predecessor"], row["predecessor_province"])
        successor = units.get(row["successor"], row["successor_province"]) if row["successor"] else None
        fields = {"effective": _date(row["effective"]), "note": row["note"], "is_demo": True}
        s = existing.get((predecessor.pk, successor.pk if successor else None, row["kind"]))
        if s is None:
            new.append(Succession(predecessor=predecessor, successor=successor, kind=row["kind"], **fields))
        elif any(getattr(s, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(s, k, v)
            s.save()
            _count(counts, "successions_updated")
    Succession.objects.bulk_create(new)
    _count(counts, "successions_created", len(new))
