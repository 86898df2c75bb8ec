"""Vietnamese time expressions → dates, following the conventions in seeds/README.md.

Two entry points:
- `read_time_field(text, year, completion)` for a labelled time field or table column
  ("Thời gian thực hiện: Từ tháng 9/2023 đến hết tháng 3/2024"); everything in it counts.
- `scan_sentence_dates(text, year)` for free text, where only explicit ranges ("từ … đến
  …") and deadlines ("trước ngày …", "chậm nhất …", "hoàn thành trong …") count: a bare
  "năm 2023" in running text is scope, not a date.

Recurring ("hằng tháng", "thường xuyên") and relative ("sau khi …") phrases give no dates;
`recurrence()` reads their frequency and quota instead.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .model import Recurrence
from .rx import alternation, lowered, word_matches

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


@dataclass
class Span:
    start: dt.date
    end: dt.date
    kind: str  # "day" | "month" | "quarter" | "year"


@dataclass
class Dates:
    start: str | None = None
    end: str | None = None
    deadline: str | None = None

    def any(self) -> bool:
        return bool(self.start or self.end or self.deadline)


def _month_span(y: int, m: int) -> Span | None:
    if not (1 <= m <= 12 and 1900 < y < 2200):
        return None
    return Span(dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1]), "month")


def _day(y: int, m: int, d: int) -> Span | None:
    try:
        day = dt.date(y, m, d)
    except ValueError:
        return None
    if not 1900 < y < 2200:
        return None
    return Span(day, day, "day")


def _quarter(y: int, q: int) -> Span | None:
    if not 1 <= q <= 4:
        return None
    s = dt.date(y, 3 * q - 2, 1)
    e = _month_span(y, 3 * q).end
    return Span(s, e, "quarter")


def _year(y: int) -> Span | None:
    if not 1900 < y < 2200:
        return None
    return Span(dt.date(y, 1, 1), dt.date(y, 12, 31), "year")


_Y = r"(\d{4})"
# Ordered: the first alternative that matches at a position wins. Every alternative
# starts with "q", "n", "t" or a digit, and the look-ahead says so first: each
# alternative opens with a group, so without it all six were tried at every position
# (four times slower on the windows scan_sentence_dates reads).
_ATOM = re.compile(
    r"(?=[qnt\d])(?:(?P<q>(?:quý|qúy)\s*(?P<qs>(?:[IV]{1,3}|[1-4])(?:\s*(?:,|và|-|–)\s*(?:[IV]{1,3}|[1-4]))*)"
    r"\s*(?:/|năm|-)\s*(?P<qy>\d{4}))"
    r"|(?P<d1>ngày\s+(?P<d1d>\d{1,2})\s+tháng\s+(?P<d1m>\d{1,2})(?:\s+năm\s+(?P<d1y>\d{4}))?)"
    r"|(?P<d2>(?:ngày\s+)?(?<![\d/])(?P<d2d>\d{1,2})\s*[/.-]\s*(?P<d2m>\d{1,2})(?:\s*[/.-]\s*(?P<d2y>\d{4}))?(?![\d/]))"
    r"|(?P<m1>tháng\s+(?P<m1m>\d{1,2}(?:\s*(?:,|và)\s*\d{1,2})*)(?:\s*(?:/|-|năm)\s*(?P<m1y>\d{4}))?)"
    r"|(?P<m2>(?<![\d/])(?P<m2m>\d{1,2})\s*/\s*(?P<m2y>\d{4}))"
    r"|(?P<y>(?:năm\s+)?(?<!\d)(?P<yy>(?:19|20|21)\d{2})(?!\d|/)))",
    re.IGNORECASE,
)
# _ATOM for lower-cased text (see rx.lowered): a case-insensitive search over Vietnamese
# text is several times slower than a case-sensitive one.
_ATOM_LOW = re.compile(_ATOM.pattern.replace("[IV]", "[iv]"))


_DIGIT = re.compile(r"\d")


def _roman_or_int(s: str) -> int:
    s = s.strip().upper()
    return ROMAN.get(s) or int(s)


def atoms(text: str, year: int | None) -> list[tuple[int, int, Span]]:
    """Every date-like atom in `text` as (start_pos, end_pos, Span). A missing year is
    taken from `year`; an atom that still has no year is dropped."""
    out = []
    if not _DIGIT.search(text):
        return out  # every atom has a number; most windows after "trong", "từ" have none
    low = lowered(text)
    for m in _ATOM_LOW.finditer(low) if low is not None else _ATOM.finditer(text):
        span = None
        if m.group("q"):
            y = int(m.group("qy"))
            # words are split as printed ("và", not "VÀ"): read the group from `text`
            qs = [_roman_or_int(x) for x in re.split(r"\s*(?:,|và|-|–)\s*", text[m.start("qs"):m.end("qs")]) if x.strip()]
            spans = [_quarter(y, q) for q in qs if q in (1, 2, 3, 4)]
            spans = [s for s in spans if s]
            if spans:
                span = Span(min(s.start for s in spans), max(s.end for s in spans), "quarter")
        elif m.group("d1"):
            y = int(m.group("d1y")) if m.group("d1y") else year
            if y:
                span = _day(y, int(m.group("d1m")), int(m.group("d1d")))
        elif m.group("d2"):
            y = int(m.group("d2y")) if m.group("d2y") else year
            if y:
                span = _day(y, int(m.group("d2m")), int(m.group("d2d")))
        elif m.group("m1"):
            y = int(m.group("m1y")) if m.group("m1y") else year
            months = [int(x) for x in re.split(r"\s*(?:,|và)\s*", text[m.start("m1m"):m.end("m1m")]) if x.strip()]
            if y and months:
                spans = [_month_span(y, mm) for mm in months]
                spans = [s for s in spans if s]
                if spans:
                    span = Span(spans[0].start, spans[-1].end, "month")
        elif m.group("m2"):
            span = _month_span(int(m.group("m2y")), int(m.group("m2m")))
        elif m.group("y"):
            span = _year(int(m.group("yy")))
        if span:
            out.append((m.start(), m.end(), span))
    return out


_RANGE_SEP = re.compile(r"^\s*(?:đến\s+hết|đến|tới|hết|-|–|—|~)\s*(?:ngày\s+|tháng\s+|năm\s+)?$", re.I)
_OPEN_END = re.compile(
    r"^\W*(?:và\s+)?(?:thường xuyên|hằng năm|hàng năm|tiếp theo|các năm tiếp theo|những năm tiếp theo|trở đi|về sau|liên tục)",
    re.I,
)
_DEADLINE_BEFORE = re.compile(r"(?:trước|truớc)\s*(?:ngày)?\s*$", re.I)
_DEADLINE_BY = re.compile(r"(?:chậm nhất|muộn nhất|hạn chót|hạn|không quá|xong)\s*(?:là|vào|trong|trước)?\s*(?:ngày)?\s*$", re.I)
_COMPLETE_IN = re.compile(
    r"(?:(?:hoàn thành|kết thúc|xong)\s*(?:trong|vào|trước|chậm nhất)?|(?<![\w])trong)\s*(?:tháng|quý|năm)?\s*$", re.I
)
_RECURRING = re.compile(
    r"\b(hằng|hàng)\s+(ngày|tuần|tháng|quý|năm)\b|\bthường xuyên\b|\bđịnh kỳ\b|\bliên tục\b|/\s*(tháng|tuần|quý|năm)\b|\bmỗi\s+(tháng|tuần|quý|năm)\b",
    re.I,
)
_RELATIVE = re.compile(r"\bsau khi\b|\bgiờ sau\b|\bngày sau\b|\bkể từ khi\b|\bkhi có yêu cầu\b", re.I)
_FROM = re.compile(r"(?:từ|bắt đầu)\s*(?:ngày|tháng|năm)?\s*$", re.I)
_NOW_TO = re.compile(r"từ nay\s+(?:đến|tới)\s*(?:hết)?\s*$", re.I)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _ranges(text: str, year: int | None):
    """Yield (kind, a, b, start_pos, end_pos): kind "range" (a..b), "open" (a..),
    "deadline" (a), "single" (a)."""
    ats = atoms(text, year)
    used: set[int] = set()
    for i, (s, e, a) in enumerate(ats):
        if i in used:
            continue
        before = text[max(0, s - 40):s]
        # a range "A đến (hết) B" / "A - B"
        if i + 1 < len(ats):
            s2, e2, b = ats[i + 1]
            between = text[e:s2]
            if _RANGE_SEP.match(between) and b.end >= a.start:
                if a.kind == "day" and b.kind == "day" and a.start.year != b.start.year and not re.search(r"\d{4}", text[s:e]):
                    pass
                used.add(i + 1)
                if _DEADLINE_BEFORE.search(before):
                    yield "deadline", a, None, s, e2
                else:
                    yield "range", a, b, s, e2
                continue
            # "tháng 8/2023-3/2024" is matched as month, then "-3/2024": handled above
        if _NOW_TO.search(before):
            yield "until", a, None, s, e
            continue
        if _DEADLINE_BEFORE.search(before):
            yield "before", a, None, s, e
            continue
        if _DEADLINE_BY.search(before) or _COMPLETE_IN.search(before):
            yield "by", a, None, s, e
            continue
        after = text[e:e + 40]
        if _FROM.search(before) or _OPEN_END.match(after):
            yield "open", a, None, s, e
            continue
        yield "single", a, None, s, e


def _deadline_of(kind: str, a: Span) -> dt.date:
    if kind == "before" and a.kind == "day":
        return a.start - dt.timedelta(days=1)
    return a.end


def read_time_field(text: str, year: int | None, completion: bool = False) -> Dates:
    """Dates from a labelled time field. `completion` marks a "Thời gian hoàn thành" /
    "Thời hạn" field, whose periods are deadlines (the last day of the period)."""
    out = Dates()
    if not text or _RELATIVE.search(text):
        return out
    deadlines: list[dt.date] = []
    for kind, a, b, s, e in _ranges(text, year):
        if kind in ("before", "by"):
            deadlines.append(_deadline_of(kind, a))
        elif kind == "deadline":
            deadlines.append(_deadline_of("before", a))
        elif kind == "until":
            if completion:
                deadlines.append(a.end)
            else:
                out.end = out.end or _iso(a.end)
        elif completion:
            deadlines.append((b or a).end)
        elif out.start is None:
            out.start = _iso(a.start)
            if kind == "range":
                out.end = _iso(b.end)
                if _OPEN_END.match(text[e:e + 40]):
                    out.end = None
            elif kind == "single":
                out.end = _iso(a.end)
                if _OPEN_END.match(text[e:e + 40]) or (
                    _RECURRING.search(text[e:]) and re.search(r"\bvà\b", text[e:e + 8])
                ):
                    out.end = None
    if deadlines:
        out.deadline = _iso(min(deadlines))
    if not out.any() and _RECURRING.search(text):
        return Dates()
    return out


_FREE_TRIGGER_WORDS = ("từ", "trước", "truớc", "chậm nhất", "muộn nhất", "hạn", "hoàn thành", "xong", "trong", "không quá")
_FREE_TRIGGER = re.compile(r"(?<!\w)(?:" + "|".join(_FREE_TRIGGER_WORDS) + r")(?!\w)", re.I)
# For lower-cased text (see rx.lowered), found with rx.word_matches: the same matches
# without the look-behind, which kept the search from skipping to the words' letters.
_FREE_TRIGGER_LOW = re.compile(alternation(_FREE_TRIGGER_WORDS) + r"(?!\w)")


def scan_sentence_dates(text: str, year: int | None) -> Dates:
    """Dates stated in running text: explicit ranges and deadlines only."""
    out = Dates()
    if not text or not _DIGIT.search(text):
        return out  # every date has a number: see atoms()
    # Only the words that introduce a range or a deadline can yield a date here, so
    # read the short window after each of them rather than the whole text.
    windows = []
    last_end = -1
    low = lowered(text)
    for m in word_matches(_FREE_TRIGGER_LOW, low) if low is not None else _FREE_TRIGGER.finditer(text):
        if m.start() < last_end:
            continue
        lo = max(0, m.start() - 30)
        windows.append(text[lo:m.end() + 90])
        last_end = m.end() + 90
    deadlines: list[dt.date] = []
    for kind, a, b, s, e, window in ((*r, w) for w in windows for r in _ranges(w, year)):
        text = window
        if _RELATIVE.search(text[max(0, s - 30):s]):
            continue
        if kind in ("before", "by", "deadline"):
            if kind == "by" and a.kind == "year":
                continue
            if _RECURRING.search(text[e:e + 20]):
                continue
            deadlines.append(_deadline_of("before" if kind == "deadline" else kind, a))
        elif kind == "range" and out.start is None and a.kind != "year":
            # only ranges the text introduces with "từ": "(01/01/2004 - 01/01/2024)"
            # after an anniversary's name is not when the work happens
            if _in_reference(text, s) or not _FROM.search(text[max(0, s - 20):s]):
                continue
            out.start, out.end = _iso(a.start), _iso(b.end)
    if deadlines:
        out.deadline = _iso(min(deadlines))
    return out


def _in_reference(text: str, pos: int) -> bool:
    """A date right after a document number ("Kế hoạch số 396/KH-UBND ngày 23/6/2023")."""
    return bool(re.search(r"\d+[\w.\-]*/[\w.Đđ\-]+\s+ngày\s*$", text[max(0, pos - 60):pos]))


_FREQ = [
    (r"hằng ngày|hàng ngày|mỗi ngày|/\s*ngày", "daily"),
    (r"hằng tuần|hàng tuần|mỗi tuần|/\s*tuần", "weekly"),
    (r"hằng tháng|hàng tháng|mỗi tháng|/\s*tháng", "monthly"),
    (r"hằng quý|hàng quý|mỗi quý|/\s*quý", "quarterly"),
    (r"hằng năm|hàng năm|mỗi năm|/\s*năm", "yearly"),
    (r"định kỳ|thường xuyên", "periodic"),
]
_QUOTA = re.compile(
    r"(?:tối thiểu|ít nhất|tối đa|khoảng)?\s*(\d{1,3})\s+((?:chuyên mục|chuyên trang|chuyên đề|tin, bài|tin bài|tin|bài viết|bài|"
    r"phóng sự|số|kỳ|lần|chương trình|video|clip|ấn phẩm|sản phẩm|buổi|cuộc|tọa đàm|phim)\b[^\d,;.)]{0,20})",
    re.I,
)


# Matched against lower-cased text: a case-insensitive search over Vietnamese text is
# several times slower, and this runs on every activity.
# One flat alternation (not a group per frequency), so that every alternative starts
# with a literal and the search can skip ahead to those letters.
_FREQ_ANY = re.compile("|".join(p for p, _ in _FREQ))
_FREQ_RES = [(re.compile(p), f) for p, f in _FREQ]


def recurrence(text: str) -> Recurrence | None:
    """"Hằng tháng … tối thiểu 01 chuyên mục" → Recurrence("monthly", 1, "chuyên mục")."""
    text = text[:1500]  # the frequency is stated near the start of an activity
    low = text.lower()
    if not text or not _FREQ_ANY.search(low):
        return None
    for rx, freq in _FREQ_RES:
        m = rx.search(low)
        if m:
            window = text[max(0, m.start() - 80):m.end() + 80]
            q = _QUOTA.search(window)
            quota = int(q.group(1)) if q else None
            unit = q.group(2).strip() if q else None
            sentence = _sentence_around(text, m.start())
            return Recurrence(frequency=freq, quota=quota, unit=unit, text=sentence)
    return None


def _sentence_around(text: str, pos: int) -> str:
    start = max(text.rfind(".", 0, pos), text.rfind(";", 0, pos), text.rfind("\n", 0, pos)) + 1
    ends = [i for i in (text.find(".", pos), text.find(";", pos), text.find("\n", pos)) if i != -1]
    end = min(ends) if ends else len(text)
    return text[start:end].strip(" -+")


def doc_period(text: str, year: int | None, doc_date: dt.date | None) -> tuple[str | None, str | None]:
    """A document-level period ("từ nay đến hết tháng 3/2024", "trong năm 2024"):
    unlike activity dates, "từ nay" means the document's date and a bare year counts."""
    spans = list(_ranges(text, year))
    if not spans:
        return None, None
    kind, a, b, s, e = spans[0]
    if kind == "until":
        return _iso(doc_date), _iso(a.end)
    if kind == "range":
        return _iso(a.start), _iso(b.end)
    if kind == "open":
        return _iso(a.start), None
    if kind in ("before", "by"):
        return _iso(doc_date), _iso(_deadline_of(kind, a))
    return _iso(a.start), _iso(a.end)
