"""Blocks → Plan: the ordered steps after a reader has done its work.

1. header (number, issuer, date, kind, title), 2. outline tree, 3. activities from the
tree and from activity tables, 4. cross-references from the responsibilities section,
5. tail (recipients, signer), references, the plan's window and peak periods.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from . import activities as acts
from . import dates as vdates
from . import header as hdr
from . import tables as tbl
from . import units as vunits
from .model import Activity, Document, Paragraph, Period, Plan, Table
from .outline import Item, build_tree, release
from .rx import finditer_lowered

MAX_BLOCKS = 20000  # a plan has a few hundred; beyond this we only read the start


def extract(doc: Document) -> Plan:
    blocks = _nfc_blocks(doc.blocks[:MAX_BLOCKS], doc.paragraphs_nfc)
    plan = Plan(text=doc.text)
    if len(doc.blocks) > MAX_BLOCKS:
        doc.warnings.append(f"Tài liệu có {len(doc.blocks)} đoạn; chỉ đọc {MAX_BLOCKS} đoạn đầu.")
    start = hdr.parse_header(blocks, plan)
    hdr.site_fallback(plan, doc.site_fields)
    year = plan.source.pop("year", None)
    doc_date = dt.date.fromisoformat(plan.date) if plan.date else None
    body = blocks[start:]
    # _block_text inline: a call per block costs more than the replace
    body_text = "\n".join([b.text.replace("\n", " ") if type(b) is Paragraph else _block_text(b) for b in body])
    hdr.infer_issuer(plan, body_text)
    if year is None:
        year = _guess_year(plan, body_text)
    tree = build_tree(body)
    plan.activities = _walk(tree, year)
    _resolve_cross_refs(plan.activities)
    for act in plan.activities:  # after cross-references, which can add units
        act.groups = [n for n in act.lead + act.support if vunits.is_group(n)]
    hdr.parse_tail(blocks, plan)
    plan.references = hdr.find_references(body_text)
    plan.window, plan.peaks = _periods(plan, tree, body_text, year, doc_date)
    release(tree)
    return plan


def _nfc_blocks(blocks: list, paragraphs_nfc: bool = False) -> list:
    """The blocks with their text in NFC. Readers mostly hand over NFC text already, so
    all paragraphs are tested at once: nothing composes across a "\n" (a starter that
    combines with nothing), so the joined text is NFC exactly when every paragraph is.
    `paragraphs_nfc` (Document.paragraphs_nfc) says the reader has made sure of it."""
    if paragraphs_nfc:
        return [b if isinstance(b, Paragraph) else _nfc(b) for b in blocks]
    paras = [b.text for b in blocks if isinstance(b, Paragraph)]
    if unicodedata.is_normalized("NFC", "\n".join(paras)):
        return [b if isinstance(b, Paragraph) else _nfc(b) for b in blocks]
    return [_nfc(b) for b in blocks]


def _nfc(block):
    if isinstance(block, Paragraph):
        if not unicodedata.is_normalized("NFC", block.text):
            block.text = unicodedata.normalize("NFC", block.text)
    elif isinstance(block, Table):
        if not unicodedata.is_normalized("NFC", "\n".join(c for row in block.rows for c in row)):
            block.rows = [[unicodedata.normalize("NFC", c) for c in row] for row in block.rows]
    return block


def _block_text(b) -> str:
    if isinstance(b, Table):
        return "\n".join(" | ".join(r) for r in b.rows)
    return b.text.replace("\n", " ")


_YEAR_RE = re.compile(r"\bnăm\s+((?:19|20)\d{2})\b")
# _YEAR_RE without its leading \b: a pattern that starts with a literal lets the search
# skip ahead to "năm", one that starts with \b is tried at every position (~15x slower)
_YEAR_AFTER_NAM_RE = re.compile(_YEAR_RE.pattern[2:])


def _search_year(text: str) -> re.Match | None:
    """`_YEAR_RE.search(text)`: the word boundary before "n" holds where no word
    character (str.isalnum() or "_", as for the regex) comes right before it."""
    m = _YEAR_AFTER_NAM_RE.search(text)
    while m and m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
        m = _YEAR_AFTER_NAM_RE.search(text, m.start() + 1)
    return m


def _guess_year(plan: Plan, text: str) -> int | None:
    for s in (plan.title or "", text[:3000]):
        m = _search_year(s)
        if m:
            return int(m.group(1))
    return None


def _component(item: Item) -> str:
    lab = item.label
    if lab.kind == "ARTICLE":
        return f"Điều {lab.value}"
    if lab.kind == "SECTION":
        return f"Phần {lab.value}"
    return lab.value


def _ref(item: Item) -> str:
    parts: list[tuple[str, str]] = []
    for node in item.path():
        if not node.numbered:
            continue
        kind = node.label.kind
        comp = _component(node)
        if kind.startswith("DEC") and kind != "DEC1":
            # "1.1" already carries its parent "1": drop the decimal ancestors
            parts = [p for p in parts if not p[0].startswith("DEC")]
        parts.append((kind, comp))
    return ".".join(c for _, c in parts)


# "… các nhiệm vụ sau:": the heading names the unit, its numbered children are the tasks
_TASKS_FOLLOW_RE = re.compile(r"(?:các|một số|những)\s+nhiệm vụ(?:\s+\w+){0,3}\s*(?:sau|như sau)\s*:")


def _walk(root: Item, year: int | None) -> list[Activity]:
    out: list[Activity] = []
    seen_refs: dict[str, int] = {}

    def add(act: Activity) -> None:
        n = seen_refs.get(act.ref, 0) + 1
        seen_refs[act.ref] = n
        if n > 1:
            act.ref = f"{act.ref}[{n}]"
        out.append(act)

    def visit(item: Item, inherited: list[str]) -> bool:
        """Adds the activities under `item`; True if any was added."""
        if item.numbered and acts.is_excluded_section(item):
            return False
        produced = False
        for t in item.tables:
            for a in tbl.table_activities(t, year):
                add(a)
                produced = True
        numbered_kids = [c for c in item.children if c.numbered]
        fields_only = acts.children_are_fields(item)
        own_units: list[str] = []
        unit_heading = None
        if item.numbered:
            unit_heading = acts.heading_units(item.heading)
            own_units = unit_heading or []
            if not own_units and "nhiệm vụ" in item.heading and _TASKS_FOLLOW_RE.search(item.heading):
                own_units = acts.inline_leads([item.heading])
        if not fields_only:
            for child in numbered_kids:
                produced = visit(child, own_units or inherited) or produced
            # unnumbered children can hold tables and lettered sub-items too
            for child in item.children:
                if not child.numbered:
                    produced = visit_unnumbered(child, own_units or inherited) or produced
        if produced or not item.numbered:
            return produced
        extra = []
        if fields_only:
            for c in numbered_kids:
                extra.append(c.heading)
                extra.extend(c.body)
        act = acts.make_activity(item, "", year, inherited, extra, unit_heading=unit_heading)
        if act and _in_funding_section(item) and not _FUNDING_TASK.search(act.content):
            # "kinh phí … do các đơn vị tự bố trí" states a source; only a concrete
            # task (an estimate, a contract, an allocation, a report) is an activity
            act = None
        if act:
            act.ref = _ref(item)  # only for activities: most items are not one
            add(act)
            return True
        return False

    def visit_unnumbered(item: Item, inherited: list[str]) -> bool:
        produced = False
        for t in item.tables:
            for a in tbl.table_activities(t, year):
                add(a)
                produced = True
        for c in item.children:
            if c.numbered:
                produced = visit(c, inherited) or produced
            else:
                produced = visit_unnumbered(c, inherited) or produced
        return produced

    visit(root, [])
    # the two nested functions reach each other (and themselves) through their closure
    # cells: a reference cycle that only the garbage collector would free
    visit = visit_unnumbered = None  # noqa: F841
    # tables are read when their item is visited; report everything in document order
    out.sort(key=lambda a: a.span[0] if a.span else 0)
    return out


_FUNDING_HEADING = re.compile(r"^(?:KINH PHÍ|NGUỒN KINH PHÍ|KINH PHÍ THỰC HIỆN|KINH PHÍ VÀ)", re.I)
_FUNDING_TASK = re.compile(
    r"xây dựng dự toán|lập dự toán|dự toán kinh phí|ký kết|ký hợp đồng|thẩm định|phân bổ|tổng hợp|trình cấp|"
    r"báo cáo|cấp phát|hướng dẫn|đặt hàng|thanh toán|quyết toán cho",
    re.I,
)


def _in_funding_section(item: Item) -> bool:
    node = item
    while node is not None and node.label is not None:
        if _FUNDING_HEADING.match(node.heading.strip()):
            return True
        node = node.parent
    return False


_XREF_RE = re.compile(
    r"(?P<role>ch[ủỉ] trì|phối hợp)[^.;]{0,80}?(?:tại|theo|ở)\s+(?:các\s+)?(?:khoản|điểm|tiểu mục|mục|nội dung|nhiệm vụ)\s+"
    r"(?P<refs>\d{1,2}(?:\.\d{1,2})*(?:\s*(?:,|và|;)\s*\d{1,2}(?:\.\d{1,2})*)*)\s*,?\s*(?:của\s+)?(?:mục|phần)\s+(?P<sec>[IVXL]+)",
    re.I,
)
# The same for lower-cased text (rx.lowered), where a case-sensitive search can skip
# ahead to the letters the roles start with; groups are read from the text itself.
_XREF_LOW = re.compile(_XREF_RE.pattern.replace("[IVXL]", "[ivxl]"))


def _may_cross_ref(content: str) -> bool:
    """Whether _XREF_RE can match: it ends in "mục"/"phần" + a section numeral. Any
    character the case-insensitive pattern takes for one of these letters lower-cases
    to it, so a plain search of the lower-cased text is a safe, much cheaper gate."""
    low = content.lower()
    return "mục" in low or "phần" in low


def _resolve_cross_refs(activities: list[Activity]) -> None:
    """"Chủ trì triển khai nhiệm vụ tại khoản 1.1 và 2.6 mục III" in a unit's
    responsibilities makes that unit lead of III.1.1 and III.2.6, noting the source."""
    by_ref = {a.ref: a for a in activities}
    for src in activities:
        if not _may_cross_ref(src.content):
            continue
        text = src.content
        for m in finditer_lowered(_XREF_RE, _XREF_LOW, text):
            role = "lead" if text[m.start("role"):m.end("role")].lower().startswith("ch") else "support"
            sec = text[m.start("sec"):m.end("sec")].upper()
            for num in re.findall(r"\d{1,2}(?:\.\d{1,2})*", text[m.start("refs"):m.end("refs")]):
                target = by_ref.get(f"{sec}.{num}")
                if target is None or target is src:
                    continue
                names = getattr(target, role)
                keys = {vunits.fold_key(n) for n in target.lead + target.support}
                added = [u for u in src.lead if vunits.fold_key(u) not in keys]
                names.extend(added)
                label = "chủ trì" if role == "lead" else "phối hợp"
                target.notes.append(
                    f"Mục {src.ref} giao {', '.join(src.lead)} {label} nhiệm vụ này"
                    + ("" if added else " (đã có trong danh sách)")
                )


_PEAK_RE = re.compile(r"cao điểm", re.I)
# Cues of a period ("thực hiện" only with "từ"/"trong" after it). The plan's own
# window is stated early; peaks can be anywhere.
_PEAK_CUE = "cao điểm"
_FROM_OR_IN = re.compile(r"\s+(?:từ|trong)")
_WINDOW_CUES = (
    ("Thời gian", None), ("thời gian", None), ("bắt đầu từ", None), ("thực hiện", _FROM_OR_IN), ("triển khai", _FROM_OR_IN)
)
WINDOW_CUE_CHARS = 30000
_WINDOW_RE = re.compile(
    r"(?:thời gian\s+(?:thực hiện|tuyên truyền|triển khai)|bắt đầu từ|thực hiện\s+(?:từ|trong)|triển khai\s+(?:từ|trong))", re.I
)


def _cue_sentences(text: str) -> list[str]:
    """The sentences around the cues that can state a period, in order: the plan's own
    window is stated early (the first WINDOW_CUE_CHARS characters, 31 cues), peaks
    anywhere. No cue can overlap another, so each is found on its own with str.find,
    much faster than one pattern whose alternatives start with common letters."""
    cues = [(start, start + len(_PEAK_CUE), True) for start in _find_all(text, _PEAK_CUE)]
    for word, tail in _WINDOW_CUES:
        for start in _find_all(text, word, WINDOW_CUE_CHARS + len(word)):
            end = start + len(word)
            if tail is not None:
                m = tail.match(text, end)
                if m is None:
                    continue
                end = m.end()
            cues.append((start, end, False))
    candidates = []
    closed = False  # past the 31st cue no window is read, even in the first characters
    for start, end, peak in sorted(cues):
        if not peak and (closed or len(candidates) > 30):
            closed = True
            continue
        candidates.append(_sentence_at(text, start, end))
    return candidates


def _find_all(text: str, word: str, end: int | None = None) -> list[int]:
    """Start of every occurrence of `word` that ends by `end`."""
    out = []
    i = text.find(word, 0, end)
    while i != -1:
        out.append(i)
        i = text.find(word, i + len(word), end)
    return out


def _sentence_at(text: str, start: int, end: int) -> str:
    lo = max(text.rfind(".", 0, start), text.rfind("\n", 0, start), text.rfind(";", 0, start)) + 1
    hi = min([i for i in (text.find(".", end), text.find("\n", end), text.find(";", end)) if i != -1] or [len(text)])
    # the sentence may hold a date like "15.12" but dates use "/" here
    return text[lo:hi]


def _periods(plan: Plan, tree: Item, text: str, year: int | None, doc_date: dt.date | None):
    peaks: list[Period] = []
    window = None
    seen: set[tuple] = set()
    for sentence in dict.fromkeys(_cue_sentences(text)):
        if _PEAK_RE.search(sentence):
            if vdates.recurrence(sentence):
                continue  # "cao điểm hằng năm … (05/6)": a yearly occasion, not this plan's peak
            tail = sentence[_PEAK_RE.search(sentence).end():]
            s, e = vdates.doc_period(tail, year, doc_date)
            if s or e:
                key = (s, e)
                if key not in seen:
                    seen.add(key)
                    peaks.append(Period(s, e, sentence.strip()[:300]))
        elif window is None and _WINDOW_RE.search(sentence):
            tail = sentence[_WINDOW_RE.search(sentence).start():]
            s, e = vdates.doc_period(tail, year, doc_date)
            if s or e:
                window = Period(s, e, sentence.strip()[:300])
    if window is None and plan.title:
        # only a period the title ends with: "… năm 2024", "… giai đoạn 2026 - 2030",
        # "(Đợt 03 – từ 01/9/2020 đến 31/10/2020)"; a year inside a cited decision's
        # date is not the plan's window
        m = re.search(
            r"(?:từ\s+[^()]+?\s+đến\s+[^()]+|(?:năm|giai đoạn)\s+\d{4}(?:\s*[-–]\s*\d{4})?)\s*\)?\s*$", plan.title, re.I
        )
        if m and re.search(r"(?:đến|tầm nhìn)\s*$", plan.title[: m.start()], re.I):
            m = None  # "… đến năm 2030, tầm nhìn đến năm 2050" is a horizon, not a window
        if m:
            s, e = vdates.doc_period(m.group(0), year, doc_date)
            if s or e:
                window = Period(s, e, m.group(0))
    return window, peaks
