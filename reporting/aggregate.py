"""The figures of one report request: totals per metric, per unit kind and per district,
the units that have not submitted and those that submitted late, and one raw row per
unit. Used by the exports (XLSX, DOCX, reminder letter) and by the benchmark.

Reads everything in a handful of queries (values_list, no model instances), so a request
to 3,000 units with 30 metrics aggregates in well under a second.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from directory.models import Unit

from .models import Metric, ReportRequest, Submission, Target

SENT = (Submission.Status.SUBMITTED, Submission.Status.APPROVED)
# Sorting 3,000 names with text.fold costs a noticeable part of an export: this table
# drops the same diacritics (đ → d too) in one str.translate.
_PLAIN = str.maketrans({
    c: unicodedata.normalize("NFD", c)[0]
    for c in map(chr, range(0xC0, 0x1EFA))
    if unicodedata.normalize("NFD", c)[0].isascii() and unicodedata.normalize("NFD", c) != c
} | {"đ": "d", "Đ": "D"})


def sort_key(name: str) -> str:
    """Alphabetical order of Vietnamese names as people expect it ("Ủy" among the U)."""
    return name.translate(_PLAIN).casefold()
NO_DISTRICT = ""  # the district key of units outside any district (departments, press …)


@dataclass(frozen=True)
class MetricInfo:
    id: int
    key: str  # the key of the answer in Submission.values
    label: str
    kind: str


@dataclass
class MetricTotal:
    """What the sent answers to one metric add up to.

    `answered` counts the sent submissions with an answer. `total` is the sum for a
    count, the number of links for urls and of files for file; `yes`/`no` count the
    boolean answers; `first`/`last` are the earliest and latest dates given."""

    metric: MetricInfo
    answered: int = 0
    total: int = 0
    yes: int = 0
    no: int = 0
    first: dt.date | None = None
    last: dt.date | None = None

    def add(self, value) -> None:
        """Count one normalised answer (see `normal_value`; never None)."""
        self.answered += 1
        kind = self.metric.kind
        if kind == Metric.Kind.COUNT:
            self.total += value
        elif kind == Metric.Kind.BOOLEAN:
            if value:
                self.yes += 1
            else:
                self.no += 1
        elif kind == Metric.Kind.DATE:
            self.first = value if self.first is None or value < self.first else self.first
            self.last = value if self.last is None or value > self.last else self.last
        elif kind in (Metric.Kind.URLS, Metric.Kind.FILE):
            self.total += len(value)

    @property
    def number(self) -> int:
        """The one figure a chart or a spreadsheet cell shows: the sum, the yes count,
        the links or files, or (dates, texts) the units that answered."""
        if self.metric.kind == Metric.Kind.BOOLEAN:
            return self.yes
        if self.metric.kind in (Metric.Kind.COUNT, Metric.Kind.URLS, Metric.Kind.FILE):
            return self.total
        return self.answered

    def text(self) -> str:
        """The result in words, for documents: "1.234", "Có: 12; Không: 3", …"""
        kind = self.metric.kind
        if kind == Metric.Kind.COUNT:
            return number_vi(self.total)
        if kind == Metric.Kind.BOOLEAN:
            return _("Có: %(yes)s; Không: %(no)s") % {"yes": number_vi(self.yes), "no": number_vi(self.no)}
        if kind == Metric.Kind.DATE:
            if self.first is None:
                return "—"
            if self.first == self.last:
                return f"{self.first:%d/%m/%Y}"
            return _("từ %(first)s đến %(last)s") % {"first": f"{self.first:%d/%m/%Y}", "last": f"{self.last:%d/%m/%Y}"}
        if kind == Metric.Kind.URLS:
            return _("%(n)s liên kết") % {"n": number_vi(self.total)}
        if kind == Metric.Kind.FILE:
            return _("%(n)s tệp") % {"n": number_vi(self.total)}
        return _("%(n)s đơn vị trả lời") % {"n": number_vi(self.answered)}


@dataclass
class UnitRow:
    """One unit: a target, or a unit that answered without being one (any longer).
    `values` follows Aggregate.metrics, normalised; it is filled for sent submissions
    only (None elsewhere), so the raw data add up to the totals."""

    unit_id: int
    name: str
    kind: str
    kind_label: str
    district_key: str
    district_name: str
    is_target: bool
    status: str | None  # Submission.Status, or None when the unit has no submission
    status_label: str  # its label, "Chưa báo cáo" without a submission
    submitted_at: dt.datetime | None
    is_late: bool
    values: list

    @property
    def is_sent(self) -> bool:
        return self.status in SENT


@dataclass
class GroupTotal:
    """The totals of the units of one kind or one district."""

    key: str
    label: str
    targets: int = 0  # units asked
    sent: int = 0  # units with a sent submission (targets or not)
    sent_targets: int = 0  # targets with a sent submission
    late: int = 0
    totals: list[MetricTotal] = field(default_factory=list)

    @property
    def not_sent(self) -> int:
        return self.targets - self.sent_targets


@dataclass
class Aggregate:
    """The figures of one request. Only sent submissions (submitted or approved) count in
    `totals`, `by_kind` and `by_district`; drafts and returned ones do not.

    `not_submitted` are the targets without a sent submission (none, a draft, or one
    returned for correction); `late` are the sent submissions flagged late. `rows`,
    `not_submitted` and `late` are ordered by unit name; `by_kind` follows the
    directory's kinds and `by_district` the district names, with units outside any
    district last."""

    request_id: int
    metrics: list[MetricInfo]
    rows: list[UnitRow]
    totals: list[MetricTotal]
    by_kind: list[GroupTotal]
    by_district: list[GroupTotal]
    not_submitted: list[UnitRow]
    late: list[UnitRow]

    @property
    def targets(self) -> int:
        return sum(1 for r in self.rows if r.is_target)

    @property
    def sent(self) -> int:
        return sum(1 for r in self.rows if r.is_sent)

    @property
    def late_count(self) -> int:
        return len(self.late)


def number_vi(n) -> str:
    """1234567 → "1.234.567" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def normal_value(kind: str, value):
    """An answer as the aggregate counts it, or None when it is empty or malformed:
    int (count), bool, datetime.date, str (text), list of URL strings, list of file ids."""
    if value is None or value == "" or value == []:
        return None
    if kind == Metric.Kind.COUNT:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return int(value) if value.is_integer() else None
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                return None
        return None
    if kind == Metric.Kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return None
    if kind == Metric.Kind.DATE:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                return None
        return None
    if kind == Metric.Kind.TEXT:
        return value.strip() or None if isinstance(value, str) else None
    if kind == Metric.Kind.URLS:
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        urls = [u.strip() for u in items if isinstance(u, str) and u.strip()]
        return urls or None
    if kind == Metric.Kind.FILE:
        ids = [x for x in value if isinstance(x, int) and not isinstance(x, bool)] if isinstance(value, list) else []
        return ids or None
    return None


def _districts(parents: dict[int, tuple[int | None, str, str]]) -> dict[int, tuple[str, str]]:
    """unit id → (district key, district name) for every unit of `parents` (id →
    (parent id, kind, display name)): the nearest unit, itself included, of the district
    kind up its parent chain. Loads the missing ancestors one generation per query."""
    asked: set[int] = set()
    missing = {p for p, _k, _n in parents.values() if p is not None and p not in parents}
    while missing:
        asked |= missing
        for pk, parent_id, kind, short_name, name in Unit.objects.filter(pk__in=missing).values_list(
            "pk", "parent_id", "kind", "short_name", "name"
        ):
            parents[pk] = (parent_id, kind, short_name or name)
        missing = {p for p, _k, _n in parents.values() if p is not None and p not in parents} - asked
    result: dict[int, tuple[str, str]] = {}
    for start in parents:
        seen, pk = set(), start
        answer = (NO_DISTRICT, "")
        while pk is not None and pk in parents and pk not in seen:  # `seen` guards against cycles
            seen.add(pk)
            parent_id, kind, name = parents[pk]
            if kind == Unit.Kind.DISTRICT:
                answer = (str(pk), name)
                break
            pk = parent_id
        result[start] = answer
    return result


def request_aggregate(*, request: ReportRequest) -> Aggregate:
    """The figures of `request` (see Aggregate): only sent submissions (submitted or
    approved) count in the totals. Raises nothing for empty requests: no metrics or no
    targets give empty lists and zero totals."""
    metrics = [
        MetricInfo(id=pk, key=str(pk), label=label, kind=kind)
        for pk, label, kind in Metric.objects.filter(request=request).order_by("position", "id")
        .values_list("pk", "label", "kind")
    ]
    units: dict[int, dict] = {}
    for unit_id, name, short_name, kind, parent_id in Target.objects.filter(request=request).values_list(
        "unit_id", "unit__name", "unit__short_name", "unit__kind", "unit__parent_id"
    ):
        units[unit_id] = {"name": name, "short": short_name, "kind": kind, "parent": parent_id, "target": True,
                          "sub": None}
    for unit_id, name, short_name, kind, parent_id, status, values, submitted_at, is_late in (
        Submission.objects.filter(request=request).values_list(
            "unit_id", "unit__name", "unit__short_name", "unit__kind", "unit__parent_id", "status", "values",
            "submitted_at", "is_late",
        )
    ):
        unit = units.setdefault(unit_id, {"name": name, "short": short_name, "kind": kind, "parent": parent_id,
                                          "target": False})
        unit["sub"] = (status, values if isinstance(values, dict) else {}, submitted_at, is_late)

    district_of = _districts({pk: (u["parent"], u["kind"], u["short"] or u["name"]) for pk, u in units.items()})
    kind_labels = {k.value: str(k.label) for k in Unit.Kind}
    status_labels = {s.value: str(s.label) for s in Submission.Status} | {None: _("Chưa báo cáo")}

    rows: list[UnitRow] = []
    for unit_id, u in units.items():
        status, values, submitted_at, is_late = u["sub"] or (None, {}, None, False)
        sent = status in SENT
        district_key, district_name = district_of.get(unit_id, (NO_DISTRICT, ""))
        rows.append(UnitRow(
            unit_id=unit_id, name=u["name"], kind=u["kind"], kind_label=kind_labels.get(u["kind"], u["kind"]),
            district_key=district_key, district_name=district_name, is_target=u["target"], status=status,
            status_label=status_labels.get(status, status), submitted_at=submitted_at, is_late=bool(is_late),
            values=[normal_value(m.kind, values.get(m.key)) for m in metrics] if sent else [None] * len(metrics),
        ))
    rows.sort(key=lambda r: (sort_key(r.name), r.unit_id))

    def group(key: str, label: str) -> GroupTotal:
        return GroupTotal(key=key, label=label, totals=[MetricTotal(m) for m in metrics])

    totals = [MetricTotal(m) for m in metrics]
    is_count = [m.kind == Metric.Kind.COUNT for m in metrics]
    by_kind: dict[str, GroupTotal] = {}
    by_district: dict[str, GroupTotal] = {}
    for row in rows:
        kind = by_kind.get(row.kind) or by_kind.setdefault(row.kind, group(row.kind, row.kind_label))
        district = by_district.get(row.district_key) or by_district.setdefault(
            row.district_key, group(row.district_key, row.district_name or _("Cấp tỉnh và đơn vị khác"))
        )
        for g in (kind, district):
            g.targets += row.is_target
            g.sent += row.is_sent
            g.sent_targets += row.is_target and row.is_sent
            g.late += row.is_sent and row.is_late
        if not row.is_sent:
            continue
        for i, value in enumerate(row.values):
            if value is None:
                continue
            if is_count[i]:  # most metrics: skip add() for speed
                for t in (totals[i], kind.totals[i], district.totals[i]):
                    t.answered += 1
                    t.total += value
            else:
                totals[i].add(value)
                kind.totals[i].add(value)
                district.totals[i].add(value)

    kind_order = {k.value: i for i, k in enumerate(Unit.Kind)}
    return Aggregate(
        request_id=request.pk,
        metrics=metrics,
        rows=rows,
        totals=totals,
        by_kind=sorted(by_kind.values(), key=lambda g: (kind_order.get(g.key, len(kind_order)), g.key)),
        by_district=sorted(by_district.values(), key=lambda g: (g.key == NO_DISTRICT, sort_key(g.label))),
        not_submitted=[r for r in rows if r.is_target and not r.is_sent],
        late=[r for r in rows if r.is_sent and r.is_late],
    )
