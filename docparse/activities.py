"""Items of the outline → activities, following the conventions in seeds/README.md.

An activity is the lowest numbered item that assigns work to an identifiable unit. Its
lead comes, in this order of precedence, from a labelled field ("Đơn vị thực hiện: …"),
from a heading that is itself a unit ("1. Sở Tài chính"), from an inline subject ("X chủ
trì …", "Giao X …", "Đề nghị X …", "Riêng đối với X: …"), or from a parent that named the
unit and listed the tasks as numbered children. Dates come only from the item itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import dates as vdates
from . import units as vunits
from .model import Activity
from .outline import Item, own_text
from .rx import alternation, finditer_lowered, is_word_char, search_lowered, word_matches

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RE = re.compile(f"[{_SUPERSCRIPTS}]+")


def drop_superscripts(text: str) -> str:
    """`text` without footnote marks ("Sở Y tế¹"). Few texts have one, and ten substring
    tests rule them out in a third of the time of a character-class search."""
    for c in _SUPERSCRIPTS:
        if c in text:
            return _SUPERSCRIPT_RE.sub("", text)
    return text
# "[.!?]" not after a capital or digit; the look-behind comes after the mark, so that the
# search can skip ahead to the marks (a pattern that opens with one is tried everywhere)
_SENTENCE_END_RE = re.compile(r"[.!?](?<![A-ZĐ0-9][.!?])(?=\s+[A-ZĐÀ-Ỹ(\"“]|\s*$)")
_REQUEST_PREFIX = re.compile(r"^(?:Đề nghị|Giao|Đối với)\s+")


def _drop_request(text: str) -> str:
    """`_REQUEST_PREFIX.sub("", text)`, with the pattern run only on its first letters."""
    if text[:1] in "ĐG":
        m = _REQUEST_PREFIX.match(text)
        if m:
            return text[m.end():]
    return text

# label text → field name. Order matters: the first match wins.
_FIELD_SPECS = [
    (r"(?:Đơn vị|Cơ quan|Bộ phận)\s+(?:chủ trì|chỉ trì|thực hiện|tham mưu|triển khai|đầu mối|chịu trách nhiệm)(?:\s+(?:thực hiện|triển khai|chính))?", "lead"),
    (r"Chủ trì(?:\s+thực hiện)?|Trách nhiệm thực hiện|Đơn vị chủ trì thực hiện|Cơ quan chủ trì thực hiện|Thực hiện", "lead"),
    (r"(?:Đơn vị|Cơ quan)\s+phối hợp(?:\s+thực hiện)?|Phối hợp(?:\s+thực hiện)?", "support"),
    (r"Thời lượng[^:]{0,30}", "duration"),
    (r"Thời gian[^:]{0,45}|Thời hạn[^:]{0,30}|Tiến độ[^:]{0,30}|Thời điểm[^:]{0,30}", "time"),
    (r"Hình thức[^:]{0,30}|Cách thức[^:]{0,30}|Phương thức[^:]{0,30}", "form"),
    (r"Địa điểm[^:]{0,30}", "location"),
    (r"Thành phần[^:]{0,50}|Đối tượng[^:]{0,30}", "audience"),
    (r"(?:Nguồn\s+)?[Kk]inh phí[^:]{0,30}", "funding"),
    (r"Nội dung[^:]{0,30}|Nhiệm vụ[^:]{0,30}|Yêu cầu[^:]{0,20}", "content"),
    (r"Sản phẩm[^:]{0,30}|Kết quả[^:]{0,30}", "product"),
    (r"Cơ quan hợp tác[^:]{0,30}|Các kênh[^:]{0,40}|Đơn vị hợp tác[^:]{0,30}", "partner"),
]
_FIELD_RE = re.compile(
    r"^[-–+•*]?\s*(?:\d{1,2}(?:\.\d{1,2})*[.)]?\s+|[a-zđ][).]\s+)?(?P<label>"
    + "|".join(f"(?P<f{i}>{p})" for i, (p, _) in enumerate(_FIELD_SPECS))
    + r")\s*:\s*(?P<value>.*)$",
    re.S,
)

_EXCLUDED_TITLES = (
    "MỤC ĐÍCH|YÊU CẦU|MỤC TIÊU|QUAN ĐIỂM|CĂN CỨ|ĐỐI TƯỢNG|PHẠM VI|NGUYÊN TẮC|NỘI DUNG TUYÊN TRUYỀN|"
    "NỘI DUNG TRUYỀN THÔNG|NỘI DUNG THÔNG TIN|NỘI DUNG, HÌNH THỨC|NỘI DUNG VÀ HÌNH THỨC|CHỦ ĐỀ|KHẨU HIỆU|"
    "THÔNG ĐIỆP|BỐI CẢNH|SỰ CẦN THIẾT|TÌNH HÌNH|ĐÁNH GIÁ|HÌNH THỨC TUYÊN TRUYỀN|HÌNH THỨC TRUYỀN THÔNG|"
    "THỜI GIAN TUYÊN TRUYỀN|THỜI GIAN, ĐỊA ĐIỂM|LỘ TRÌNH"
).split("|")
EXCLUDED_SECTION = re.compile("^(?:" + "|".join(_EXCLUDED_TITLES) + ")", re.I)
# The same, case-sensitive, for upper-cased text: there, "İ" (which a case-insensitive "I"
# matches) and the Kelvin sign "K" are the only characters of another case that the
# case-insensitive pattern takes for a letter of the titles.
_EXCLUDED_UPPER = re.compile("^(?:" + "|".join(_EXCLUDED_TITLES) + ")")
_CASE_ONLY_EQUAL = ("İ", "\u212a")
# A match is one of the titles, so it never reaches past this many characters (one
# character of a title matches one character of the text).
_EXCLUDED_TITLE_MAX = max(map(len, _EXCLUDED_TITLES))
_PROMULGATION = re.compile(
    r"ban hành kèm theo|có hiệu lực|chịu trách nhiệm thi hành|thi hành (?:Quyết định|Quyết định này)|bãi bỏ", re.I
)
# Case-insensitive patterns run on lower-cased text (rx.lowered) as case-sensitive
# ones, which can skip ahead to the letters their words start with.
_PROMULGATION_LOW = re.compile(_PROMULGATION.pattern.lower())


@dataclass
class Fields:
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    time: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    other: dict[str, str] = field(default_factory=dict)
    rest: list[str] = field(default_factory=list)  # paragraphs that are not fields


def parse_field(text: str) -> tuple[str, str, str] | None:
    """"- Đơn vị thực hiện: Sở X." → ("lead", "Đơn vị thực hiện", "Sở X.")."""
    if ":" not in text:
        return None  # every field has one; most paragraphs do not
    m = _FIELD_RE.match(text.strip())
    if not m:
        return None
    for i, (_, name) in enumerate(_FIELD_SPECS):
        if m.group(f"f{i}"):
            label = m.group("label")
            if name == "lead" and label.strip().lower() == "thực hiện" and not vunits.starts_unit(m.group("value")):
                return None
            return name, label, m.group("value").strip()
    return None


_CHU_TRI_PHOI_HOP = re.compile(r"^(?P<lead>.*?)\s+ch[ủỉ] trì\s*,?\s*(?:và\s+)?phối hợp(?:\s+với)?\s+(?P<sup>.*)$", re.S)


_FIELD_NAMES_WORDS = 15  # seed 004 III.3: "Các đơn vị vận hành, quản lý hệ thống thông tin cơ sở" is 12


def lead_value(value: str) -> tuple[list[str], list[str]]:
    """A lead field's value; "X chủ trì, phối hợp (với) Y" also yields Y as support."""
    value = value.strip().rstrip(".")
    m = _CHU_TRI_PHOI_HOP.match(value)
    if m:
        sup = vunits.cut_at_verb(m.group("sup"))
        return vunits.split_units(m.group("lead")), vunits.split_units(sup)
    value = re.sub(r"\s+ch[ủỉ] trì(?:\s+thực hiện)?\s*$", "", value)
    # "Cơ quan thực hiện: Sở X tiến hành rà soát …; các sở, ngành … rà soát …": a clause
    # too long for a list of names is a sentence; its subject comes before the predicate
    value = ";".join(
        vunits.cut_at_verb_only(c) if len(c.split()) > _FIELD_NAMES_WORDS else _before_predicate(c)
        for c in value.split(";")
    )
    return vunits.split_units(value), []


# Verbs that never sit inside a unit name written in lower case, so that in a lead cell
# or field they start a predicate even in a short clause: "Sở KH&CN chủ trì hướng dẫn,
# tổng hợp", "Sở Khoa học và Công nghệ thúc đẩy, theo dõi, báo cáo chỉ tiêu" (corpus
# ad5aff6c). Words that also name units in lower case ("ban chỉ đạo", "đoàn kiểm tra",
# "ban quản lý dự án đầu tư xây dựng") are not among them.
_PREDICATES = re.compile(
    alternation(("chủ trì", "chỉ trì", "thực hiện", "triển khai", "hướng dẫn", "theo dõi", "báo cáo", "đôn đốc", "thúc đẩy"))
    + r"(?!\w)"
)


def _before_predicate(clause: str) -> str:
    """`clause` up to a predicate (_PREDICATES) that follows a unit name at its start."""
    if not vunits.starts_unit(clause.strip()):
        return clause
    for m in word_matches(_PREDICATES, clause):
        before = clause[:m.start()]
        if before.strip() and before.count("(") == before.count(")"):
            return before.rstrip(" ,")
    return clause


def collect_fields(texts: list[str]) -> Fields:
    f = Fields()
    for t in texts:
        parsed = parse_field(t)
        if not parsed:
            f.rest.append(t)
            continue
        name, label, value = parsed
        if name == "lead":
            lead, sup = lead_value(value)
            f.lead.extend(lead)
            f.support.extend(sup)
        elif name == "support":
            f.support.extend(vunits.split_units(value.rstrip(".")))
        elif name == "time":
            f.time.append((label, value))
        else:
            f.other.setdefault(name, value)
            if name == "content":
                f.rest.append(value)
    return f


def clean_title(text: str) -> str:
    t = drop_superscripts(text)
    return vunits.squash_spaces(t).strip(" :.;-–")


def first_sentence(text: str) -> str:
    m = _SENTENCE_END_RE.search(text)
    return text[: m.start()] if m else text


def heading_units(heading: str) -> list[str] | None:
    """Units named by a heading that is itself a unit ("1. Sở Tài chính",
    "3. Các cơ quan báo chí địa phương (Báo …, Đài …)", "Sở X: Là cơ quan đầu mối …")."""
    h = heading.strip()
    if not vunits.starts_unit(_drop_request(h)):
        return None
    h = drop_superscripts(h)
    head = h
    if ":" in h:
        head = h[: h.index(":")]
        after = h[h.index(":") + 1:].strip()
        members = vunits.members_in_heading(h) if after and len(after) < 120 else None
        if members and not re.search(r"[.]\s", after):
            return members
    head = head.strip().rstrip(".")
    bare = _drop_request(head)
    if not vunits.starts_unit(bare):
        return None
    words = bare.split()
    if len(words) > 40:
        return None
    if ":" not in h and (vunits.cut_at_verb(bare) != bare or re.search(r"\.\s", bare)):
        return None
    if ":" in h:
        # "Ủy ban nhân dân Thành phố có quyền hạn và trách nhiệm:": the subject is the unit
        # (at a known verb only: a unit name can hold lower-case words, "Viện Vật lý kỹ thuật")
        subject = vunits.drop_dangling(vunits.cut_at_verb_only(bare))
        if subject != bare and vunits.starts_unit(subject):
            bare = subject
    members = vunits.members_in_heading(bare)
    if members:
        return members
    return vunits.split_units(bare) or None


# Where a unit name can start, as written: a head of units.FREE_HEADS, with no word
# boundary after it ("UBND tỉnh", "VTV1"), or a named head, a collective word or another
# word a unit is named by ("Giám đốc"), followed by a space. Gates the costlier unit
# parsing. No "(?<!\w)" in front: a pattern that starts with a literal lets the regex
# engine skip to candidate letters, which is most of the speed of a search;
# `_head_word` checks the letter before.
_HEAD_WORDS = (
    "Sở|Ban|Bộ|Cục|Chi cục|Vụ|Viện|Hội|Báo|Đài|Tạp chí|Liên|Mặt trận|Đoàn|Tỉnh đoàn|Công an|Trung tâm|Phòng|"
    "Văn phòng|Kho bạc|Ngân hàng|Bảo hiểm|Tòa án|Toà án|Trường|Bệnh viện|Công ty|Tổng công ty|Tập đoàn|Học viện|Nhà xuất bản|"
    "Quỹ|Thanh tra|Thông tấn|Hãng|Quân khu|Bưu điện|Chi nhánh|Cơ quan|Đơn vị|Ủy ban|Uỷ ban|UB|HĐND|Hội đồng|Đảng|Huyện|"
    "Thành ủy|Tỉnh ủy|Thị ủy|TTXVN|VOV|VTV|VTC|VNPT|Viettel|BTG|LĐLĐ|MTTQ|STTTT|Cổng|Trang|Chủ tịch|Giám đốc|Thủ trưởng|"
    "Chánh|Thường trực|Tổ|Bộ đội|Bộ Chỉ huy|Cảnh sát|Các|các|Những|những|Mọi|mọi|Tất cả|tất cả"
).split("|")
# One alternation, factored by common prefixes (rx.alternation), in which "\0" marks
# where a word must end: two top-level alternatives would be tried at every position.
_HEAD_WORD_RE = re.compile(
    alternation(set(vunits.FREE_HEADS) | {w + "\0" for w in set(_HEAD_WORDS) | set(vunits.NAMED_HEADS)})
    .replace(re.escape("\0"), r"(?!\w)")
)


def _head_word(text: str, pos: int = 0, endpos: int | None = None) -> bool:
    """Whether a unit name can start, at the start of a word, in text[pos:endpos]."""
    if endpos is None:
        endpos = len(text)
    m = _HEAD_WORD_RE.search(text, pos, endpos)
    while m and m.start() > 0 and is_word_char(text[m.start() - 1]):
        m = _HEAD_WORD_RE.search(text, m.start() + 1, endpos)
    return m is not None


INLINE_WINDOW = 600
INLINE_MAX_TEXTS = 40

_GIAO_RE = re.compile(r"(?:^|[.;(]\s*|:\s*)Giao\s+(?P<u>.+?)(?=\s+(?:chủ trì|thực hiện|tham mưu|triển khai|phối hợp|xây dựng|tổ chức|theo dõi)\b|[);.]|$)")
_DE_NGHI_RE = re.compile(r"(?:^|[.;]\s+|:\s*)Đề nghị\s+(?P<rest>.+)$", re.S)
_RIENG_RE = re.compile(r"(?:^|[.;]\s*)(?:Riêng\s+)?(?:đối với|Đối với)\s+(?P<u>[^:]{3,300}?):")
_KEYWORD_RE = re.compile(r"\s(?:ch[ủỉ] trì|thực hiện)\b")  # what _keyword_starts finds
_KEYWORD_WORDS = re.compile(r"(?:ch[ủỉ] trì|thực hiện)\b")
_TOPIC_RE = re.compile(r"^[^:]{3,200}:\s*(?P<rest>.+)$", re.S)
_SUPPORT_INLINE = re.compile(r"ch[ủỉ] trì\s*,?\s*(?:và\s+)?phối hợp(?:\s+với)?\s+(?P<y>.+)", re.S | re.I)
_SUPPORT_INLINE_LOW = re.compile(_SUPPORT_INLINE.pattern, re.S)  # for lower-cased text


def _keyword_starts(text: str) -> list[int]:
    """The starts of `_KEYWORD_RE.finditer(text)`: the keyword searched on its own, which
    can skip ahead to its first letters, and the space before it checked here."""
    out = []
    m = _KEYWORD_WORDS.search(text)
    while m is not None:
        s = m.start()
        if s > 0 and text[s - 1].isspace():
            out.append(s - 1)
            m = _KEYWORD_WORDS.search(text, m.end())
        else:
            m = _KEYWORD_WORDS.search(text, s + 1)
    return out


def inline_leads(texts: list[str]) -> list[str]:
    """Lead units stated inline in the item's own text.

    Only the start of each paragraph is read (INLINE_WINDOW): an assignment names its
    unit early ("Sở X chủ trì …", "Giao X …"), and reading whole clauses of long legal
    text for "thực hiện" was most of the parser's time on the corpus."""
    out: list[str] = []
    for raw in texts[:INLINE_MAX_TEXTS]:
        raw = raw[:INLINE_WINDOW]
        if not _head_word(raw):
            continue  # no word a unit name starts with: nothing inline to find
        t = raw.strip().lstrip("-–+• ")
        t = drop_superscripts(t)
        if "Giao" in t:
            for m in _GIAO_RE.finditer(t):
                out.extend(u for u in vunits.split_units(vunits.cut_at_verb(m.group("u"))) if vunits.starts_unit(u))
        if "Đề nghị" in t:
            m = _DE_NGHI_RE.search(t)
            if m:
                out.extend(vunits.subject_units(m.group("rest")) or [])
        if "ối với" in t:
            for m in _RIENG_RE.finditer(t):
                names = vunits.split_units(m.group("u"))
                if names and all(vunits.starts_unit(n) or vunits._LOWER_RE.match(n) for n in names):
                    out.extend(names)
        out.extend(vunits.subject_units(t))
        colon = t.find(":")
        if 3 <= colon <= 200:
            out.extend(vunits.subject_units(t[colon + 1:]))
        if t.startswith(_BASIS_OPENINGS):
            out.extend(_subject_after_basis(t))
        if "trì" not in t and "thực hiện" not in t:
            continue
        for start in _keyword_starts(t):
            if not _head_word(t, max(0, start - 160), start):
                continue  # no unit can end right before the keyword
            clause = t[:start]
            cut = max(clause.rfind("."), clause.rfind(";"), clause.rfind(":"), clause.rfind("\n"))
            # a "." inside a number or abbreviation is not a clause boundary
            while cut > 0 and cut + 1 < len(clause) and not clause[cut + 1].isspace():
                cut = max(clause.rfind(".", 0, cut), clause.rfind(";", 0, cut), clause.rfind(":", 0, cut))
            clause = clause[cut + 1:]
            if "phối hợp" in clause:
                continue  # "Chủ trì, phối hợp với Sở X … thực hiện": X is a partner, not the subject
            out.extend(vunits.trailing_units(clause))
    return vunits._dedupe(out)


# "Căn cứ Kế hoạch này, các sở, ban, ngành … xây dựng kế hoạch …" (corpus bffd9da6 VI.1):
# the subject follows the clause that states the basis, after its first comma. Only the
# first: in "Căn cứ nội dung Kế hoạch này, chủ động đề xuất … và phối hợp với Sở …, các đơn
# vị, địa phương triển khai …" (seed 004 V.3) the subject is the heading's unit and the
# units after a later comma are partners.
_BASIS_OPENINGS = ("Căn cứ", "Trên cơ sở")
_BASIS_REACH = 200


def _subject_after_basis(text: str) -> list[str]:
    """The subject units after the first ", " (within _BASIS_REACH characters) of a text
    that opens with "Căn cứ …" / "Trên cơ sở …", when a unit name follows it."""
    comma = text.find(", ", 0, _BASIS_REACH)
    if comma == -1:
        return []
    return vunits.subject_units(text[comma + 2:])


def inline_support(texts: list[str]) -> list[str]:
    """Objects of an explicit "X chủ trì, phối hợp (với) Y"."""
    out: list[str] = []
    for raw in texts:
        t = drop_superscripts(raw)
        for m in finditer_lowered(_SUPPORT_INLINE, _SUPPORT_INLINE_LOW, t):
            y = t[m.start("y"):m.end("y")]
            y = re.split(r"[.;]\s|\s\(|$", y, maxsplit=1)[0]
            y = vunits.cut_at_verb(y)
            out.extend(n for n in vunits.split_units(y) if vunits.starts_unit(n) or vunits._LOWER_RE.match(n))
    return vunits._dedupe(out)


def dates_for(fields: Fields, texts: list[str], year: int | None) -> vdates.Dates:
    out = vdates.Dates()
    deadlines = []
    for label, value in fields.time:
        completion = bool(re.search(r"hoàn thành|thời hạn|hạn\b|kết thúc", label, re.I))
        d = vdates.read_time_field(value, year, completion)
        if out.start is None and (d.start or d.end):
            out.start, out.end = d.start, d.end
        if d.deadline:
            deadlines.append(d.deadline)
    joined = " ".join(fields.rest) if fields.time else " ".join(texts)
    free = vdates.scan_sentence_dates(joined, year)
    if not fields.time and free.start:
        out.start, out.end = free.start, free.end
    if free.deadline:
        deadlines.append(free.deadline)
    if deadlines:
        out.deadline = min(deadlines)
    return out


def item_title(item: Item, unit_headed: bool) -> str:
    heading = item.heading or (item.body[0] if item.body else "")
    h = drop_superscripts(heading).strip()
    if ":" in h:
        before = h[: h.index(":")]
        if _WORD_LABEL_ONLY.match(before) and h[h.index(":") + 1:].strip():
            # "1. Hoạt động 1: Tổ chức Ngày Chuyển đổi số": the name follows the label
            return clean_title(first_sentence(h[h.index(":") + 1:].strip()))
        if unit_headed or len(before.split()) <= 40:
            return clean_title(before)
    return clean_title(first_sentence(h))


_WORD_LABEL_ONLY = re.compile(r"^(?:Hoạt động|Nhiệm vụ|Bước|Giai đoạn)\s+\d{1,2}\s*$")


def is_excluded_section(item: Item) -> bool:
    h = item.heading[:80].strip()
    # upper() maps each character on its own (to one or more), so the start of h.upper()
    # is the upper case of the start of h: only that much can take part in a match, and
    # upper-casing all of h costs more than the match.
    up = h[:_EXCLUDED_TITLE_MAX].upper()
    odd, kelvin = _CASE_ONLY_EQUAL  # two substring tests: a generator over them costs more than the match
    m = EXCLUDED_SECTION.match(up) if odd in up or kelvin in up else _EXCLUDED_UPPER.match(up)
    # "Mục đích, yêu cầu" is a section title; "a) Căn cứ chức năng … xây dựng kế
    # hoạch …" is a task that merely starts with the same word
    if m and len(h) - m.end() <= 40 and len(item.heading) <= 120:
        return True
    if item.label and item.label.kind == "ARTICLE" and search_lowered(
        _PROMULGATION, _PROMULGATION_LOW, _joined_start(item.heading, item.body, 600)
    ):
        return True
    return False


def _joined_start(first: str, rest: list[str], n: int) -> str:
    """`" ".join([first] + rest)[:n]`, without joining the paragraphs past n characters
    (an article's body can be the whole attached plan)."""
    out = first
    for t in rest:
        if len(out) >= n:
            break
        out = f"{out} {t}"
    return out[:n]


# Conditional boilerplate, not an activity even when numbered (seeds/README.md).
_CONDITIONAL = re.compile(
    r"(?:Trong\s+)?(?:quá trình|Quá trình)\b[^.;]{0,80}?,?\s*nếu có\s+(?:phát sinh\s+)?(?:khó khăn|vướng mắc)"
)
_CONDITIONAL_FIRST = "TqQ"  # the letters _CONDITIONAL can start with


_UNKNOWN = object()


def make_activity(
    item: Item, ref: str, year: int | None, inherited: list[str], extra: list[str] | None = None,
    *, unit_heading: list[str] | None | object = _UNKNOWN,
) -> Activity | None:
    """The activity for `item`, or None when no unit is assigned. `extra` holds the
    texts of numbered children that are only labelled fields of this item;
    `unit_heading` is `heading_units(item.heading)` when the caller has it already."""
    if item.heading[:1] in _CONDITIONAL_FIRST and _CONDITIONAL.match(item.heading):
        return None  # "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc … báo cáo": boilerplate
    texts = [t for t in own_text(item) + list(extra or []) if t]
    fields = collect_fields(texts[1:] if texts else [])
    head_field = parse_field(item.heading) if item.heading else None
    if head_field:
        fields_head = collect_fields([item.heading])
        fields.lead = fields_head.lead + fields.lead
        fields.support = fields_head.support + fields.support
        fields.time = fields_head.time + fields.time
    if head_field:
        unit_heading = None
    elif unit_heading is _UNKNOWN:
        unit_heading = heading_units(item.heading)
    if fields.lead:
        lead = fields.lead
    elif unit_heading:
        lead = unit_heading
    elif inherited:
        # a parent that names the unit and lists its tasks as numbered children
        lead = list(inherited)
    else:
        lead = inline_leads(texts)
    if not lead:
        return None  # before dates and recurrence: most numbered items stop here
    support = list(fields.support)
    if not support:
        support = [s for s in inline_support(texts) if vunits.fold_key(s) not in {vunits.fold_key(x) for x in lead}]
    d = dates_for(fields, texts, year)
    content = " ".join(texts)
    act = Activity(
        ref=ref,
        title=item_title(item, bool(unit_heading)) or clean_title(content[:200]),
        lead=vunits._dedupe(lead),
        support=vunits._dedupe(support),
        start=d.start,
        end=d.end,
        deadline=d.deadline,
        content=content,
        form=fields.other.get("form"),
        location=fields.other.get("location"),
        duration=fields.other.get("duration"),
        audience=fields.other.get("audience"),
        funding=fields.other.get("funding"),
        time_text="; ".join(v for _, v in fields.time) or None,
        recurrence=vdates.recurrence(content),
        span=(item.span[0], item.last_line),
    )
    if not fields.lead and not unit_heading and inherited:
        act.notes.append("Đơn vị chủ trì lấy từ mục cha (lead inherited from the parent item)")
    return act


def children_are_fields(item: Item) -> bool:
    kids = [c for c in item.children if c.numbered]
    return bool(kids) and all(parse_field(c.heading) for c in kids)
