"""Unit mentions: where a unit name starts, where a list of them splits, which are groups.

Names are kept as written (abbreviations, case, typos, parenthetical qualifiers). A list
splits on ";" always, and on "," / "và" only where a complete new unit name begins, so
fixed collective names stay whole: "Sở Văn hóa, Thể thao và Du lịch", "các Sở, Ban,
ngành, địa phương", "Ủy ban nhân dân các huyện, thành phố Gia Nghĩa", "UBND xã, phường,
thị trấn", "Ban Quản lý các khu công nghệ cao và khu công nghiệp".
"""
from __future__ import annotations

import re

from .rx import alternation, word_matches

# Head words of a named body; each must be followed by a capitalised word (its name),
# which is what tells "Ban Tuyên giáo" from "ban hành" and "Báo Đắk Nông" from "báo cáo".
_NAMED_HEADS = (
    "Sở", "Ban", "Bộ", "Cục", "Chi cục", "Tổng cục", "Vụ", "Viện", "Hội", "Báo", "Đài", "Tạp chí",
    "Liên đoàn", "Liên hiệp", "Mặt trận", "Tỉnh đoàn", "Thành đoàn", "Huyện đoàn", "Đoàn", "Công an",
    "Bộ Chỉ huy", "Bộ đội", "Trung tâm", "Phòng", "Văn phòng", "Kho bạc", "Ngân hàng", "Bảo hiểm",
    "Tòa án", "Toà án", "Trường", "Bệnh viện", "Công ty", "Tổng công ty", "Tập đoàn", "Học viện",
    "Nhà xuất bản", "Quỹ", "Thanh tra", "Thông tấn xã", "Hãng", "Quân khu", "Bưu điện", "Chi nhánh",
    "Cơ quan", "Đơn vị", "Ủy ban", "Uỷ ban", "Hội đồng", "Đảng ủy", "Đảng uỷ", "Cổng", "Trang",
    "Bộ Tư lệnh", "Cảnh sát", "Chi bộ", "Đảng bộ", "Nhà văn hóa", "Thư viện", "Bảo tàng", "Đại học",
    "Phân xã", "Liên minh", "Chủ tịch", "Giám đốc", "Thủ trưởng", "Chánh Văn phòng",
)
# Heads that are a unit on their own or with any continuation.
_FREE_HEADS = (
    "Ủy ban nhân dân", "Uỷ ban nhân dân", "UBND", "HĐND", "Hội đồng nhân dân", "UBMTTQ", "MTTQ",
    "Huyện ủy", "Huyện uỷ", "Thành ủy", "Thành uỷ", "Tỉnh ủy", "Tỉnh uỷ", "Thị ủy", "Quận ủy",
    "TTXVN", "VOV", "VTV", "VTC", "VNPT", "Viettel", "BTG", "LĐLĐ", "STTTT", "Sở TT", "Đài PT",
    "Cổng thông tin", "Cổng Thông tin", "Cổng TTĐT", "Trang thông tin", "Trang TTĐT", "Cổng/",
    "Văn phòng đại diện", "Cơ quan đại diện", "Cơ quan thường trú", "Cơ quan thường trực",
    "Ban Quản lý", "Ban quản lý", "Ban Chỉ đạo", "Ban chỉ đạo", "Ban Tổ chức", "Ban tổ chức",
    "Ban Tuyên giáo", "Ban tuyên giáo", "Ban Dân vận", "Ban biên tập", "Ban Biên tập",
    "Phòng Văn hóa", "Phòng VH", "Trung tâm VH", "Trung tâm Văn hóa", "Đài Truyền thanh", "Đài truyền thanh",
    "Trung tâm Truyền hình", "Thường trực", "Tổ công tác", "Tổ Công tác", "Đài Phát thanh",
    "Công an", "Báo và Phát thanh", "Bộ đội Biên phòng", "Bộ Chỉ huy", "Ban Chỉ huy",
    # a unit on its own, or a named head followed by a lower-case word ("Thanh tra tỉnh")
    "Tỉnh đoàn", "Thành đoàn", "Huyện đoàn", "Quận đoàn", "Tòa án nhân dân", "Toà án nhân dân",
    "Viện kiểm sát nhân dân", "Thanh tra tỉnh", "Thanh tra huyện", "Thanh tra thành phố", "Bưu điện tỉnh",
    "Bưu điện huyện", "Bảo hiểm xã hội tỉnh", "Bảo hiểm xã hội huyện", "Bảo hiểm xã hội Việt Nam",
    "Kho bạc nhà nước", "Kho bạc Nhà nước",
)
# Nouns that make "các …" a collective mention of units.
_COLLECTIVE_NOUNS = (
    "sở", "ban", "bộ", "ngành", "cơ quan", "đơn vị", "địa phương", "huyện", "xã", "phường", "quận",
    "thị xã", "thành phố", "tỉnh", "tổ chức", "hội", "đoàn thể", "doanh nghiệp", "trường", "phòng",
    "trung tâm", "báo", "đài", "cơ sở", "ủy ban", "uỷ ban", "ubnd", "huyện ủy", "huyện uỷ", "thành ủy",
    "đảng ủy", "đảng uỷ", "thành viên", "cấp", "lực lượng", "phóng viên", "văn phòng", "cổng", "trang",
    "chi bộ", "đảng bộ", "bệnh viện", "nhà trường", "hiệp hội", "tập đoàn", "tổng công ty", "công ty",
    "ngân hàng", "cục", "chi cục", "vụ", "viện", "kênh", "tạp chí", "nhà xuất bản", "bản tin", "tòa soạn",
    "cơ quan, đơn vị", "sở, ban", "sở, ngành", "ban, ngành", "bộ, ngành", "bộ, cơ quan", "tổ chức chính trị",
    "hội, đoàn thể", "đơn vị, địa phương", "cấp ủy", "cấp uỷ", "chính quyền", "trang thông tin",
    "nhà báo", "hãng", "đồng chí", "thủ trưởng", "chủ tịch", "giám đốc", "tổ", "ấp", "thôn", "khu phố",
)
_LOWER_UNIT_START = ("đơn vị", "cơ quan", "địa phương", "ủy ban", "uỷ ban", "ubnd", "phòng", "trung tâm")
# What other modules may build on (activities.py gates its unit parsing on these).
FREE_HEADS, NAMED_HEADS = _FREE_HEADS, _NAMED_HEADS

_WORD = r"[^\W\d_]"


# Phrases that start with a collective noun but name no unit: "Các trường hợp khác …"
# (the cases), "các cơ sở dữ liệu" (databases), "các cấp học" (school levels).
_NOT_COLLECTIVE = ("trường hợp", "cơ sở dữ liệu", "cấp học")
_COLLECTIVE_BODY = (  # case-insensitive
    r"(?:tất cả\s+)?(?:các|những|mọi)\s+"
    + r"(?!(?:" + "|".join(w.replace(" ", r"\s+") for w in _NOT_COLLECTIVE) + r")\b)"
    + r"(?:" + "|".join(sorted(map(re.escape, _COLLECTIVE_NOUNS), key=len, reverse=True)) + r")\b"
)
_COLLECTIVE_RE = re.compile("^" + _COLLECTIVE_BODY, re.I)
_FREE_RE = re.compile(r"^(?:" + "|".join(sorted(map(re.escape, _FREE_HEADS), key=len, reverse=True)) + r")")
_NAMED_TAIL = r"\s+(?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ-Ỹ0-9]|[A-Z]{2,})"  # after a case-insensitive head
_NAMED_RE = re.compile(r"^(?i:" + "|".join(sorted(map(re.escape, _NAMED_HEADS), key=len, reverse=True)) + r")" + _NAMED_TAIL)
_LOWER_RE = re.compile(r"^(?:" + "|".join(map(re.escape, _LOWER_UNIT_START)) + r")\b")

# Predicates that end an inline unit phrase ("X tăng cường …", "X căn cứ …").
_VERBS = (
    "căn cứ", "tăng cường", "thực hiện", "triển khai", "chủ trì", "chỉ trì", "phối hợp", "chỉ đạo",
    "xây dựng", "tham mưu", "có trách nhiệm", "chịu trách nhiệm", "rà soát", "báo cáo", "đăng tải", "chủ động",
    "hướng dẫn", "theo dõi", "đôn đốc", "tuyên truyền", "cung cấp", "quán triệt", "bố trí", "gửi", "tiếp tục",
    "nghiên cứu", "đẩy mạnh", "định kỳ", "ký", "làm", "là", "được", "đảm bảo", "bảo đảm", "sử dụng", "biên soạn",
    "sản xuất", "duy trì", "tích cực", "khẩn trương", "quan tâm", "hỗ trợ", "tạo điều kiện", "kiểm tra",
    "giám sát", "trình", "ban hành", "phổ biến", "vận động", "phát động", "xuất bản", "đề xuất", "tổng hợp",
    "thẩm định", "cân đối", "phân bổ", "lồng ghép", "nâng cao", "tập trung", "phát huy", "kịp thời", "cử",
    "tiếp nhận", "thông báo", "đặt", "thiết kế", "thay", "chia sẻ", "đăng", "giới thiệu",
    "tổ chức", "nắm", "chấp hành", "quản lý", "lập", "dành", "ưu tiên", "cập nhật", "đưa", "thành lập",
    "có", "cần", "phải", "sẽ", "đã", "đang", "nghiêm túc", "thường xuyên", "trên cơ sở", "theo",
    "với", "để", "nhằm", "về việc", "trong việc", "tại", "thông qua", "tham gia", "thu thập", "số hóa",
    "đổi mới", "vận hành", "khai thác", "bám sát", "căn cứ vào", "huy động", "kết nối", "hoàn thành",
    "cụ thể hóa", "cụ thể hoá", "trao đổi", "trong quá trình", "tiến hành", "phân công",
)
# Found with rx.word_matches, which checks the word start the pattern leaves out
# ("(?<![\w/])"): with it in front, every alternative was tried at every position.
_VERB_RE = re.compile(alternation(_VERBS) + r"(?!\w)")
# Words a unit name may contain after its head even though they also occur as verbs.
_KEEP_AFTER = {
    "tổ chức": re.compile(r"(?:các|Các|những|,)\s+$"),  # "cơ quan, đơn vị, tổ chức cấp tỉnh"
    "lập": re.compile(r"công\s+$"),  # "đơn vị sự nghiệp công lập"
    "quản lý": re.compile(r"(?:Ban|ban|Phòng|Trung tâm|Cục|Chi cục)\s+$"),
    "phát": re.compile(r"(?:Đài|đài)\s+$"),
    "thông qua": re.compile(r"$^"),
    "vận hành": re.compile(r"(?:đơn vị|cơ quan)\s+$"),
    "xuất bản": re.compile(r"(?:Nhà|nhà)\s+$"),
    "tham mưu": re.compile(r"(?:cơ quan|Cơ quan)\s+$"),
    "phát hành": re.compile(r"(?:cơ quan|Cơ quan)\s+$"),
    "hỗ trợ": re.compile(r"(?:Trung tâm|Quỹ)\s+$"),
    "tại": re.compile(r"(?:thường trú|đóng chân|đại diện)\s+$"),
}
_GROUP_RE = re.compile(
    r"^(?:tất cả\s+)?(?:các|những|mọi)\s|\bcác (?:huyện|xã|phường|sở|ban|ngành|cơ quan|đơn vị|địa phương)\b|"
    r"\bcấp (?:huyện|xã|tỉnh)\b|\bxã, phường\b|\bđơn vị (?:có )?liên quan\b|^(?:đơn vị|cơ quan|địa phương)\b|"
    r"\bhuyện, (?:thị xã, )?thành phố\b|\bsở, (?:ban|ngành)\b",
    re.I,
)
_DROP_PREFIX = re.compile(r"^(?:đề nghị|giao|riêng đối với|đối với|yêu cầu)\s+", re.I)
# The letters _DROP_PREFIX can start with, in either case (none of them has a special
# case-folding partner in Python's re, as "k" has the Kelvin sign).
_DROP_FIRST = frozenset("đĐgGrRyY")


def drop_prefix(text: str) -> str:
    """`text` without a leading "Đề nghị" / "Giao" / "Đối với" … (_DROP_PREFIX), tested
    on the first letter before the pattern runs."""
    if text[:1] in _DROP_FIRST:
        m = _DROP_PREFIX.match(text)
        if m:
            return text[m.end():]
    return text


# The first letters any unit name can start with, as a look-ahead: most texts tested
# start with some other word, and this rejects them before ~150 alternatives are tried.
_START_LETTERS = "".join(sorted({h[0] for h in _FREE_HEADS + _NAMED_HEADS} | set("tcnm")))
_START_RE = re.compile(
    f"(?=(?i:[{re.escape(_START_LETTERS)}]))(?:"
    + "|".join(f"(?:{rx.pattern.lstrip('^')})" for rx in (_FREE_RE, _NAMED_RE))
    + f"|(?i:{_COLLECTIVE_RE.pattern.lstrip('^')}))"
)
# A unit name starting after ", " inside a longer piece (see _last_unit_start).
_INNER_START_RE = re.compile(
    r",\s+(?=(?:" + "|".join(f"(?:{rx.pattern.lstrip('^')})" for rx in (_FREE_RE, _NAMED_RE)) + r"))"
)


# _START_RE tries its ~150 alternatives one after another, and starts_unit runs on most
# paragraphs and list pieces. Only the alternatives whose first two characters can be
# the text's own can match, so each two-character start gets a pattern of just those
# (usually none or a few), worked out the first time it is seen.
_START_FIRST = re.compile(f"(?i:[{re.escape(_START_LETTERS)}])")
_COLLECTIVE_START = re.compile(r"(?i:tấ|cá|nh|mọ)")  # the first two characters of _COLLECTIVE_BODY
_FREE_BY_PREFIX: dict[str, tuple[str, ...]] = {}
for _h in _FREE_HEADS:
    _FREE_BY_PREFIX[_h[:2]] = _FREE_BY_PREFIX.get(_h[:2], ()) + (_h,)
# Named heads are case-insensitive: each distinct start is tested with the regex engine,
# so it matches exactly the characters it matches inside _START_RE.
_NAMED_BY_PREFIX: list[tuple[re.Pattern, tuple[str, ...]]] = [
    (re.compile("(?i:" + re.escape(p) + ")"), tuple(h for h in _NAMED_HEADS if h[:2] == p))
    for p in dict.fromkeys(h[:2] for h in _NAMED_HEADS)
]
_START_PATTERNS: dict[tuple, re.Pattern] = {}  # by (free heads, named heads, collective)
_START_BY_PREFIX: dict[str, re.Pattern | None] = {}
_START_PREFIX_LIMIT = 4096  # distinct starts remembered; past this, _START_RE itself
_NO_PATTERN = re.compile("")  # a marker: the start is not in _START_BY_PREFIX yet


def _start_pattern(prefix: str) -> re.Pattern | None:
    """The alternatives of _START_RE that can match a text beginning with `prefix` (its
    first two characters) as one pattern, or None when none can."""
    if len(prefix) < 2 or not _START_FIRST.match(prefix):
        return None  # every alternative is at least two characters long
    free = _FREE_BY_PREFIX.get(prefix, ())
    named = tuple(h for rx, heads in _NAMED_BY_PREFIX if rx.fullmatch(prefix) for h in heads)
    collective = _COLLECTIVE_START.fullmatch(prefix) is not None
    if not (free or named or collective):
        return None
    key = (free, named, collective)
    rx = _START_PATTERNS.get(key)
    if rx is None:
        alternatives = []
        if free:
            alternatives.append("(?:" + "|".join(map(re.escape, free)) + ")")
        if named:
            alternatives.append("(?i:" + "|".join(map(re.escape, named)) + ")" + _NAMED_TAIL)
        if collective:
            alternatives.append("(?i:" + _COLLECTIVE_BODY + ")")
        rx = _START_PATTERNS[key] = re.compile("|".join(alternatives))
    return rx


def starts_unit(text: str) -> bool:
    """Does `text` begin with a unit name (named body, known head, or collective)?"""
    t = text.lstrip(" -+•–(")
    rx = _START_BY_PREFIX.get(t[:2], _NO_PATTERN)
    if rx is _NO_PATTERN:
        if len(_START_BY_PREFIX) >= _START_PREFIX_LIMIT:
            return _START_RE.match(t) is not None
        rx = _START_BY_PREFIX[t[:2]] = _start_pattern(t[:2])
    return rx is not None and rx.match(t) is not None


def is_group(name: str) -> bool:
    """A collective mention ("các Sở, Ban, ngành", "UBND cấp xã") rather than one body."""
    return bool(_GROUP_RE.search(name))


_LEAD_CONJ = re.compile(r"^(?:và|với|cùng)\s+")
_ADMIN_NOTE = re.compile(r"\s*\((?:nếu có|b/c|t/h|p/h|ph/h|để b/c|để t/h)\)$")


def squash_spaces(text: str) -> str:
    """`text` with each run of whitespace made one space and none at either end, as
    `_WS.sub(" ", text).strip()` with _WS = \\s+ would, but split() finds the same
    whitespace (both use str.isspace) without the cost of a regex match per space.
    Most texts are squashed already: every whitespace character but " " is
    unprintable, so a printable text without "  " needs at most its ends stripped, which
    costs a third of splitting it into words."""
    if "  " not in text and text.isprintable():
        return text.strip(" ")
    return " ".join(text.split())


def clean_name(name: str) -> str:
    name = squash_spaces(name)
    name = drop_prefix(name)
    if name[:1] in "vc":
        name = _LEAD_CONJ.sub("", name)
    name = name.strip(" .,;:-–+")
    if name.endswith(")"):
        name = _ADMIN_NOTE.sub("", name)
    # a dangling "(" left by a cut: drop the unclosed qualifier
    if name.count("(") > name.count(")"):
        name = name[: name.rfind("(")].strip()
    return name.strip(" .,;:-–")


def _top_level_split(text: str, seps: str) -> list[tuple[str, str]]:
    """Split on separator characters outside parentheses/quotes; returns (sep, piece)."""
    if "(" not in text and "[" not in text and "“" not in text:
        pieces = [text]
        for sp in seps:
            pieces = [q for p in pieces for q in p.split(sp)]
        if len(seps) == 1:
            return [("" if i == 0 else seps, p) for i, p in enumerate(pieces)]
    # Only brackets and separators matter: visit those, not every character.
    special = _SPLIT_SPECIALS.get(seps)
    if special is None:
        special = _SPLIT_SPECIALS[seps] = re.compile("[" + re.escape("([“)]”" + seps) + "]")
    out, depth, sep, start = [], 0, "", 0
    for m in special.finditer(text):
        ch = m.group()
        if ch in "([“":
            depth += 1
        elif ch in ")]”":
            if depth:
                depth -= 1
        elif depth == 0:  # a separator
            out.append((sep, text[start:m.start()]))
            sep, start = ch, m.end()
    out.append((sep, text[start:]))
    return out


_SPLIT_SPECIALS: dict[str, re.Pattern] = {}


_VA_SPLIT = re.compile(r"\s+(?:và|cùng)\s+(?=\S)")


def _split_va(piece: str) -> list[str]:
    """Split a comma-free piece on "và" where a new unit starts after it."""
    if "và" not in piece and "cùng" not in piece:
        return [piece]  # the common case, without a regex pass
    parts = []
    last = 0
    for m in _VA_SPLIT.finditer(piece):
        nxt = piece[m.end():]
        if starts_unit(nxt) or _LOWER_RE.match(nxt):
            parts.append(piece[last:m.start()])
            last = m.end()
    parts.append(piece[last:])
    return parts


def split_units(text: str) -> list[str]:
    """Split a list of unit names as written. See the module docstring for the rules."""
    text = squash_spaces(text or "").strip(" .;:")
    if not text:
        return []
    names: list[str] = []
    for _, chunk in _top_level_split(text, ";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        if ":" in chunk and not chunk.rstrip().endswith(":"):
            # "các cơ quan báo chí Trung ương: TTXVN, VOV, VTV8" is one mention
            names.append(chunk)
            continue
        current = ""
        for sep, piece in _top_level_split(chunk, ","):
            piece_s = piece.strip()
            if not current:
                current = piece_s
                continue
            new_unit = (starts_unit(piece_s) and not _bare_head(piece_s)) or (
                _LOWER_RE.match(piece_s) and not _is_collective(_split_va(current)[-1].strip())
            )
            if new_unit:
                names.append(current)
                current = piece_s
            else:
                current = f"{current}, {piece_s}"
        names.append(current)
    out = []
    for n in names:
        for part in _split_va(n):
            c = clean_name(part)
            if c and len(c) > 1:
                out.append(c)
    return _dedupe(out)


def _is_collective(name: str) -> bool:
    """"các cơ quan báo chí", and also a bare "cơ quan" / "đơn vị": a lower-case noun
    that a list of nouns continues ("cơ quan, đơn vị liên quan" is one mention)."""
    return bool(_COLLECTIVE_RE.match(name) or _LOWER_RE.match(name))


def _bare_head(piece: str) -> bool:
    """"Ban" in "các Sở, Ban, ngành": a head word with no name is part of a collective."""
    return len(piece.split()) == 1 and piece[:1].isupper() and not piece.isupper()


def _dedupe(names: list[str]) -> list[str]:
    if len(names) < 2:
        return list(names)  # most lists: nothing to compare, no key to make
    seen, out = set(), []
    for n in names:
        k = fold_key(n)
        if k not in seen:
            seen.add(k)
            out.append(n)
    return out


def fold_key(name: str) -> str:
    s = name.lower()
    s = s.replace("uỷ", "ủy").replace("ủy ban nhân dân", "ubnd")
    return squash_spaces(s).strip(" .,;:")


# Lower-case words that occur inside unit names. Two words in a row outside this set
# mean the name has ended and the sentence goes on ("Ban Tuyên giáo Tỉnh ủy định hướng
# nội dung"), whatever the verb is.
_NAME_WORDS = frozenset("""
và các của tỉnh thành phố huyện xã phường thị trấn quận đặc khu nhân dân cấp trực thuộc báo chí
truyền thông tin điện tử cơ quan đơn vị địa phương ngành sở ban đoàn thể hội liên có khác trong
ngoài trung ương tâm văn hóa hoá thao du lịch phòng phát thanh hình tổ chức chính trị doanh nghiệp
lực lượng vũ trang đại diện phóng viên thường trú trực đóng chân trên bàn tham mưu giúp việc ủy uỷ
đảng bộ công an quân sự biên kinh tế vận hành quản lý bản tập san tài liệu không nghệ cao đầu mối
môi trường nông phát triển thôn y giáo dục đào tạo khoa học xây dựng tư pháp nội vụ ngoại lao động
thương binh giao tài nguyên kế hoạch hiệp phụ nữ cựu chiến niên tuyên vận mặt trận quốc việt nam nhà
nước miền vùng tây bắc đông số viễn bưu hạ tầng dịch chuyển đổi cứu nghiên nghị người tuổi chữ thập
đỏ lưu trữ thống kê thuế hải kho bạc bảo hiểm ngân hàng chi nhánh đài tiếng nói tấn liên quan
cùng với tại ở sau đây dưới đây nêu trên gồm được giao phân công chủ trì khu vực cộng đồng
kiểm sát
""".split())


_TOKEN_RE = re.compile(r"[^\s,;]+")


def _name_end(text: str) -> int:
    """Index where a unit name at the start of `text` gives way to running text."""
    depth = 0
    prev_foreign = -1  # index of the token before, if it was foreign
    # findall, not finditer: a match object per word costs more than the rest of the
    # loop, and only the rare early return needs a position (see _token_start)
    for k, w in enumerate(_TOKEN_RE.findall(text)):
        if "(" in w or ")" in w:
            depth += w.count("(") - w.count(")")
            prev_foreign = -1
            continue
        if depth > 0:
            prev_foreign = -1
            continue
        word = w.strip(".:\"“”")
        if word and word[0].islower() and word.isalpha() and word not in _NAME_WORDS:
            if prev_foreign >= 0:
                return _token_start(text, prev_foreign)
            prev_foreign = k
        else:
            prev_foreign = -1
    return len(text)


def _token_start(text: str, k: int) -> int:
    """Start of the k-th (0-based) _TOKEN_RE match in `text`."""
    for i, m in enumerate(_TOKEN_RE.finditer(text)):
        if i == k:
            return m.start()
    raise ValueError(k)


def cut_at_verb(text: str) -> str:
    """The unit phrase at the start of `text`, ending before its predicate: at the
    first known verb, or else where running text starts (two words in a row that no
    unit name contains). The verb goes first, so "… liên quan triển khai thực hiện"
    ends before "triển khai", not inside it."""
    cut = cut_at_verb_only(text)
    end = _name_end(cut)
    if end < len(cut):
        return drop_dangling(cut[:end].rstrip(" ,"))
    return cut


# Words that can sit inside a name ("cơ quan trong tỉnh") but not end one: where running
# text was found right after them ("… trung ương trong phạm vi nhiệm vụ"), they belong
# to it.
_DANGLING = frozenset("trong ngoài tại ở với của và các cùng nơi khi".split())


def drop_dangling(name: str) -> str:
    words = name.split(" ")
    while len(words) > 1 and words[-1] in _DANGLING:
        words.pop()
        words[-1] = words[-1].rstrip(",")
    return " ".join(words)


def cut_at_verb_only(text: str) -> str:
    pos = 0
    depth = 0
    for m in word_matches(_VERB_RE, text, "/"):
        before = text[: m.start()]
        depth = before.count("(") - before.count(")")
        if depth > 0 or m.start() == 0:
            continue
        keep = _KEEP_AFTER.get(m.group(0))
        if keep and keep.search(before):
            continue
        if m.group(0) == "có" and text.startswith(" liên quan", m.end()):
            continue  # "đơn vị có liên quan" is part of the name
        pos = m.start()
        return text[:pos].rstrip(" ,")
    return text


def subject_units(text: str) -> list[str]:
    """Units that are the grammatical subject at the start of a sentence or clause:
    "Báo Đắk Nông, Đài PT-TH Đắk Nông, Tạp chí Nậm Nung tăng cường …" → the three.
    Empty when the clause does not start with a unit or no predicate follows it."""
    t = drop_prefix(text.strip(" -+•"))
    if not starts_unit(t):
        return []
    t = t[:400]  # a subject is never longer; the predicate starts well before this
    phrase = cut_at_verb(t)
    if phrase == t or not phrase or ":" in phrase:
        # no predicate, or "X: …" (a label or topic, read elsewhere)
        return []
    return [n for n in split_units(phrase) if starts_unit(n)]


def trailing_units(clause: str) -> list[str]:
    """Units ending a clause, before a keyword like "chủ trì" / "thực hiện":
    "Căn cứ …, Sở Thông tin và Truyền thông" → ["Sở Thông tin và Truyền thông"]."""
    clause = clause.strip(" ,")[-400:]
    names = split_units(clause)
    out: list[str] = []
    for n in reversed(names):
        if starts_unit(n) and cut_at_verb(n) == n:
            out.append(n)
        else:
            # "được UBND tỉnh giao, Sở …": a unit inside a non-unit piece ends the run,
            # but a unit starting later in that piece can still be the subject
            tail = _last_unit_start(n)
            if tail and cut_at_verb(tail) == tail:
                out.append(tail)
            break
    return list(reversed(out))


def _last_unit_start(piece: str) -> str | None:
    """The capitalised unit name after the last ", " of a piece that is not itself a
    unit: "… được UBND tỉnh giao, Sở Thông tin và Truyền thông" → "Sở Thông tin …"."""
    last = None
    for m in _INNER_START_RE.finditer(piece):
        last = m
    return clean_name(piece[last.end():]) if last else None


_GROUP_WITH_MEMBERS_RE = re.compile(r"^(?P<group>[^():]+?)\s*\((?P<members>[^()]+)\)\s*:?\s*$")
_GROUP_COLON_MEMBERS_RE = re.compile(r"^(?P<group>[^:]+?):\s*(?P<members>[^:]+)$")


def members_in_heading(heading: str) -> list[str] | None:
    """Members listed in a group heading: "Các cơ quan báo chí địa phương (Báo Đắk Nông,
    Đài …)" or "Các cơ quan báo chí Trung ương: TTXVN, VOV, VTV8" → the members."""
    m = _GROUP_WITH_MEMBERS_RE.match(heading)
    if m and _COLLECTIVE_RE.match(m.group("group").strip()):
        members = split_units(m.group("members"))
        if len(members) >= 2 and all(starts_unit(x) for x in members):
            return members
    m = _GROUP_COLON_MEMBERS_RE.match(heading)
    if m and _COLLECTIVE_RE.match(m.group("group").strip()):
        members = [clean_name(x) for x in re.split(r"\s*[,;]\s*|\s+và\s+", m.group("members")) if x.strip()]
        if len(members) >= 2 and all(len(x.split()) <= 8 for x in members):
            return members
    return None
