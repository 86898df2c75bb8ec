"""Resolving a unit mention as written in a plan ("Sở TT&TT", "Đài PT-TH Đắk Nông",
"UBND các huyện, thành phố") to a directory unit or unit group.

`UnitResolver(province=, on=)` loads the candidate set once (the units valid on `on`
of the plan's province and those with no province, with their aliases, and the
groups) and then resolves each mention with dictionary look-ups; a plan import
resolves all its mentions with one resolver. The steps, first hit wins:

1. exact alias: `normalize(mention)` equals an alias key, a unit's name or short name,
   or a group's name;
2. abbreviation expansion and diacritics folding (`abbreviations.expand` of `fold`),
   then the same look-up; then with the locality stripped from both sides ("Sở Y tế
   tỉnh Đắk Nông" = "Sở Y tế" of Đắk Nông; "Báo Đắk Lắk" is looked up in Đắk Lắk);
   then collective phrases against the groups' keys;
3. a unit that is no longer valid on `on` but matches exactly is followed through its
   successions to the units that took over;
4. fuzzy match (rapidfuzz) on the folded keys, above a threshold, where every word of
   the mention must appear (nearly) in the candidate; two candidates close in score
   give "ambiguous", never a pick;
5. a collective phrase about "related" units goes to the province's group of related
   units, whose members the officer chooses.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from rapidfuzz import fuzz, process

from planwatch.lib.text import fold, normalize

from .abbreviations import expand
from .models import Province, Succession, Unit, UnitGroup, valid_on_q

# A fuzzy candidate must score at least this (rapidfuzz ratio, 0–100, on folded keys) …
FUZZY_THRESHOLD = 90
# … and beat the next different candidate by more than this, or the mention is ambiguous.
FUZZY_MARGIN = 3
# Word-level check of a fuzzy candidate: "noi" (Nội vụ) must not pass for "ngoai"
# (Ngoại vụ), whose whole keys score 90.
WORD_THRESHOLD = 80
MAX_MENTION = 500

# The group every province may have for "các cơ quan, đơn vị liên quan": its members
# are chosen by the officer when a plan is confirmed (used by the demo directory).
RELATED_GROUP_NAME = "Các cơ quan, đơn vị liên quan"

_LEAD_WORDS = re.compile(r"^(?:đề nghị|giao|kính gửi)\s+")
_TRAIL_WORDS = re.compile(r"\s+(?:chủ trì|chỉ trì|thực hiện|phối hợp|tham mưu)$")
_PAREN = re.compile(r"^(?P<outer>.*?)\s*\((?P<inner>[^()]+)\)\s*$")
_COLLECTIVE = re.compile(r"(?:^|\s)(?:cac|nhung|moi)\s|\bcap (?:huyen|xa|tinh)\b|\blien quan\b|\bduoc phan cong\b")
_RELATED = re.compile(r"\blien quan\b|\bduoc phan cong\b")
_LOCAL_WORDS = r"(?:\s+(?:cua|trong|thuoc|tren dia ban|tai))?"


@dataclass
class Resolution:
    """What a unit mention refers to.

    status: "unit" (one unit), "group" (a collective phrase), "ambiguous" (several
    candidates, none chosen), or "unknown". Ambiguous and unknown mentions are never
    mapped to a unit silently. For "ambiguous", `candidates` (units) and
    `group_candidates` list the choices, best first."""

    mention: str
    status: str
    unit: Unit | None = None
    group: UnitGroup | None = None
    candidates: list[Unit] = field(default_factory=list)
    method: str = ""  # "alias", "abbreviation", "succession", "fuzzy", "collective"
    score: float = 0.0
    group_candidates: list[UnitGroup] = field(default_factory=list)


def loose_key(text: str) -> str:
    """Folded, abbreviations expanded: "Sở TT&TT" -> "so thong tin va truyen thong"."""
    return expand(fold(text))


def strip_locality(key: str, names: list[str]) -> tuple[str, str | None]:
    """`key` without a trailing province name (one of the folded `names`, longest
    first) or a trailing "tỉnh"; returns the rest and the name found (or None).

    "so y te tinh dak nong" -> ("so y te", "dak nong"); "hoi nha bao tinh" ->
    ("hoi nha bao", None). A key that is only a locality is kept whole."""
    for name in names:
        m = re.search(_LOCAL_WORDS + r"(?:\s+tinh)?\s+" + re.escape(name) + "$", key)
        if m and m.start() > 0:
            return key[: m.start()], name
    m = re.search(_LOCAL_WORDS + r"\s+tinh$", key)
    # "cấp tỉnh" and "các tỉnh" are a level and a plural, not this province
    if m and m.start() > 0 and not key.endswith(("cap tinh", "cac tinh")):
        return key[: m.start()], None
    return key, None


def collective_key(key: str) -> str:
    """A loose key reduced for comparing collective phrases: "Các cơ quan báo chí của
    tỉnh", "cơ quan báo chí tỉnh" and "các cơ quan báo chí" share "co quan bao chi"."""
    s = re.sub(r"\bco lien quan\b", "lien quan", key)
    s = re.sub(r"\b(?:cac|nhung|khac|va)\b", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    s, _ = strip_locality(s, [])
    s = re.sub(r"\s+tren dia ban$|\s+tai dia phuong$", "", s)
    return s


_RELATED_KEY = collective_key(loose_key(RELATED_GROUP_NAME))


def _words_covered(query: str, candidate: str) -> bool:
    """Every word of `query` is in `candidate`: exactly for short words, nearly for
    longer ones (a typo, a missing diacritic-free letter)."""
    words = candidate.split()
    for w in query.split():
        if len(w) <= 3:
            if w not in words:
                return False
        elif not any(fuzz.ratio(w, c) >= WORD_THRESHOLD for c in words):
            return False
    return True


def _valid(obj, on: dt.date | None) -> bool:
    if on is None:
        return True
    return (obj.valid_from is None or obj.valid_from <= on) and (obj.valid_to is None or on <= obj.valid_to)


Target = tuple[str, int]  # ("u", unit pk) or ("g", group pk)


class _Tier:
    """The look-up keys of one candidate set: units and groups of some provinces (and
    those with no province)."""

    def __init__(self) -> None:
        self.exact: dict[str, set[Target]] = defaultdict(set)
        self.loose: dict[str, set[Target]] = defaultdict(set)
        self.stripped: dict[str, set[Target]] = defaultdict(set)
        self.collective: dict[str, set[Target]] = defaultdict(set)
        self.unit_keys: dict[str, set[Target]] = defaultdict(set)  # fuzzy choices
        self.group_keys: dict[str, set[Target]] = defaultdict(set)

    def add_unit(self, unit: Unit, texts: list[str], province_name: str | None) -> None:
        target = ("u", unit.pk)
        for text in texts:
            self.exact[normalize(text)].add(target)
            lk = loose_key(text)
            self.loose[lk].add(target)
            sk, _ = strip_locality(lk, [province_name] if province_name else [])
            self.stripped[sk].add(target)
            self.unit_keys[sk].add(target)

    def add_group(self, group: UnitGroup, texts: list[str]) -> None:
        target = ("g", group.pk)
        for text in texts:
            self.exact[normalize(text)].add(target)
            lk = loose_key(text)
            self.loose[lk].add(target)
            ck = collective_key(lk)
            self.collective[ck].add(target)
            self.group_keys[ck].add(target)


@dataclass
class _Keys:
    exact: str
    loose: str
    stripped: str
    collective: str
    named: str | None  # the folded province name the mention ends with

    @property
    def abbreviated(self) -> bool:
        return self.loose != re.sub(r"\s*&\s*", "&", fold(self.exact))


class UnitResolver:
    """Resolves mentions for one plan: `UnitResolver(province=p, on=date).resolve(text)`.

    The candidate set is loaded on first use and kept, so resolving a plan's hundred
    mentions costs a handful of queries. `province` is the plan's province (its units
    and units with no province, such as central press, are preferred; a mention that
    names another province is looked up there); `on` is the plan's date (only units
    valid on it count; None: every unit)."""

    def __init__(self, *, province: Province | None = None, on: dt.date | None = None):
        self.province = province
        self.on = on
        self._provinces = {p.pk: p for p in Province.objects.all()}
        self._names_by_pk = {pk: fold(p.name) for pk, p in self._provinces.items()}
        self._names = sorted(set(self._names_by_pk.values()), key=len, reverse=True)
        self._home = self._scope(province.pk) if province is not None else None
        self._tiers: dict[frozenset[int] | None, _Tier] = {}
        self._expired: dict[frozenset[int] | None, _Tier] = {}
        self._units: dict[int, Unit] = {}
        self._groups: dict[int, UnitGroup] = {}
        self._cache: dict[str, Resolution] = {}

    # --- candidate sets ----------------------------------------------------------------

    def _scope(self, province_pk: int) -> frozenset[int]:
        """The province and, when it no longer exists on `on`, the provinces it was
        merged into (a 2026 mention of a Đắk Nông unit is looked up in Lâm Đồng)."""
        pks = {province_pk}
        p = self._provinces.get(province_pk)
        for _ in range(5):
            if p is None or _valid(p, self.on) or p.successor_id is None:
                break
            pks.add(p.successor_id)
            p = self._provinces.get(p.successor_id)
        return frozenset(pks)

    def _unit_filter(self, scope: frozenset[int] | None) -> Q:
        if scope is None:
            return Q()
        return Q(province_id__in=scope) | Q(province__isnull=True)

    def _build(self, units, groups) -> _Tier:
        tier = _Tier()
        for u in units:
            self._units[u.pk] = u
            texts = [u.name] + ([u.short_name] if u.short_name else []) + [a.text for a in u.aliases.all()]
            tier.add_unit(u, texts, self._names_by_pk.get(u.province_id))
        for g in groups:
            self._groups[g.pk] = g
            tier.add_group(g, [g.name] + [a.text for a in g.aliases.all()])
        return tier

    def _tier(self, scope: frozenset[int] | None) -> _Tier:
        if scope not in self._tiers:
            units = (
                Unit.objects.filter(self._unit_filter(scope))
                .filter(valid_on_q(self.on))
                .select_related("parent", "province")
                .prefetch_related("aliases")
            )
            groups = UnitGroup.objects.filter(
                Q() if scope is None else Q(province_id__in=scope) | Q(province__isnull=True)
            ).prefetch_related("aliases")
            self._tiers[scope] = self._build(units, groups)
        return self._tiers[scope]

    def _expired_tier(self, scope: frozenset[int] | None) -> _Tier:
        """Units of the scope that are not valid on `on` but have successors."""
        if scope not in self._expired:
            units = (
                Unit.objects.filter(self._unit_filter(scope))
                .exclude(valid_on_q(self.on))
                .filter(successions__isnull=False)
                .distinct()
                .prefetch_related("aliases")
            )
            self._expired[scope] = self._build(units, [])
        return self._expired[scope]

    # --- resolving ----------------------------------------------------------------------

    def resolve(self, mention: str) -> Resolution:
        """The resolution of one mention (see the module docstring for the steps)."""
        if mention not in self._cache:
            self._cache[mention] = self._resolve(mention)
        return dataclasses.replace(self._cache[mention])

    def _clean(self, mention: str) -> str:
        s = normalize(mention)
        s = _LEAD_WORDS.sub("", s)
        return _TRAIL_WORDS.sub("", s)

    def _keys(self, text: str) -> _Keys:
        exact = normalize(text)
        lk = loose_key(text)
        stripped, named = strip_locality(lk, self._names)
        return _Keys(exact=exact, loose=lk, stripped=stripped, collective=collective_key(stripped), named=named)

    def _scope_for(self, keys: _Keys) -> frozenset[int] | None:
        if keys.named is None:
            return self._home
        named = frozenset(pk for pk, name in self._names_by_pk.items() if name == keys.named)
        if self._home is not None and named & self._home:
            return self._home
        scope: set[int] = set()
        for pk in named:
            scope |= self._scope(pk)
        return frozenset(scope)

    def _resolve(self, mention: str) -> Resolution:
        text = self._clean(mention or "")
        if not text or len(text) > MAX_MENTION:
            return Resolution(mention=mention, status="unknown")
        keys = self._keys(text)
        scope = self._scope_for(keys)
        found = self._lookup(self._tier(scope), keys)
        if found is None:
            found = self._parenthetical(text)
        if found is None and self.on is not None:
            found = self._succession(scope, keys)
        if found is None:
            found = self._fuzzy(self._tier(scope), keys)
        if found is None and _RELATED.search(keys.loose):
            related = self._tier(scope).collective.get(_RELATED_KEY)
            if related:
                found = (sorted(related), "collective", 100.0)
        if found is None:
            return Resolution(mention=mention, status="unknown")
        targets, method, score = found
        return self._result(mention, targets, method, score)

    def _result(self, mention: str, targets: list[Target], method: str, score: float) -> Resolution:
        if len(targets) == 1:
            kind, pk = targets[0]
            if kind == "u":
                return Resolution(mention=mention, status="unit", unit=self._units[pk], method=method, score=score)
            return Resolution(mention=mention, status="group", group=self._groups[pk], method=method, score=score)
        return Resolution(
            mention=mention,
            status="ambiguous",
            candidates=[self._units[pk] for kind, pk in targets if kind == "u"],
            group_candidates=[self._groups[pk] for kind, pk in targets if kind == "g"],
            method=method,
            score=score,
        )

    def _lookup(self, tier: _Tier, keys: _Keys) -> tuple[list[Target], str, float] | None:
        """Steps 1 and 2: exact keys, then expanded and folded keys, then without the
        locality, then collective phrases."""
        if keys.exact in tier.exact:
            return self._ordered(tier.exact[keys.exact]), "alias", 100.0
        method = "abbreviation" if keys.abbreviated else "alias"
        steps = ((tier.loose, keys.loose), (tier.stripped, keys.stripped), (tier.collective, keys.collective))
        for index, key in steps:
            if key and key in index:
                return self._ordered(index[key]), method, 100.0
        return None

    def _ordered(self, targets) -> list[Target]:
        """Units first, by name (a stable order for ambiguous candidates)."""

        def name(t: Target) -> str:
            return self._units[t[1]].name if t[0] == "u" else self._groups[t[1]].name

        return sorted(targets, key=lambda t: (t[0] != "u", name(t), t[1]))

    def _parenthetical(self, text: str) -> tuple[list[Target], str, float] | None:
        """"Sở TT&TT (Trung tâm CNTT&TT)", "Trung tâm VTC Miền Nam (Đài VTC)", "Báo Đắk
        Lắk (p/h)": the more specific of the two units when one is the other's parent;
        the one that resolves when only one does."""
        m = _PAREN.match(text)
        if not m or not m.group("outer"):
            return None
        outer, inner = self._resolve(m.group("outer")), self._resolve(m.group("inner"))
        if outer.status == "unit" and inner.status == "unit":
            if outer.unit.pk == inner.unit.pk or inner.unit.parent_id == outer.unit.pk:
                return [("u", inner.unit.pk)], inner.method, inner.score
            if outer.unit.parent_id == inner.unit.pk:
                return [("u", outer.unit.pk)], outer.method, outer.score
            return [("u", outer.unit.pk), ("u", inner.unit.pk)], outer.method, min(outer.score, inner.score)
        if outer.status in ("unit", "group"):
            return self._targets(outer), outer.method, outer.score
        if inner.status == "unit" and outer.status == "unknown":
            return self._targets(inner), inner.method, inner.score
        return None

    @staticmethod
    def _targets(r: Resolution) -> list[Target]:
        return [("u", r.unit.pk)] if r.unit is not None else [("g", r.group.pk)]

    def _succession(self, scope, keys: _Keys) -> tuple[list[Target], str, float] | None:
        """Step 3: a unit that ended before `on`, followed to its successors valid on `on`."""
        found_expired = self._lookup(self._expired_tier(scope), keys)
        if found_expired is None:
            return None
        predecessors = [pk for kind, pk in found_expired[0] if kind == "u"]
        found: list[int] = []
        seen = set(predecessors)
        frontier = predecessors
        for _ in range(5):  # chains of restructurings are short
            if not frontier:
                break
            rows = Succession.objects.filter(predecessor_id__in=frontier, successor__isnull=False)
            rows = rows.select_related("successor__parent", "successor__province").order_by("kind", "successor__name")
            frontier = []
            for row in rows:
                s = row.successor
                if s.pk in seen:
                    continue
                seen.add(s.pk)
                if _valid(s, self.on):
                    self._units[s.pk] = s
                    found.append(s.pk)
                else:
                    frontier.append(s.pk)
        if not found:
            return None
        return [("u", pk) for pk in found], "succession", 100.0

    def _fuzzy(self, tier: _Tier, keys: _Keys) -> tuple[list[Target], str, float] | None:
        """Step 4, on units then groups (groups first for a collective phrase)."""
        # the order of the kinds listed in a collective phrase does not matter
        # ("xã, phường, thị trấn" = "phường, xã, thị trấn"); the order of a name's words does
        passes = [
            (tier.unit_keys, keys.stripped, fuzz.ratio),
            (tier.group_keys, keys.collective, fuzz.token_sort_ratio),
        ]
        if _COLLECTIVE.search(keys.loose):
            passes.reverse()
        for choices, query, scorer in passes:
            found = self._fuzzy_pass(choices, query, scorer)
            if found is not None:
                return found
        return None

    @staticmethod
    def _fuzzy_pass(choices: dict[str, set[Target]], query: str, scorer) -> tuple[list[Target], str, float] | None:
        if not query or not choices:
            return None
        best: dict[Target, float] = {}
        matches = process.extract(query, list(choices), scorer=scorer, score_cutoff=FUZZY_THRESHOLD, limit=20)
        for key, score, _ in matches:
            if not _words_covered(query, key):
                continue
            for target in choices[key]:
                best[target] = max(best.get(target, 0.0), score)
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        top = ranked[0][1]
        close = [t for t, s in ranked if top - s <= FUZZY_MARGIN]
        return close, "fuzzy", round(top, 1)


def unit_resolve(*, mention: str, on: dt.date | None = None, province: Province | None = None) -> Resolution:
    """The resolution of one mention; see `UnitResolver` (use it directly for many)."""
    return UnitResolver(province=province, on=on).resolve(mention)
