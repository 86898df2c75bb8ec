"""Document-level fields: number, issuer (and its parent body), place and date, kind,
title, addressees, recipients, signer and references to other documents.

The header is read from the first blocks: either the two-column header table (issuing
body | Quốc hiệu, then "Số:" | "<place>, ngày …") or the same lines one under another.
"""
from __future__ import annotations

import datetime as dt
import re

from .model import Paragraph, Plan, Reference, Signer, Table

QUOC_HIEU = re.compile(r"CỘNG\s+H[ÒO]A\s+X[ÃA]\s+H[ỘO]I|Độc lập\s*[-–]\s*Tự do", re.I)
_NUMBER_RE = re.compile(r"^\s*S\s*ố\s*(?:hiệu)?\s*:\s*(?P<n>[^\n]*)", re.I)
# What follows the place name: it starts at the only comma a match of _DATE_RE holds.
_DATE_TAIL = r",\s*ngày\s*(?P<d>\d{0,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})"
_DATE_RE = re.compile(r"(?P<place>[^,\n]{2,60})" + _DATE_TAIL, re.I)
_DATE_TAIL_RE = re.compile(_DATE_TAIL, re.I)


def _search_date(text: str) -> re.Match | None:
    """`_DATE_RE.search(text)`, found from the commas. A search tries the place name
    (up to 60 characters, backtracking) at every position; but the name cannot hold a
    comma or a line break, so a match is the comma that a date follows, with the name
    starting after the separator before it, at most 60 characters back. Dates follow
    few commas, and the earliest such comma gives the earliest match."""
    for tail in _DATE_TAIL_RE.finditer(text):  # tails cannot overlap: one comma each
        comma = tail.start()
        start = max(text.rfind(",", 0, comma) + 1, text.rfind("\n", 0, comma) + 1, comma - 60)
        if comma - start >= 2:
            return _DATE_RE.match(text, start)
    return None


_KINDS = [
    ("KẾ HOẠCH", "Kế hoạch"), ("QUYẾT ĐỊNH", "Quyết định"), ("HƯỚNG DẪN", "Hướng dẫn"),
    ("CÔNG VĂN", "Công văn"), ("THÔNG BÁO", "Thông báo"), ("CHỈ THỊ", "Chỉ thị"),
    ("CHƯƠNG TRÌNH", "Chương trình"), ("BÁO CÁO", "Báo cáo"), ("NGHỊ QUYẾT", "Nghị quyết"),
    ("ĐỀ ÁN", "Đề án"), ("THÔNG TƯ", "Thông tư"), ("NGHỊ ĐỊNH", "Nghị định"), ("TỜ TRÌNH", "Tờ trình"),
    ("QUY CHẾ", "Quy chế"), ("QUY ĐỊNH", "Quy định"), ("CHƯƠNG TRÌNH HÀNH ĐỘNG", "Chương trình hành động"),
    ("CÔNG ĐIỆN", "Công điện"),
]
_CODE_KINDS = {"KH": "Kế hoạch", "QĐ": "Quyết định", "HD": "Hướng dẫn", "TB": "Thông báo", "CT": "Chỉ thị",
               "BC": "Báo cáo", "NQ": "Nghị quyết", "CTr": "Chương trình", "TTr": "Tờ trình", "CĐ": "Công điện"}
_ABBREV = [
    (r"^UBND\b", "Ủy ban nhân dân"), (r"^HĐND\b", "Hội đồng nhân dân"), (r"^BTG\b", "Ban Tuyên giáo"),
]
_PROPER = [
    "Thông tin và Truyền thông", "Văn hóa, Thể thao và Du lịch", "Văn hóa Thể thao và Du lịch",
    "Khoa học và Công nghệ", "Kế hoạch và Đầu tư", "Tài chính", "Nội vụ", "Tư pháp", "Y tế", "Xây dựng",
    "Giáo dục và Đào tạo", "Nông nghiệp và Phát triển nông thôn", "Nông nghiệp và Môi trường",
    "Tài nguyên và Môi trường", "Lao động - Thương binh và Xã hội", "Công Thương", "Ngoại vụ",
    "Giao thông vận tải", "Dân tộc và Tôn giáo", "Tuyên giáo", "Dân vận", "Tuyên giáo và Dân vận",
    "Công an", "Quốc phòng", "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Trung ương", "Chính phủ",
]


def _lines(block) -> list[str]:
    if isinstance(block, Table):
        return [ln for row in block.rows for cell in row for ln in cell.split("\n") if ln.strip()]
    return [ln for ln in block.text.split("\n") if ln.strip()]


def sentence_case(upper: str) -> str:
    """"SỞ THÔNG TIN VÀ TRUYỀN THÔNG" → "Sở Thông tin và Truyền thông";
    "UBND TỈNH ĐẮK NÔNG" → "Ủy ban nhân dân tỉnh Đắk Nông"."""
    s = " ".join(upper.split())  # = re.sub(r"\s+", " ", upper.strip()), without a match per space
    if not s.isupper():
        return s
    low = s.lower()
    for pat, full in _ABBREV:
        low = re.sub(pat.lower(), full.lower(), low)
    out = low[:1].upper() + low[1:]
    for name in _PROPER:
        out = re.sub(re.escape(name.lower()), name, out)
    # place names after an administrative word are proper nouns
    out = re.sub(
        r"\b(tỉnh|thành phố|huyện|quận|thị xã|xã|phường|đặc khu)\s+((?:\S+\s*){1,3})$",
        lambda m: m.group(1) + " " + " ".join(w[:1].upper() + w[1:] for w in m.group(2).split()),
        out,
    )
    out = re.sub(r"^(Ủy ban nhân dân|Hội đồng nhân dân|Sở|Bộ|Ban|Cục)", lambda m: m.group(1), out)
    out = out.replace("ủy ban nhân dân", "Ủy ban nhân dân")
    return out


def _locality(name: str) -> str | None:
    m = re.search(r"\b((?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|đặc khu)\s+.+)$", name, re.I)
    return m.group(1) if m else None


# Tried on many lines and blocks: compiled once here rather than looked up in re's cache.
_ABOUT_RE = re.compile(r"^V/v\b|^Về việc\b", re.I)
_KINH_GUI_RE = re.compile(r"^Kính\s+gửi\s*:?", re.I)
_NOI_NHAN_RE = re.compile(r"^Nơi\s+nhận\s*:?", re.I)
_CELL_NOI_NHAN_RE = re.compile(r"^\s*Nơi\s+nhận", re.I)
_SIGNED_NOTE_RE = re.compile(r"^\[|^\(|^Đã ký|^\*")
_PERSON_NAME_RE = re.compile(r"^[A-ZĐ][\wÀ-ỹ]*(\s+[A-ZĐ][\wÀ-ỹ]*){1,4}$")


def parse_header(blocks: list, plan: Plan) -> int:
    """Fill plan.number/date/place/issuer/parent_issuer/kind/title/addressees from the
    first blocks. Returns the index of the first block after the header."""
    limit = min(len(blocks), 60)
    issuer_lines: list[str] = []
    qh_seen = False
    kind_idx = None
    end = 0
    for i in range(limit):
        block = blocks[i]
        if isinstance(block, Table):
            if kind_idx is not None or len(block.rows) > 6 or len(block.rows[0]) > 3:
                continue  # the header table is small; larger tables are content
            joined = "\n".join(_lines(block))
            if QUOC_HIEU.search(joined) or _NUMBER_RE.search(joined) or _may_hold_date(joined) and _search_date(joined):
                _header_table(block, plan, issuer_lines)
                qh_seen = qh_seen or bool(QUOC_HIEU.search(joined))
                end = i + 1
            continue
        lines = _lines(block)
        consumed = False
        for ln in lines:
            if len(ln) > 160:
                continue  # header lines are short; long ones are body text
            if ("CỘNG" in ln or "Độc lập" in ln or "ĐỘC LẬP" in ln) and QUOC_HIEU.search(ln):
                qh_seen = True
                consumed = True
                continue
            m = _NUMBER_RE.match(ln)
            if m and plan.number is None and "number_seen" not in plan.source:
                plan.source["number_seen"] = True
                plan.number = _clean_number(m.group("n"))
                end = i + 1
                consumed = True
                continue
            m = _search_date(ln) if "tháng" in ln and "năm" in ln else None
            if m and plan.date is None and "date_seen" not in plan.source and len(ln) < 120:
                plan.source["date_seen"] = True
                _set_date(plan, m)
                end = i + 1
                consumed = True
                continue
        if consumed:
            continue
        if (not qh_seen and kind_idx is None and plan.number is None and lines
                and sum(map(len, lines)) < 300 and all(_is_upper_line(x) for x in lines)):
            if not _kind_of(lines[0]):
                issuer_lines.extend(lines)
                continue
        if kind_idx is None and lines and _kind_of(lines[0]) and len(lines[0]) < 40:
            plan.kind = _kind_of(lines[0])
            kind_idx = i
            rest = " ".join(lines[1:]).strip()
            if rest:
                plan.title = rest
                end = i + 1
            else:
                title = _title_after(blocks, i + 1)
                if title:
                    plan.title, end = title
                else:
                    end = i + 1
            break
        if lines and _ABOUT_RE.match(lines[0]):
            plan.title = re.sub(r"^(V/v|Về việc)\s*", "", " ".join(lines), flags=re.I).strip()
            plan.kind = plan.kind or "Công văn"
            end = i + 1
            break
    plan.source.pop("number_seen", None)
    plan.source.pop("date_seen", None)
    _set_issuer(plan, issuer_lines)
    if plan.kind == "Quyết định" and plan.title and re.match(
        r"^(?:VỀ VIỆC\s+)?(?:BAN HÀNH|PHÊ DUYỆT)\s+KẾ HOẠCH", plan.title, re.I
    ):
        plan.kind = "Quyết định ban hành kế hoạch"
    if plan.kind is None and plan.number:
        m = re.search(r"/([A-Za-zĐđ]+)", plan.number)
        if m:
            plan.kind = _CODE_KINDS.get(m.group(1))
    return end


def site_fallback(plan: Plan, fields: dict[str, str]) -> None:
    """Number, date and kind from what the publishing site states about the document
    (Document.site_fields), where the page lacks the document's own header."""
    number = fields.get("Số hiệu", "")
    if plan.number is None and re.fullmatch(r"\d+[\w.\-]*/[\w.Đđ&/\-]+", number):
        plan.number = number
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", fields.get("Ngày ban hành", ""))
    if plan.date is None and m:
        try:
            plan.date = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        except ValueError:
            pass
    kind = fields.get("Loại văn bản", "")
    if plan.kind is None and kind in _KIND_NAMES:
        plan.kind = kind


_KIND_NAMES = frozenset(name for _, name in _KINDS)


def _may_hold_date(text: str) -> bool:
    """Whether _DATE_RE can match: it needs "ngày", "tháng" and "năm" in any case. Its
    search tries up to 60 characters of place name at every position, which costs far
    more than three substring tests on a large table."""
    low = text.lower()
    return "ngày" in low and "tháng" in low and "năm" in low


_ASCII_LOWER = b"abcdefghijklmnopqrstuvwxyz"


def _is_upper_line(s: str) -> bool:
    """A short line in (nearly) all capitals, as issuer names are printed."""
    if len(s) >= 90:
        return False
    if s.isupper():
        return True
    # A pre-check: most lines tried are running text. Each of a-z is a letter and not
    # a capital, so when they are a fifth of the characters (so at least a fifth of the
    # letters) the capitals cannot pass 0.8; counted in C, not letter by letter.
    ascii_part = s.encode("ascii", "ignore")
    if 5 * (len(ascii_part) - len(ascii_part.translate(None, _ASCII_LOWER))) >= len(s):
        return False
    letters = list(filter(str.isalpha, s))
    return bool(letters) and sum(map(str.isupper, letters)) / len(letters) > 0.8


_NON_WORD = re.compile(r"[^\wÀ-ỹ ]")
_KIND_BY_WORD = dict(_KINDS)  # the words are distinct


def _kind_of(line: str) -> str | None:
    if len(line) > 40:
        return None
    s = " ".join(_NON_WORD.sub(" ", line).split())
    return _KIND_BY_WORD.get(s.upper()) if s.isupper() else None


def _title_after(blocks: list, start: int):
    parts: list[str] = []
    end = start
    for j in range(start, min(start + 4, len(blocks))):
        b = blocks[j]
        if isinstance(b, Table):
            break
        text = " ".join(_lines(b)).strip()
        if not text or re.match(r"^(Căn cứ|Thực hiện|Triển khai|Theo|Để|Nhằm|\(Kèm theo|\(Ban hành)", text) or _kind_of(text):
            break
        if parts and not (text.isupper() and parts[-1].isupper()):
            break
        if parts and re.match(r"^(ỦY BAN|UỶ BAN|BỘ TRƯỞNG|CHỦ TỊCH|GIÁM ĐỐC|BAN THƯỜNG VỤ)", text):
            break
        parts.append(text)
        end = j + 1
        if not text.isupper():
            break
    if not parts:
        return None
    return " ".join(" ".join(parts).split()), end


def _clean_number(raw: str) -> str | None:
    s = "".join(raw.split())
    s = s.split("\n")[0]
    m = re.match(r"^(\d[\w.\-]*/[\w.\-/Đđ&]+)", s)
    if m:
        return m.group(1).rstrip(".,;")
    return None


def _set_date(plan: Plan, m: re.Match) -> None:
    plan.place = re.sub(r"^[\W_]+", "", m.group("place")).strip() or None
    d = m.group("d")
    plan.source["year"] = int(m.group("y"))
    if d:
        try:
            plan.date = dt.date(int(m.group("y")), int(m.group("m")), int(d)).isoformat()
        except ValueError:
            plan.date = None


# "Số: 529 /KH-UBND", or "Số:" with the number on the cell's next line
_CELL_NUMBER = re.compile(r"S\s*ố\s*:[ \t]*\n?[ \t]*([^\n]*)")


def _header_table(table: Table, plan: Plan, issuer_lines: list[str]) -> None:
    """The two-column header table. A cell is read whole first, since converters wrap
    "Thành phố Hồ\nChí Minh, ngày …" and "Số:\n2820/QĐ-UBND" over lines."""
    for row in table.rows:
        for ci, cell in enumerate(row):
            flat = " ".join(cell.split())
            if not flat:
                continue
            consumed = False
            m = _CELL_NUMBER.search(cell)
            if m and plan.number is None:
                plan.number = _clean_number(m.group(1))
                consumed = True
            m = _search_date(flat)
            if m and plan.date is None and "year" not in plan.source:
                _set_date(plan, m)
                consumed = True
            if consumed or QUOC_HIEU.search(flat) or ci > 0:
                continue
            for ln in cell.split("\n"):
                ln = ln.strip()
                if ln and not re.fullmatch(r"[-_=—–.\s]+", ln) and _is_upper_line(ln):
                    issuer_lines.append(ln)


def _set_issuer(plan: Plan, lines: list[str]) -> None:
    lines = [re.sub(r"[-_]{3,}", "", x).strip() for x in lines]
    lines = [x for x in lines if x and not QUOC_HIEU.search(x)]
    if not lines:
        return
    # wrapped names: "ỦY BAN NHÂN" / "DÂN" / "THÀNH PHỐ HỒ CHÍ MINH"
    joined: list[str] = []
    for ln in lines:
        if joined and (re.match(r"^(DÂN|NHÂN DÂN|TRUYỀN THÔNG|VÀ\b|TỈNH\b|THÀNH PHỐ\b|HUYỆN\b|XÃ\b|PHƯỜNG\b|PHỦ\b|CHÍNH\b)", ln)
                       or joined[-1].endswith(("NHÂN", "VÀ", "BAN", "ỦY", "UỶ"))):
            joined[-1] = f"{joined[-1]} {ln}"
        else:
            joined.append(ln)
    names = [sentence_case(x) for x in joined]
    if len(names) >= 2:
        plan.parent_issuer = names[-2]
        lower = names[-1]
        loc = _locality(names[-2])
        if loc and not _locality(lower):
            lower = f"{lower} {loc}"
        plan.issuer = lower
    else:
        plan.issuer = names[0]


_ISSUER_IN_TEXT = re.compile(
    r"(?P<u>(?:Ủy ban nhân dân|Uỷ ban nhân dân|UBND|Sở [^,.;]{3,60}?|Ban [^,.;]{3,40}?|Bộ [^,.;]{3,40}?)"
    r"(?:\s+(?:tỉnh|thành phố|huyện)(?:\s+[A-ZĐ][^\s,.;]*(?:\s+[A-ZĐ][^\s,.;]*){0,2})?)?)\s+ban hành\s+(?:Kế hoạch|Quyết định|Hướng dẫn|Chương trình)",
)


_CODE_ISSUERS = {
    "UBND": "Ủy ban nhân dân", "STTTT": "Sở Thông tin và Truyền thông", "SVHTTDL": "Sở Văn hóa, Thể thao và Du lịch",
    "SKHCN": "Sở Khoa học và Công nghệ", "STC": "Sở Tài chính", "SNV": "Sở Nội vụ", "STP": "Sở Tư pháp",
    "SYT": "Sở Y tế", "SGDĐT": "Sở Giáo dục và Đào tạo", "SKHĐT": "Sở Kế hoạch và Đầu tư",
    "HĐND": "Hội đồng nhân dân", "TU": "Tỉnh ủy", "BTGTU": "Ban Tuyên giáo Tỉnh ủy",
}
# Ministries issue nationwide: their name takes no locality.
_MINISTRY_CODES = {
    "BTTTT": "Bộ Thông tin và Truyền thông", "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BKHCN": "Bộ Khoa học và Công nghệ", "BNV": "Bộ Nội vụ", "BTC": "Bộ Tài chính", "BTP": "Bộ Tư pháp",
    "BYT": "Bộ Y tế", "BGDĐT": "Bộ Giáo dục và Đào tạo", "BCA": "Bộ Công an", "BQP": "Bộ Quốc phòng",
    "BNNMT": "Bộ Nông nghiệp và Môi trường", "BXD": "Bộ Xây dựng", "BCT": "Bộ Công Thương",
    "BNG": "Bộ Ngoại giao", "TTg": "Thủ tướng Chính phủ", "CP": "Chính phủ", "VPCP": "Văn phòng Chính phủ",
}
_CITIES = ("Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Huế")


def _issuer_from_code(plan: Plan) -> str | None:
    """"529/KH-UBND" issued in "Đắk Nông" → "Ủy ban nhân dân tỉnh Đắk Nông"."""
    if not plan.number:
        return None
    m = re.search(r"/[A-Za-zĐđ]+-([A-Za-zĐ]+)", plan.number)
    if m and m.group(1) in _MINISTRY_CODES:
        return _MINISTRY_CODES[m.group(1)]
    if not plan.place:
        return None
    body = _CODE_ISSUERS.get(m.group(1)) if m else None
    if not body:
        return None
    place = re.sub(r"^(?:tỉnh|thành phố|Thành phố|TP\.?)\s+", "", plan.place).strip()
    level = "thành phố" if place in _CITIES else "tỉnh"
    return f"{body} {level} {place}"


def _search_issuer(text: str) -> re.Match | None:
    """`_ISSUER_IN_TEXT.search(text)`, tried only where it can match. No part of the
    pattern matches ",", "." or ";", and it holds "ban hành": a match lies inside one
    piece of text between those marks that holds "ban hành", and cutting the text at
    the piece's end changes nothing. A plain search tries a lazy name of up to 60
    characters at every "Sở", "Ban", "Bộ" of all the other pieces for nothing."""
    i = text.find("ban hành")
    while i != -1:
        start = max(text.rfind(",", 0, i), text.rfind(".", 0, i), text.rfind(";", 0, i)) + 1
        ends = [k for k in (text.find(",", i), text.find(".", i), text.find(";", i)) if k != -1]
        end = min(ends) if ends else len(text)
        m = _ISSUER_IN_TEXT.search(text, start, end)
        if m:
            return m
        i = text.find("ban hành", end)
    return None


def infer_issuer(plan: Plan, body_text: str) -> None:
    """A plan printed without its header still says who issues it: "…, Ủy ban nhân
    dân tỉnh Đắk Nông ban hành Kế hoạch …", or failing that, its number's code and
    its place ("529/KH-UBND", "Đắk Nông")."""
    if plan.issuer:
        return
    m = _search_issuer(body_text[:6000])
    if not m:
        plan.issuer = _issuer_from_code(plan)
        return
    name = m.group("u").strip()
    name = re.sub(r"^UBND\b", "Ủy ban nhân dân", name)
    if not _locality(name) and plan.title:
        name = re.sub(r"\s+(?:tỉnh|thành phố|huyện)$", "", name)
        loc = re.search(r"\b(tỉnh|thành phố)\s+([A-ZĐ]\S*(?:\s+[A-ZĐ]\S*){0,2})", plan.title)
        if loc:
            name = f"{name} {loc.group(1)} {loc.group(2)}"
    plan.issuer = name


_SIGN_AUTH = re.compile(r"^(?P<a>TM|KT|Q|TL|TUQ|T/M|K/T)\s*\.?\s*(?P<rest>.*)$")
_POSITIONS = re.compile(
    r"^(PHÓ\s+)?(CHỦ TỊCH|GIÁM ĐỐC|BỘ TRƯỞNG|THỨ TRƯỞNG|TRƯỞNG BAN|CHÁNH VĂN PHÒNG|BÍ THƯ|TỔNG CỤC TRƯỞNG|"
    r"CỤC TRƯỞNG|VỤ TRƯỞNG|CHÁNH THANH TRA|TRƯỞNG PHÒNG|THỦ TRƯỞNG|PHÓ TRƯỞNG BAN|TỔNG GIÁM ĐỐC|CHỦ NHIỆM)\b"
)


# The first characters of a paragraph parse_tail reads: the openings it looks for, or
# the spaces and emphasis marks it strips before them.
_TAIL_OPENINGS = ("Kính", "Nơi", "KT", "TM", "Q.", "TL", "TUQ", "T/M", "K/T")
_TAIL_FIRST = "".join(sorted({w[0] for w in _TAIL_OPENINGS})) + " *"


def parse_tail(blocks: list, plan: Plan) -> None:
    """Recipients (Nơi nhận), addressees (Kính gửi) and the signature block."""
    for i, b in enumerate(blocks):
        if isinstance(b, Paragraph):
            if b.text[:1] not in _TAIL_FIRST:
                continue  # most paragraphs: ruled out by their first character
            head = b.text[:12].lstrip(" *")
            if not head.startswith(_TAIL_OPENINGS):
                continue
        elif b.rows and (len(b.rows) > 4 or len(b.rows[0]) > 3):
            # recipients and signature share a small table; big ones are content, where
            # only a "Kính gửi" as the first line counts: no need to split every cell
            first = next((ln for row in b.rows for cell in row for ln in cell.split("\n") if ln.strip()), None)
            if first is not None and _KINH_GUI_RE.match(first) and not plan.addressees:
                _set_addressees(plan, blocks, i, _lines(b))
            continue
        lines = _lines(b)
        if not lines:
            continue
        first = lines[0]
        if _KINH_GUI_RE.match(first) and not plan.addressees:
            _set_addressees(plan, blocks, i, lines)
        if isinstance(b, Table):
            for row in b.rows:
                for cell in row:
                    if _CELL_NOI_NHAN_RE.match(cell):
                        plan.recipients = _recipients_from_cell(cell)
                    sig = _signer_from_lines(cell.split("\n"))
                    if sig:
                        plan.signer = sig
            continue
        if _NOI_NHAN_RE.match(first):
            rest = [x for x in lines[1:]]
            items = rest if rest else _list_after(blocks, i + 1)
            plan.recipients = [x for x in (_clean_item(t) for t in items) if x]
            continue
        sig = _signer_from_blocks(blocks, i)
        if sig:
            plan.signer = sig


def _set_addressees(plan: Plan, blocks: list, i: int, lines: list[str]) -> None:
    """"Kính gửi: …" in block i (its lines given), or a list in the blocks after it."""
    inline = re.sub(r"^Kính\s+gửi\s*:?\s*", "", " ".join(lines), flags=re.I).strip()
    items = _list_after(blocks, i + 1) if not inline else [inline]
    plan.addressees = [x for x in (_clean_item(t) for t in items) if x]


def _list_after(blocks: list, start: int) -> list[str]:
    out = []
    for b in blocks[start:start + 40]:
        if isinstance(b, Table):
            break
        t = b.text.strip()
        if not t.startswith(("-", "–", "+", "•")):
            break
        out.extend(x for x in re.split(r"\n(?=[-–+•])", t))
    return out


def _recipients_from_cell(cell: str) -> list[str]:
    lines = cell.split("\n")[1:]
    text = " ".join(lines)
    items = re.split(r"\s*(?:^|;|\s)[-–+•]\s+(?=\S)", " " + text)
    return [x for x in (_clean_item(t) for t in items) if x]


def _clean_item(t: str) -> str:
    t = " ".join(t.split())
    t = re.sub(r"^[-–+•]\s*", "", t)
    return t.rstrip(" ;,.")


def _signer_from_lines(lines: list[str]) -> Signer | None:
    lines = [ln.strip() for ln in lines if ln.strip()]
    joined: list[str] = []
    for ln in lines:
        # a wrapped "TM. ỦY BAN NHÂN" / "DÂN"
        # and a wrapped position "THỨ" / "TRƯỞNG", "PHÓ" / "CHỦ TỊCH", "BỘ TRƯỞNG," / "CHỦ NHIỆM"
        if joined and (ln == "DÂN" or (joined[-1].endswith("NHÂN") and ln.startswith("DÂN"))
                       or joined[-1] in ("THỨ", "PHÓ", "PHÓ CHỦ", "PHÓ GIÁM") or joined[-1].endswith(",")):
            joined[-1] = f"{joined[-1]} {ln}"
        else:
            joined.append(ln)
    lines = joined
    for k, ln in enumerate(lines):
        m = _SIGN_AUTH.match(ln)
        pos_m = _POSITIONS.match(ln)
        if not (m and m.group("rest").isupper()) and not (pos_m and k + 1 < len(lines) and k < 3):
            continue
        sig = Signer()
        rest_lines = lines[k:]
        if m:
            sig.authority = m.group("a").replace("/", "") + "."
            tail = m.group("rest").strip()
            pos = _POSITIONS.search(tail)
            if pos and pos.start() > 0:
                sig.on_behalf_of = tail[: pos.start()].strip() or None
                sig.position = tail[pos.start():].strip()
            elif pos:
                sig.position = tail
            else:
                sig.on_behalf_of = tail or None
            rest_lines = lines[k + 1:]
        for ln in rest_lines:
            if _SIGN_AUTH.match(ln):
                sub = _SIGN_AUTH.match(ln)
                sig.position = sub.group("rest").strip() or sig.position
                continue
            if _POSITIONS.match(ln) and ln.isupper():
                sig.position = ln
                continue
            if _SIGNED_NOTE_RE.match(ln):
                continue
            if _PERSON_NAME_RE.match(ln) and not ln.isupper():
                sig.name = ln
                break
        if sig.position or sig.name:
            return sig
    return None


def _signer_from_blocks(blocks: list, i: int) -> Signer | None:
    b = blocks[i]
    lines = _lines(b)
    if not lines or not (_SIGN_AUTH.match(lines[0]) and lines[0].isupper()):
        return None
    window = list(lines)
    for nb in blocks[i + 1:i + 6]:
        if isinstance(nb, Table):
            break
        window.extend(_lines(nb))
    return _signer_from_lines(window)


# The kinds of document a reference names.
_REF_KINDS = (
    r"Kế hoạch|Quyết định|Hướng dẫn|Công văn|Văn bản|Nghị quyết|Chỉ thị|Thông tư|Nghị định|Chương trình"
    r"(?: hành động)?|Kết luận|Thông báo|Đề án|Luật|Thông tư liên tịch|Quy định|Báo cáo|Tờ trình"
)
_REF_RE = re.compile(
    r"(?P<kind>" + _REF_KINDS + ")"
    r"\s+(?:số\s+)?(?P<num>\d+[\w.\-]*/(?:\d{4}/)?[\w.Đđ&\-]+)"
    r"(?:\s*,?\s*ngày\s+(?P<date>\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
    r"(?:\s+của\s+(?P<issuer>[^,;:()“\"]{3,80}?)(?=\s+(?:về|phê duyệt|ban hành|quy định|hướng dẫn|thực hiện|triển khai)\b|[,;:()“\"]|$))?",
)


# The same mention read backwards from its number's "/": a kind, spaces, "số", digits.
_REF_BEFORE_SLASH = re.compile(r"(?:" + _REF_KINDS + r")\s+(?:số\s+)?\d+[\w.\-]*$")
# How far before its "/" a mention can start (a kind, "số" and a number are < 40 chars).
_REF_REACH = 200


def find_references(text: str) -> list[Reference]:
    """Every "<kind> số <number> ngày <date> của <issuer>" mention, deduplicated by number.

    Every mention has a "/" in its number, and "/" is much rarer than the capitals
    a kind starts with, so the matches of _REF_RE are found from the slashes: the kind
    that ends right before a number ending at the slash is where a match can start.
    Matches do not overlap, as with finditer."""
    out: list[Reference] = []
    seen: set[str] = set()
    end = 0
    s = text.find("/")
    while s >= 0:
        if s >= end and _ref_may_end_at(text, s):
            before = _REF_BEFORE_SLASH.search(text, max(end, s - _REF_REACH), s)
            m = _REF_RE.match(text, before.start()) if before else None
            if m:
                end = m.end()
                num = m.group("num").rstrip(".,;")
                if num not in seen:
                    seen.add(num)
                    out.append(
                        Reference(
                            kind=m.group("kind"),
                            number=num,
                            date=_ref_date(m.group("date")),
                            issuer=(m.group("issuer") or "").strip() or None,
                            text=m.group(0).strip(),
                        )
                    )
        s = text.find("/", s + 1)
    return out


# Every word of every kind, and "số": the word before a reference's number ends with
# one (_REF_RE has no word boundary: "…độngLuật 12/…" holds a match).
_REF_WORDS = tuple(sorted(set(re.findall(r"\w+", _REF_KINDS)) | {"số"}))


def _ref_may_end_at(text: str, s: int) -> bool:
    """Whether the "/" at s can be the one in a reference number: the number (a run of
    word characters, "." and "-" that starts with a digit) follows a space, and the word
    before that space ends with "số" or a word of a kind. Dates ("ngày 01/02/2023") fail here,
    before the costlier search for the kind."""
    k = s - 1
    while k >= 0 and (text[k].isalnum() or text[k] in "._-"):
        k -= 1
    if k < 0 or k + 1 == s or not text[k].isspace() or not text[k + 1].isdecimal():
        return False
    while k >= 0 and text[k].isspace():
        k -= 1
    j = k
    while j >= 0 and text[j].isalnum():
        j -= 1
    return text[j + 1:k + 1].endswith(_REF_WORDS)


def _ref_date(raw: str | None) -> str | None:
    if not raw:
        return None
    nums = [int(x) for x in re.findall(r"\d+", raw)]
    if len(nums) != 3:
        return None
    try:
        return dt.date(nums[2], nums[1], nums[0]).isoformat()
    except ValueError:
        return None
