"""Turn the bytes of a plan text file into Unicode (NFC) text, whatever it was saved as.

Provincial offices still hold plans typed with legacy Vietnamese fonts, so besides the
Unicode encodings this module repairs two 8-bit *font* encodings, whether they arrive
as raw bytes or already inside Unicode text (a .VnTime document saved "as Unicode" keeps
the Latin-1 look-alike characters, e.g. "KÕ ho¹ch" for "Kế hoạch"):

- TCVN3 (ABC, fonts .VnTime / .VnTimeH): one byte per letter, see `tcvn3_to_unicode`;
- VNI (fonts VNI-Times …): a base letter followed by a diacritic byte, see `vni_to_unicode`.

`decode` returns (text, label). Labels, with what they mean:

    utf-8, utf-8-sig, utf-16-le, utf-16-be, utf-32-le, utf-32-be   the file's encoding
    utf-8/replaced     UTF-8 with a few broken bytes, each shown as U+FFFD
    cp1258             Windows-1258 (Vietnamese code page; tones as combining marks)
    tcvn3, vni         legacy font encoding in raw bytes
    cp1252             nothing Vietnamese fits: best-effort Windows-1252 / Latin-1
    <unicode>+tcvn3, <unicode>+vni   a Unicode file whose text was typed in that font
    empty              no bytes at all

Letters are kept as written: only NFC is applied, so old and new tone placement
("hoà" / "hòa", "Uỷ" / "Ủy") both survive.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache
from typing import Callable

__all__ = [
    "decode",
    "to_nfc",
    "is_vietnamese_syllable",
    "tcvn3_to_unicode",
    "looks_like_tcvn3",
    "vni_to_unicode",
    "looks_like_vni",
    "repair_legacy",
]

# Detection reads at most this much; conversion always covers the whole text.
SAMPLE_CHARS = 64 * 1024
SAMPLE_TOKENS = 4000
# The cheap "could this Unicode text be a legacy font?" test runs on every file, so it
# reads less: a few pages of Vietnamese settle it.
PRECHECK_CHARS = 8 * 1024

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook, dot below

# ---------------------------------------------------------------------------------------
# Vietnamese syllables: the yardstick every detector below is measured with.

_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEI = (
    "iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyê uyu "
    "ai ao au ay âu ây eo êu ia iu iê oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "a ă â e ê i o ô ơ u ư y"
).split()
_CODA = "ch|ng|nh|c|k|m|n|p|t"  # k: Central Highlands names (Đắk Lắk)
_SYLLABLE = re.compile(rf"(?:{_ONSET})?(?:{'|'.join(_NUCLEI)})(?:{_CODA})?")
_TONES = str.maketrans("", "", TONE_MARKS)

# What surrounds a word but is not part of it. U+00AD is absent on purpose: TCVN3
# uses that byte for "ư".
_PUNCT = " \t.,;:!?()[]{}<>\"'`“”‘’-–—…/\\*|#_=+%&@^~0123456789"


@lru_cache(maxsize=8192)
def is_vietnamese_syllable(word: str) -> bool:
    """True if `word` (any case, NFC or NFD) spells one Vietnamese syllable: an onset,
    a vowel nucleus and a coda from the standard inventory, with at most one tone mark.
    Loan words and abbreviations are False; that is fine for scoring, which compares
    the same text before and after a conversion."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    bare = decomposed.translate(_TONES)
    if len(decomposed) - len(bare) > 1:
        return False
    return _SYLLABLE.fullmatch(unicodedata.normalize("NFC", bare)) is not None


def _tokens(text: str, wanted: Callable[[str], bool]) -> list[str]:
    """Whitespace-separated words of the start of `text`, stripped of punctuation,
    for which `wanted(word)` holds; at most SAMPLE_TOKENS of them."""
    out = []
    for raw in text[:SAMPLE_CHARS].split():
        word = raw.strip(_PUNCT)
        if word and wanted(word):
            out.append(word)
            if len(out) >= SAMPLE_TOKENS:
                break
    return out


def _valid_share(words: list[str]) -> float:
    """Share of `words` that are Vietnamese syllables (0.0 for no words)."""
    if not words:
        return 0.0
    return sum(map(is_vietnamese_syllable, words)) / len(words)


def _converts_to_vietnamese(text: str, markers: frozenset[str], convert: Callable[[str], str]) -> bool:
    """The detector shared by TCVN3 and VNI: among words holding a marker character,
    far more are Vietnamese syllables after `convert` than before."""
    words = _tokens(text, lambda w: not markers.isdisjoint(w))
    if not words:
        return False
    before = _valid_share(words)
    after = _valid_share([convert(w) for w in words])
    return after >= 0.6 and after >= before + 0.25


# ---------------------------------------------------------------------------------------
# TCVN3 (ABC). Lower-case letters with every tone sit in 0xA8–0xFF; the upper-case
# *bases* Ă Â Ê Ô Ơ Ư Đ sit in 0xA1–0xA7. Upper-case toned letters do not exist in the
# .VnTime fonts: one types the lower-case byte and sets the .VnTimeH font, which draws
# every letter as a capital. The byte values are those of TCVN 5712:1993 (VN3 subset);
# here they are written as the Latin-1 characters they look like.

_TCVN3_PAIRS = (
    "¡Ă ¢Â £Ê ¤Ô ¥Ơ ¦Ư §Đ ¨ă ©â ªê «ô ¬ơ \u00adư ®đ "
    "µà ¶ả ·ã ¸á ¹ạ »ằ ¼ẳ ½ẵ ¾ắ Æặ Çầ Èẩ Éẫ Êấ Ëậ "
    "Ìè Îẻ Ïẽ Ðé Ñẹ Òề Óể Ôễ Õế Öệ ×ì Øỉ Üĩ Ýí Þị "
    "ßò áỏ âõ ãó äọ åồ æổ çỗ èố éộ êờ ëở ìỡ íớ îợ "
    "ïù ñủ òũ óú ôụ õừ öử ÷ữ øứ ùự úỳ ûỷ üỹ ýý þỵ"
).split()
TCVN3_TO_UNICODE: dict[str, str] = {pair[0]: pair[1] for pair in _TCVN3_PAIRS}
_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)
_TCVN3_MARKERS = frozenset(TCVN3_TO_UNICODE)
_TCVN3_OUTPUT_SET = frozenset(v for v in TCVN3_TO_UNICODE.values() if v.islower())
_TCVN3_OUTPUT_LOWER = "".join(sorted(_TCVN3_OUTPUT_SET))

# A whitespace-delimited word with no ASCII lower-case letter that holds a converted
# letter: the only words whose case the .VnTimeH convention can change.
_CAPS_CANDIDATE = re.compile(rf"(?<!\S)[^\sa-z]*[{_TCVN3_OUTPUT_LOWER}][^\sa-z]*(?!\S)")
_MIXED_CASE_WORD = re.compile(rf"[a-z]\S*[{_TCVN3_OUTPUT_LOWER}]|[{_TCVN3_OUTPUT_LOWER}]\S*[a-z]")
_TWO_CAPITALS = re.compile("[A-Z][^A-Z]*[A-Z]")


def tcvn3_to_unicode(text: str, uppercase: bool | None = None) -> str:
    """Convert text typed in a TCVN3 (.VnTime) font, read as Latin-1/cp1252 characters,
    to NFC Unicode: "KÕ ho¹ch" -> "Kế hoạch", "Uû ban nh©n d©n tØnh" -> "Uỷ ban nhân dân
    tỉnh". Characters outside the table are kept.

    `uppercase` says how to read the lower-case letter bytes: True when the caller knows
    the run used a .VnTimeH (capitals) font, False for .VnTime, None to guess per word:
    a word with no ASCII lower-case letter is capitalised when it has two ASCII capitals
    ("HO¹CH" -> "HOẠCH") or when its line reads as capitals ("§¾K N¤NG" -> "ĐẮK NÔNG");
    a lone capital stays a title-case initial ("Sè: 529" -> "Số: 529")."""
    converted = text.translate(_TCVN3_TABLE)
    if uppercase:
        return converted.upper()
    if uppercase is False or converted is text:
        return converted
    return _capitalise_vntimeh_words(converted)


def _capitalise_vntimeh_words(converted: str) -> str:
    """Apply the .VnTimeH guess of `tcvn3_to_unicode` to already converted text.
    Works line by line, so a huge text without line breaks stays linear."""
    lines = converted.split("\n")
    for i, line in enumerate(lines):
        if _CAPS_CANDIDATE.search(line):
            lines[i] = _capitalise_line(line)
    return "\n".join(lines)


def _capitalise_line(line: str) -> str:
    line_caps: bool | None = None  # worked out only when a word needs it

    def fix(m: re.Match[str]) -> str:
        nonlocal line_caps
        word = m.group()
        if _TWO_CAPITALS.search(word):
            return word.upper()
        if line_caps is None:
            # A capitals line has a converted word with two ASCII capitals ("N¤NG") and
            # no converted word with an ASCII lower-case letter ("Sè: 529/KH-UBND" has
            # none with two capitals, so "Sè" stays "Số").
            line_caps = not _MIXED_CASE_WORD.search(line) and any(
                _TWO_CAPITALS.search(w) for w in _CAPS_CANDIDATE.findall(line)
            )
        return word.upper() if line_caps else word

    return _CAPS_CANDIDATE.sub(fix, line)


def looks_like_tcvn3(text: str) -> bool:
    """True if `text` (Unicode, as read from a file or a .VnTime-font DOCX/PDF run)
    is TCVN3 seen through Latin-1: converting it turns its odd-looking words into
    Vietnamese syllables. Reads only the start of long texts."""
    return _converts_to_vietnamese(text, _TCVN3_MARKERS, lambda w: w.translate(_TCVN3_TABLE))


# ---------------------------------------------------------------------------------------
# VNI (VNI-Windows fonts). A vowel is followed by one "diacritic" byte; i, ơ, ư, đ and
# ỵ are single bytes. Upper-case letters take the upper-case diacritic byte. Since every
# diacritic byte follows its vowel, mapping each to the Unicode combining marks it
# stands for and composing (NFC) converts a whole text at C speed.

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_TONE = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRCUMFLEX = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}  # after a e o
_VNI_BREVE = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}  # after a
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _vni_marks() -> dict[str, str]:
    """VNI character (either case) -> the combining marks or the letter it stands for."""
    marks = dict(_VNI_TONE)
    marks.update({k: _CIRCUMFLEX + m for k, m in _VNI_CIRCUMFLEX.items()})
    marks.update({k: _BREVE + m for k, m in _VNI_BREVE.items()})
    marks.update(_VNI_LETTERS)
    marks.update({k.upper(): m.upper() for k, m in marks.items()})
    return marks


_VNI_TABLE = str.maketrans(_vni_marks())
_VNI_MARKERS = frozenset(_vni_marks())


def _vni_spellings() -> dict[str, str]:
    """Every VNI spelling of a Vietnamese letter -> that letter (NFC), e.g. "eä" -> "ệ".
    Used to write VNI (test fixtures) and as the readable form of the table above."""
    table: dict[str, str] = {}
    for upper in (False, True):
        def case(text: str) -> str:
            return text.upper() if upper else text

        def add(spelling: str, base: str, *marks: str) -> None:
            table[case(spelling)] = case(unicodedata.normalize("NFC", base + "".join(marks)))

        for base in "aeouy":
            for key, mark in _VNI_TONE.items():
                add(base + key, base, mark)
        for key, mark in _VNI_TONE.items():  # ơ and ư carry tones too: "ôù" = ớ
            add("ô" + key, "o", _HORN, mark)
            add("ö" + key, "u", _HORN, mark)
        for base in "aeo":
            for key, mark in _VNI_CIRCUMFLEX.items():
                add(base + key, base, _CIRCUMFLEX, mark)
        for key, mark in _VNI_BREVE.items():
            add("a" + key, "a", _BREVE, mark)
        for key, letter in _VNI_LETTERS.items():
            add(key, letter)
    return table


VNI_TO_UNICODE: dict[str, str] = _vni_spellings()


def vni_to_unicode(text: str) -> str:
    """Convert text typed in a VNI font, read as cp1252 characters, to NFC Unicode:
    "Vieät Nam" -> "Việt Nam", "ñöôøng" -> "đường". ASCII is kept; other Latin-1
    letters are read as VNI, so call this only on text that `looks_like_vni`."""
    return unicodedata.normalize("NFC", text.translate(_VNI_TABLE))


def looks_like_vni(text: str) -> bool:
    """True if `text` is VNI seen through cp1252 (see `looks_like_tcvn3`)."""
    return _converts_to_vietnamese(text, _VNI_MARKERS, vni_to_unicode)


# ---------------------------------------------------------------------------------------
# Unicode text that still holds a legacy font encoding.

_VIETNAMESE_ONLY = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]"
)


_LATIN1_HIGH_BYTES = bytes(range(0xA1, 0x100))


def _count_latin1_high(text: str) -> int:
    """How many characters of `text` are in U+00A1-U+00FF. In Latin-1 they are the bytes
    0xA1-0xFF and the encoder drops every character past U+00FF in C: a few times faster
    than a regex search for the range."""
    data = text.encode("latin-1", "ignore")
    return len(data) - len(data.translate(None, _LATIN1_HIGH_BYTES))


def _may_hold_legacy(text: str) -> bool:
    """Cheap pre-check on the start of `text`. Real Vietnamese has more letters found
    only in Vietnamese (ạ ế ư đ …) than Latin-1 accented ones (0.2–0.6 Latin-1 per
    Vietnamese-only letter across the corpus); legacy font text has Latin-1 characters
    and none of the former."""
    sample = text[:PRECHECK_CHARS]
    latin1 = _count_latin1_high(sample)
    if latin1 < 3:
        return False
    # Counting every Vietnamese-only letter is the costly part. The commonest few,
    # counted by str.count, are a lower bound of that count, and in real Vietnamese they
    # are usually enough to settle it.
    common = 0
    for letter in _COMMON_VIETNAMESE_ONLY:
        common += sample.count(letter)
    if 1.5 * common >= latin1:
        return False
    return latin1 > 1.5 * len(_VIETNAMESE_ONLY.findall(sample))


# The most frequent letters of _VIETNAMESE_ONLY in the corpus of plans.
_COMMON_VIETNAMESE_ONLY = "đưệộịả"


def repair_legacy(text: str) -> tuple[str, str | None]:
    """If Unicode `text` was typed in a TCVN3 or VNI font, return (converted text,
    "tcvn3" | "vni"); otherwise (text, None). Fast for ordinary Unicode text."""
    if text.isascii() or not _may_hold_legacy(text):
        return text, None
    if looks_like_tcvn3(text):
        return to_nfc(tcvn3_to_unicode(text)), "tcvn3"
    if looks_like_vni(text):
        return to_nfc(vni_to_unicode(text)), "vni"
    return text, None


def to_nfc(text: str) -> str:
    """NFC form of `text`, without copying text that is already NFC."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------------------------------
# Bytes -> text.

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _from_bom(data: bytes) -> tuple[str, str] | None:
    for bom, label in _BOMS:
        if data.startswith(bom):
            codec = "utf-8" if label == "utf-8-sig" else label
            return data[len(bom) :].decode(codec, errors="replace"), label
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NUL bytes fill one byte position of the start of
    `data`, as the high byte of every ASCII character does; else None."""
    sample = data[:8192]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with replacement characters, if broken sequences are rare next to valid
    multi-byte ones in the start of `data` (a damaged UTF-8 file, not a legacy one);
    else None."""
    sample = data[: 4 * SAMPLE_CHARS].decode("utf-8", errors="replace")
    bad = sample.count("\ufffd")
    multibyte = sum(1 for c in sample if c > "\x7f") - bad
    return data.decode("utf-8", errors="replace") if multibyte >= 20 * bad else None


# Byte -> character tables for codecs.charmap_decode, which runs at C speed: cp1252 with
# its five undefined bytes read as Latin-1 (so decoding never fails), and TCVN3 on top.
_CP1252_CHARS = "".join(
    bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)
)
_TCVN3_CHARS = _CP1252_CHARS.translate(_TCVN3_TABLE)
_VNI_BYTES = {b: c.translate(_VNI_TABLE) for b, c in enumerate(_CP1252_CHARS)}


def _cp1252(data: bytes) -> str:
    """Windows-1252 reading of `data` that never raises."""
    return codecs.charmap_decode(data, "strict", _CP1252_CHARS)[0]


def _tcvn3(data: bytes) -> str:
    """TCVN3 bytes -> text, as `tcvn3_to_unicode(_cp1252(data))` but faster."""
    return _capitalise_vntimeh_words(codecs.charmap_decode(data, "strict", _TCVN3_CHARS)[0])


# Legacy candidates, best first when they score alike.
_LEGACY: tuple[tuple[str, Callable[[bytes], str]], ...] = (
    ("cp1258", lambda b: unicodedata.normalize("NFC", b.decode("cp1258", errors="replace"))),
    ("tcvn3", _tcvn3),
    ("vni", lambda b: unicodedata.normalize("NFC", codecs.charmap_decode(b, "strict", _VNI_BYTES)[0])),
)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Pick the 8-bit encoding under which the most non-ASCII words of the start of
    `data` are Vietnamese syllables; cp1252 when none reaches half of them."""
    sample = data[: 2 * SAMPLE_CHARS]
    best_label, best_share = "cp1252", 0.5
    for label, convert in _LEGACY:
        share = _valid_share(_tokens(convert(sample), lambda w: not w.isascii()))
        if share > best_share:
            best_label, best_share = label, share
    if best_label == "cp1252":
        # cp1252 has no combining marks, so this costs one scan of a rare fallback; it
        # keeps decode's promise of NFC, which the text reader relies on
        return to_nfc(_cp1252(data)), "cp1252"
    convert = dict(_LEGACY)[best_label]
    return to_nfc(convert(data)), best_label


def decode(data: bytes) -> tuple[str, str]:
    """Decode a plan text file to NFC text; return (text, label) with a label from the
    module docstring. Never raises: undecodable bytes become U+FFFD or a best-effort
    cp1252 reading. Valid UTF-8 (the usual case) costs one decode and two scans."""
    if not data:
        return "", "empty"
    found = _from_bom(data)
    if found is None and b"\x00" in data[:8192]:
        label = _utf16_without_bom(data)
        if label:
            found = data.decode(label, errors="replace"), label
    if found is None:
        try:
            found = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = _mostly_utf8(data)
            if text is None:
                return _decode_legacy(data)
            found = text, "utf-8/replaced"
    text, label = found
    if text.isascii():
        return text, label
    text, legacy = repair_legacy(to_nfc(text))
    return text, f"{label}+{legacy}" if legacy else label
