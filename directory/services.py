"""Directory services: resolving unit mentions, CSV/XLSX import and export, demo data,
group expansion."""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from planwatch.lib.search import MAX_WORDS
from planwatch.lib.text import fold, normalize

from .models import Alias, Province, Unit, UnitGroup, Website
from .resolution import Resolution, UnitResolver, unit_resolve
from .tabular import TableError, read_table, unneutralise, write_csv, write_xlsx

__all__ = [
    "ImportReport",
    "Resolution",
    "RowError",
    "UnitResolver",
    "directory_export",
    "directory_import",
    "directory_load_demo",
    "group_expand",
    "import_max_bytes",
    "import_max_rows",
    "unit_resolve",
    "units_search",
]

log = logging.getLogger(__name__)

# The spreadsheet columns, in order, and their Vietnamese headers (the export's header).
COLUMNS = ["name", "short_name", "kind", "parent", "province", "valid_from", "valid_to", "aliases", "websites", "email"]
HEADERS_VI = {
    "name": "tên",
    "short_name": "tên ngắn",
    "kind": "loại",
    "parent": "đơn vị cấp trên",
    "province": "tỉnh",
    "valid_from": "hiệu lực từ",
    "valid_to": "hiệu lực đến",
    "aliases": "tên gọi khác",
    "websites": "trang web",
    "email": "thư điện tử",
}
# Header spellings accepted on import, folded.
_HEADER_KEYS = {fold(c): c for c in COLUMNS} | {fold(c.replace("_", " ")): c for c in COLUMNS} | {
    fold(v): k for k, v in HEADERS_VI.items()
} | {
    "ten day du": "name", "ten don vi": "name", "ten viet tat": "short_name", "cap tren": "parent",
    "don vi chu quan": "parent", "tu ngay": "valid_from", "den ngay": "valid_to", "cach viet khac": "aliases",
    "bi danh": "aliases", "website": "websites", "trang thong tin dien tu": "websites", "thu dien tu": "email",
}
LIST_SEPARATOR = "|"
MAX_CELL = 2000
MAX_LIST_ITEMS = 50
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")
_url = URLValidator(schemes=["http", "https"])


def import_max_bytes() -> int:
    """The largest file directory_import reads (setting DIRECTORY_IMPORT_MAX_BYTES)."""
    return getattr(settings, "DIRECTORY_IMPORT_MAX_BYTES", 5 * 2**20)


def import_max_rows() -> int:
    """The most data rows directory_import reads (setting DIRECTORY_IMPORT_MAX_ROWS)."""
    return getattr(settings, "DIRECTORY_IMPORT_MAX_ROWS", 5000)


# --- resolution and groups -----------------------------------------------------------------


def group_expand(*, group: UnitGroup, on: dt.date | None) -> list[Unit]:
    """The units a group stands for on `on` (every date when None), by name."""
    return list(group.members_on(on))


# --- import ------------------------------------------------------------------------------------


@dataclass
class RowError:
    line: int | None  # None: the file as a whole
    message: str


@dataclass
class ImportReport:
    """What an import did, or why it did nothing: when `errors` is not empty, nothing
    was written."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases_added: int = 0
    websites_added: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    name: str
    short_name: str
    kind: str
    parent: str
    province: Province | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    aliases: list[str]
    websites: list[str]
    email: str


def directory_import(
    *, data: bytes, filename: str, province: Province | None = None, demo: bool = False
) -> ImportReport:
    """Create or update units from a CSV or XLSX file (columns: see COLUMNS; English or
    Vietnamese headers), matched on (name, province).

    With `province`, every row belongs to it (a blank province cell means it; another
    province is an error); without, a blank province cell means a unit with no
    province. Aliases and websites are added, never removed. One transaction: if any
    row is bad, nothing is written and the report lists every bad row with its line
    number. `demo` marks what is written as demo data (used by directory_load_demo).
    Never raises for bad input."""
    report = ImportReport()
    try:
        rows, rejected = _read_rows(data, filename, province, report)
    except TableError as e:
        report.errors = [RowError(None, str(e))]
        return report
    try:
        # the directory is read inside the transaction too, so that two imports at
        # once cannot both create the same unit
        with transaction.atomic():
            existing = _existing_units(rows)
            _check_references(rows, existing, rejected, report)
            if report.errors:
                return report
            _write_rows(rows, existing, report, demo=demo)
    except DatabaseError:
        log.exception("directory import of %s failed", filename)
        return ImportReport(errors=[RowError(None, _("Không ghi được vào cơ sở dữ liệu; chưa có gì thay đổi."))])
    return report


def _read_rows(
    data: bytes, filename: str, province: Province | None, report: ImportReport
) -> tuple[list[_Row], set[str]]:
    """The good rows, and the normalised names of the bad ones (their errors are in `report`)."""
    provinces = list(Province.objects.all())
    header: list[str | None] | None = None
    rows: list[_Row] = []
    rejected: set[str] = set()
    for line, cells in read_table(data, filename, max_bytes=import_max_bytes(), max_rows=import_max_rows()):
        if header is None:
            header = _header(cells)
            continue
        if not any(cells):
            continue
        values = {col: cells[i] if i < len(cells) else "" for i, col in enumerate(header) if col}
        problems: list[str] = []
        if any(cells[len(header):]):
            # the usual cause: a name with a comma, not put in quotes
            problems.append(_("dòng có nhiều ô hơn dòng tiêu đề (tên có dấu phẩy cần đặt trong ngoặc kép)"))
        row = _parse_row(line, values, provinces, province, problems)
        if problems:
            report.errors.append(RowError(line, "; ".join(problems)))
            if values.get("name"):
                # a child of this row is not reported again for a missing parent
                rejected.add(normalize(values["name"]))
        elif row is not None:
            rows.append(row)
    if header is None:
        raise TableError(_("Tệp không có dòng tiêu đề."))
    report.rows = len(rows) + len(report.errors)
    if report.rows == 0 and not report.errors:
        raise TableError(_("Tệp không có dòng dữ liệu nào."))
    return rows, rejected


def _header(cells: list[str]) -> list[str | None]:
    cols = [_HEADER_KEYS.get(fold(c)) if c else None for c in cells]
    unknown = [c for c, col in zip(cells, cols) if c and col is None]
    if unknown:
        raise TableError(_("Cột không rõ: %(cols)s. Các cột: %(known)s.") % {
            "cols": ", ".join(unknown[:5]), "known": ", ".join(COLUMNS)})
    named = [c for c in cols if c]
    if len(named) != len(set(named)):
        raise TableError(_("Một cột xuất hiện hai lần trong dòng tiêu đề."))
    if "name" not in named:
        raise TableError(_("Thiếu cột tên đơn vị (name / tên)."))
    return cols


def _parse_row(line, values, provinces, scope: Province | None, problems: list[str]) -> _Row | None:
    clean: dict[str, str] = {}
    for col, raw in values.items():
        if len(raw) > MAX_CELL:
            problems.append(_("cột %(col)s quá dài (tối đa %(max)s ký tự)") % {
                "col": HEADERS_VI.get(col, col), "max": MAX_CELL})
            continue
        # A cell the export escaped is text; an unescaped leading = + @ is a formula
        # someone typed or planted, refused rather than stored for a later spreadsheet.
        if raw.startswith(("=", "+", "@")):
            problems.append(_("cột %(col)s có dạng công thức (%(start)s…), không được chấp nhận") % {
                "col": HEADERS_VI.get(col, col), "start": raw[:1]})
            continue
        clean[col] = unneutralise(raw)
    if problems:
        return None
    name = clean.get("name", "")
    if not name:
        problems.append(_("thiếu tên đơn vị"))
    elif len(name) > Unit._meta.get_field("name").max_length:
        problems.append(_("tên quá dài"))
    short_name = clean.get("short_name", "")
    if len(short_name) > Unit._meta.get_field("short_name").max_length:
        problems.append(_("tên ngắn quá dài"))
    kind = _parse_kind(clean.get("kind", ""), problems)
    row_province = _parse_province(clean.get("province", ""), provinces, scope, problems)
    valid_from = _parse_date(clean.get("valid_from", ""), "valid_from", problems)
    valid_to = _parse_date(clean.get("valid_to", ""), "valid_to", problems)
    if valid_from and valid_to and valid_from > valid_to:
        problems.append(_("ngày hiệu lực từ sau ngày hiệu lực đến"))
    aliases = _split(clean.get("aliases", ""))
    for a in aliases:
        if len(a) > Alias._meta.get_field("text").max_length:
            problems.append(_("tên gọi khác quá dài: %(a)s…") % {"a": a[:40]})
    websites = _split(clean.get("websites", ""))
    for url in websites:
        try:
            _url(url)
            if len(url) > Website._meta.get_field("url").max_length:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(_("địa chỉ trang web không hợp lệ: %(u)s") % {"u": url[:80]})
    if len(aliases) > MAX_LIST_ITEMS or len(websites) > MAX_LIST_ITEMS:
        problems.append(_("quá nhiều tên gọi khác hoặc trang web (tối đa %(n)s)") % {"n": MAX_LIST_ITEMS})
    email = clean.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("thư điện tử không hợp lệ: %(e)s") % {"e": email[:80]})
    if problems:
        return None
    return _Row(line, name, short_name, kind, clean.get("parent", ""), row_province, valid_from, valid_to,
                aliases, websites, email)


def _split(cell: str) -> list[str]:
    seen, out = set(), []
    for part in cell.split(LIST_SEPARATOR):
        part = part.strip()
        if part and part not in seen:
            seen.add(part)
            out.append(part)
    return out


def _parse_kind(value: str, problems: list[str]) -> str:
    if not value:
        return Unit.Kind.OTHER
    if value in Unit.Kind.values:
        return value
    by_label = {fold(str(label)): code for code, label in Unit.Kind.choices}
    if fold(value) in by_label:
        return by_label[fold(value)]
    problems.append(_("loại đơn vị không rõ: %(v)s (dùng một trong: %(codes)s)") % {
        "v": value[:40], "codes": ", ".join(Unit.Kind.values)})
    return Unit.Kind.OTHER


def _parse_province(value: str, provinces, scope: Province | None, problems: list[str]) -> Province | None:
    if not value:
        return scope
    key = fold(value)
    found = next((p for p in provinces if fold(p.name) == key or p.code == value.strip().lower()), None)
    if found is None:
        problems.append(_("không có tỉnh \"%(v)s\" trong danh bạ") % {"v": value[:60]})
        return None
    if scope is not None and found.pk != scope.pk:
        problems.append(_("đơn vị thuộc tỉnh %(p)s; chỉ được nhập đơn vị của tỉnh %(s)s") % {
            "p": found.name, "s": scope.name})
    return found


def _parse_date(value: str, col: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    m = _DATE.match(value)
    try:
        if m and m.group(1):
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m:
            return dt.date(int(m.group(4)), int(m.group(5)), int(m.group(6)))
    except ValueError:
        pass
    problems.append(_("cột %(col)s: ngày không hợp lệ \"%(v)s\" (dạng dd/mm/yyyy)") % {
        "col": HEADERS_VI.get(col, col), "v": value[:30]})
    return None


def _row_key(name: str, province: Province | None) -> tuple[str, int | None]:
    return normalize(name), province.pk if province else None


def _existing_units(rows: list[_Row]) -> dict[tuple[str, int | None], Unit]:
    """The directory's units of the rows' provinces and those with no province, by
    (normalised name, province); names are compared as normalize() keys so that a
    change of case or spacing updates a unit instead of duplicating it."""
    pids = {r.province.pk for r in rows if r.province}
    qs = Unit.objects.filter(Q(province_id__in=pids) | Q(province__isnull=True))
    existing: dict[tuple[str, int | None], Unit] = {}
    for u in qs.prefetch_related("aliases", "websites").order_by("pk"):
        existing.setdefault((normalize(u.name), u.province_id), u)
    return existing


def _check_references(rows: list[_Row], existing: dict, rejected: set[str], report: ImportReport) -> None:
    """Duplicate rows, parents that exist (in the file or the directory), and parent cycles."""
    first_line: dict[tuple, int] = {}
    for row in rows:
        key = _row_key(row.name, row.province)
        if key in first_line:
            report.errors.append(RowError(row.line, _("trùng đơn vị ở dòng %(n)s") % {"n": first_line[key]}))
        else:
            first_line[key] = row.line
    known = set(first_line) | set(existing)
    parent_of: dict[tuple, tuple] = {}
    for row in rows:
        if not row.parent:
            continue
        own = _row_key(row.name, row.province)
        local, central = (normalize(row.parent), own[1]), (normalize(row.parent), None)
        if local == own:
            report.errors.append(RowError(row.line, _("đơn vị không thể là cấp trên của chính nó")))
        elif local in known or central in known:
            parent_of[own] = local if local in known else central
        elif local[0] in rejected:
            continue
        else:
            message = _("không tìm thấy đơn vị cấp trên \"%(p)s\"") % {"p": row.parent[:80]}
            report.errors.append(RowError(row.line, message))
    in_file = set(first_line)
    for row in rows:
        key = _row_key(row.name, row.province)
        seen = set()
        # only the file's rows can form a new cycle; the directory's own parents stay
        while key in parent_of and key not in seen and key in in_file:
            seen.add(key)
            key = parent_of[key]
        if key in seen:
            report.errors.append(RowError(row.line, _("quan hệ cấp trên tạo thành vòng lặp")))
    report.errors.sort(key=lambda e: e.line or 0)


def _write_rows(rows: list[_Row], existing: dict, report: ImportReport, *, demo: bool) -> None:
    created: set[int] = set()
    changed: set[int] = set()
    units: dict[tuple, Unit] = {}
    for row in rows:
        key = _row_key(row.name, row.province)
        fields = {
            "name": row.name, "short_name": row.short_name, "kind": row.kind, "province": row.province,
            "valid_from": row.valid_from, "valid_to": row.valid_to, "email": row.email,
        }
        unit = existing.get(key)
        if unit is None:
            unit = Unit.objects.create(is_demo=demo, **fields)
            created.add(unit.pk)
        else:
            diff = {k: v for k, v in fields.items() if getattr(unit, k) != v}
            if demo and not unit.is_demo:
                diff["is_demo"] = True
            if diff:
                for k, v in diff.items():
                    setattr(unit, k, v)
                unit.save()
                changed.add(unit.pk)
        units[key] = unit
    every = existing | units
    reparented: list[Unit] = []
    new_aliases: list[Alias] = []
    new_sites: list[Website] = []
    for row in rows:
        unit = units[_row_key(row.name, row.province)]
        parent = None
        if row.parent:
            parent = every.get((normalize(row.parent), unit.province_id)) or every.get((normalize(row.parent), None))
        if unit.parent_id != (parent.pk if parent else None):
            unit.parent = parent
            reparented.append(unit)
            changed.add(unit.pk)
        fresh = unit.pk in created
        have = set() if fresh else {a.key for a in unit.aliases.all()}
        have |= {normalize(unit.name), normalize(unit.short_name)}
        for text in row.aliases:
            if normalize(text) not in have:
                have.add(normalize(text))
                # bulk_create skips Alias.save(), so the key is set here as save() sets it
                new_aliases.append(Alias(text=text, key=normalize(text), unit=unit))
                changed.add(unit.pk)
        urls = set() if fresh else {w.url for w in unit.websites.all()}
        for url in row.websites:
            if url not in urls:
                urls.add(url)
                new_sites.append(Website(unit=unit, url=url, is_demo=demo))
                changed.add(unit.pk)
    Unit.objects.bulk_update(reparented, ["parent"])
    Alias.objects.bulk_create(new_aliases)
    Website.objects.bulk_create(new_sites)
    report.aliases_added = len(new_aliases)
    report.websites_added = len(new_sites)
    report.created = len(created)
    report.updated = len(changed - created)
    report.unchanged = len(rows) - report.created - report.updated


# --- export ----------------------------------------------------------------------------------


def directory_export(*, fmt: str, province: Province | None = None) -> bytes:
    """The units (of `province`, or all) as CSV or XLSX in the import's columns, with
    Vietnamese headers; the file imports back unchanged. Raises ValueError for an
    unknown `fmt`."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r}")
    units = Unit.objects.select_related("parent", "province").prefetch_related("aliases", "websites")
    units = units.filter(province=province) if province is not None else units
    rows = []
    for u in units.order_by("province__name", "name", "pk"):
        rows.append([
            u.name,
            u.short_name,
            u.kind,
            u.parent.name if u.parent else "",
            u.province.name if u.province else "",
            u.valid_from.strftime("%d/%m/%Y") if u.valid_from else "",
            u.valid_to.strftime("%d/%m/%Y") if u.valid_to else "",
            LIST_SEPARATOR.join(a.text for a in sorted(u.aliases.all(), key=lambda a: a.pk)),
            LIST_SEPARATOR.join(w.url for w in sorted(u.websites.all(), key=lambda w: w.pk)),
            u.email,
        ])
    header = [HEADERS_VI[c] for c in COLUMNS]
    if fmt == "csv":
        return write_csv(header, rows)
    return write_xlsx(header, rows, title="Danh bạ đơn vị")


# --- demo ------------------------------------------------------------------------------------


def directory_load_demo() -> dict[str, int]:
    """Load the demo directory (directory/demo_data): provinces, units, groups,
    successions, all marked is_demo. Idempotent: a second run creates and changes
    nothing. Returns counts of what was created, changed and found unchanged."""
    from .demo import load_demo

    return load_demo()


def units_search(qs, query: str):
    """`qs` narrowed to units whose name contains every word of `query`, ignoring case
    and diacritics ("dak nong" finds "Báo Đắk Nông"); a word may also be found in the
    short name or an alias as written ("TT&TT")."""
    words = query.split()[:MAX_WORDS]
    for word in words:
        qs = qs.filter(
            Q(search_key__contains=fold(word)) | Q(short_name__icontains=word) | Q(aliases__text__icontains=word)
        )
    return qs.distinct() if words else qs
