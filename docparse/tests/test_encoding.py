"""docparse.encoding: every encoding a plan text file arrives in, built from real seed
text, decodes back to the seed (NFC); nothing ever raises."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docparse.encoding import (
    TCVN3_TO_UNICODE,
    VNI_TO_UNICODE,
    decode,
    is_vietnamese_syllable,
    looks_like_tcvn3,
    looks_like_vni,
    tcvn3_to_unicode,
    vni_to_unicode,
)

from .conftest import CORPUS, seed, seed_paths

TONES = "\u0300\u0301\u0303\u0309\u0323"


def seed_text(prefix: str = "000", chars: int | None = 3000) -> str:
    text = unicodedata.normalize("NFC", seed(prefix).read_text(encoding="utf-8"))
    return text[:chars] if chars else text


# --- encoders for the fixtures -----------------------------------------------------------

def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes as Vietnamese Word writes them: a precomposed letter where the
    code page has one (â, ơ, à …), otherwise the toneless letter plus a tone byte."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        tones = "".join(c for c in parts if c in TONES)
        out += (base + tones).encode("cp1258", errors="replace")
    return bytes(out)


_TO_TCVN3 = {letter: byte for byte, letter in TCVN3_TO_UNICODE.items()}


def to_tcvn3(text: str) -> bytes:
    """TCVN3 bytes as typed with .VnTime/.VnTimeH: a toned capital has no code of its own,
    so it is written with the lower-case letter's byte (the font draws it as a capital)."""
    out = []
    for ch in text:
        if ch in _TO_TCVN3:
            out.append(_TO_TCVN3[ch])
        elif ch.isupper() and ch.lower() in _TO_TCVN3:
            out.append(_TO_TCVN3[ch.lower()])
        else:
            out.append(ch)
    return "".join(out).encode("cp1252", errors="replace")


_TO_VNI = {letter: spelling for spelling, letter in VNI_TO_UNICODE.items()}


def to_vni(text: str) -> bytes:
    return "".join(_TO_VNI.get(ch, ch) for ch in text).encode("cp1252", errors="replace")


def tcvn3_representable(text: str) -> str:
    """`text` without the characters TCVN3 cannot hold (superscripts, smart quotes
    beyond cp1252 …), so a round trip can be compared."""
    return "".join(c for c in text if c.isascii() or c in _TO_TCVN3 or c.lower() in _TO_TCVN3)


# --- Unicode encodings -------------------------------------------------------------------

@pytest.mark.parametrize(
    "codec, bom, label",
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-16-le", b"\xff\xfe", "utf-16-le"),
        ("utf-16-be", b"\xfe\xff", "utf-16-be"),
        ("utf-16-le", b"", "utf-16-le"),  # no BOM: NUL high bytes give it away
        ("utf-16-be", b"", "utf-16-be"),
        ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32-le"),
        ("utf-32-be", b"\x00\x00\xfe\xff", "utf-32-be"),
    ],
)
def test_unicode_encodings_round_trip(codec, bom, label):
    text = seed_text("000")
    assert decode(bom + text.encode(codec)) == (text, label)


def test_nfd_input_becomes_nfc():
    text = seed_text("004")
    decoded, label = decode(unicodedata.normalize("NFD", text).encode("utf-8"))
    assert label == "utf-8"
    assert decoded == text


def test_tone_placement_is_kept_as_written():
    # old placement ("hoà", "Uỷ") and new ("hòa", "Ủy") both survive; only NFC applies
    text = "Uỷ ban nhân dân tỉnh; Ủy ban; Sở Văn hoá, Thể thao; văn hóa; hoà bình"
    assert decode(unicodedata.normalize("NFD", text).encode("utf-8"))[0] == text


def test_every_corpus_document_is_plain_utf8():
    """The real corpus is UTF-8: the legacy detectors must never fire on it."""
    for path in [*seed_paths(), *sorted(CORPUS.glob("*.md"))]:
        data = path.read_bytes()
        text, label = decode(data)
        assert label == "utf-8", path.name
        assert text == unicodedata.normalize("NFC", data.decode("utf-8")), path.name


def test_broken_utf8_keeps_the_good_text():
    text = seed_text("001")
    raw = text.encode("utf-8")
    decoded, label = decode(raw[:500] + b"\xff\xfe\xfa" + raw[500:])
    assert label == "utf-8/replaced"
    assert "\ufffd" in decoded
    assert decoded.replace("\ufffd", "") == text


def test_empty_input():
    assert decode(b"") == ("", "empty")


# --- Windows-1258 ------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["000", "002", "004"])
def test_cp1258(prefix):
    text = seed_text(prefix)
    data = to_cp1258(text)
    expected = unicodedata.normalize("NFC", data.decode("cp1258"))  # what cp1258 can hold
    decoded, label = decode(data)
    assert label == "cp1258"
    assert decoded == expected
    assert "Đắk Nông" in decoded or "Kon Tum" in decoded


# --- TCVN3 (ABC) -------------------------------------------------------------------------

def test_tcvn3_known_spellings():
    # what .VnTime text looks like when read as Latin-1, and what it says
    assert tcvn3_to_unicode("KÕ ho¹ch") == "Kế hoạch"
    assert tcvn3_to_unicode("Uû ban nh©n d©n tØnh") == "Uỷ ban nhân dân tỉnh"
    assert tcvn3_to_unicode("hép møt tÕt") == "hộp mứt tết"
    assert tcvn3_to_unicode("B¶o Th¾ng, M\xadêng Kh\xad¬ng") == "Bảo Thắng, Mường Khương"
    assert tcvn3_to_unicode("§¾k N«ng, ngµy 16 th¸ng 8 n¨m 2023") == "Đắk Nông, ngày 16 tháng 8 năm 2023"


def test_tcvn3_byte_values_follow_tcvn_5712():
    # a sample of TCVN 5712 (VN3) positions, by byte value
    expected = {0xA1: "Ă", 0xA7: "Đ", 0xAD: "ư", 0xAE: "đ", 0xB5: "à", 0xB8: "á", 0xB9: "ạ",
                0xC6: "ặ", 0xCB: "ậ", 0xD5: "ế", 0xDE: "ị", 0xE9: "ộ", 0xEE: "ợ", 0xF9: "ự", 0xFE: "ỵ"}
    for byte, letter in expected.items():
        assert TCVN3_TO_UNICODE[bytes([byte]).decode("latin-1")] == letter


def test_tcvn3_covers_every_lower_case_vietnamese_letter():
    bases = "a ă â e ê i o ô ơ u ư y".split()
    letters = {unicodedata.normalize("NFC", b + t) for b in bases for t in TONES}
    letters |= {"ă", "â", "ê", "ô", "ơ", "ư", "đ"}
    assert letters <= set(TCVN3_TO_UNICODE.values())


def test_tcvn3_capitals_lines_follow_vntimeh():
    text = "UBND TØNH §¾K N¤NG\nKÕ HO¹CH\nSè: 529/KH-UBND\nKÕ ho¹ch tuyªn truyÒn"
    assert tcvn3_to_unicode(text).splitlines() == [
        "UBND TỈNH ĐẮK NÔNG",
        "KẾ HOẠCH",
        "Số: 529/KH-UBND",  # a lone capital is a title-case initial
        "Kế hoạch tuyên truyền",
    ]
    # a run the caller knows is set in .VnTimeH: everything is a capital
    assert tcvn3_to_unicode("kÕ ho¹ch", uppercase=True) == "KẾ HOẠCH"
    assert tcvn3_to_unicode("KÕ HO¹CH", uppercase=False) == "Kế HOạCH"


@pytest.mark.parametrize("prefix", ["000", "001", "003"])
def test_tcvn3_bytes(prefix):
    text = tcvn3_representable(seed_text(prefix))
    decoded, label = decode(to_tcvn3(text))
    assert label == "tcvn3"
    # capitals with tones are stored as lower-case bytes, so compare without case …
    assert decoded.casefold() == text.casefold()
    # … but a heading typed in capitals comes back in capitals
    if prefix == "000":
        assert "KẾ HOẠCH" in decoded.splitlines()[6]


def test_tcvn3_inside_a_utf8_file():
    """A .VnTime document saved "as Unicode" keeps the look-alike Latin-1 letters."""
    text = tcvn3_representable(seed_text("000"))
    legacy = to_tcvn3(text).decode("cp1252")
    decoded, label = decode(legacy.encode("utf-8"))
    assert label == "utf-8+tcvn3"
    assert decoded.casefold() == text.casefold()
    decoded16, label16 = decode(b"\xff\xfe" + legacy.encode("utf-16-le"))
    assert (decoded16, label16) == (decoded, "utf-16-le+tcvn3")


def test_looks_like_tcvn3():
    text = tcvn3_representable(seed_text("002"))
    assert looks_like_tcvn3(to_tcvn3(text).decode("cp1252"))
    assert looks_like_tcvn3("KÕ ho¹ch tuyªn truyÒn")
    assert not looks_like_tcvn3(seed_text("002"))
    assert not looks_like_tcvn3("Café, naïve façade, São Paulo, Zürich")
    assert not looks_like_tcvn3("Plain ASCII text")


# --- VNI ---------------------------------------------------------------------------------

def test_vni_known_spellings():
    assert vni_to_unicode("Vieät Nam") == "Việt Nam"
    assert vni_to_unicode("Thaønh phoá Hoà Chí Minh") == "Thành phố Hồ Chí Minh"
    assert vni_to_unicode("ñöôøng, Ñaék Noâng, UÛY BAN NHAÂN DAÂN TÆNH") == "đường, Đắk Nông, ỦY BAN NHÂN DÂN TỈNH"


@pytest.mark.parametrize("prefix", ["000", "004"])
def test_vni_bytes(prefix):
    text = seed_text(prefix)
    decoded, label = decode(to_vni(text))
    assert label == "vni"
    holdable = "".join(c if c in _TO_VNI or c.encode("cp1252", errors="ignore") else "?" for c in text)
    assert decoded == holdable


def test_vni_inside_a_utf8_file():
    text = seed_text("003")
    decoded, label = decode(to_vni(text).decode("cp1252").encode("utf-8"))
    assert label == "utf-8+vni"
    assert "Đắk Lắk" in decoded
    assert looks_like_vni(to_vni(text).decode("cp1252"))
    assert not looks_like_vni(text)


# --- syllables ---------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["nghiêng", "khuya", "Quốc", "gì", "Uỷ", "Ủy", "hoạch", "trường", "ĐẮK"])
def test_vietnamese_syllables(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize("word", ["ho¹ch", "kêì", "UBND", "Zürich", "café", "hoạạch"])
def test_not_vietnamese_syllables(word):
    assert not is_vietnamese_syllable(word)


# --- robustness --------------------------------------------------------------------------

BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BOMS), st.binary(max_size=4096))
def test_any_bytes_decode_without_raising(bom, data):
    text, label = decode(bom + data)
    assert isinstance(text, str) and label
    assert unicodedata.is_normalized("NFC", text)


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), min_size=1, max_size=2000))
def test_any_utf8_text_round_trips_to_nfc(text):
    # (NUL is left out: text full of NULs is indistinguishable from UTF-16)
    decoded, label = decode(text.encode("utf-8"))
    if label == "utf-8":
        assert decoded == unicodedata.normalize("NFC", text)
    else:  # Latin-1 heavy text may legitimately read as a legacy font
        assert label.startswith("utf-8+")


def test_fifty_megabytes():
    """A huge file decodes completely (linear work; no timing is asserted here)."""
    text = seed_text("000", chars=None)
    copies = 50 * 2**20 // len(text.encode("utf-8")) + 1
    decoded, label = decode(text.encode("utf-8") * copies)
    assert label == "utf-8"
    assert len(decoded) == len(text) * copies
    assert decoded[: len(text)] == text and decoded[-len(text):] == text

    legacy = to_cp1258(text)
    decoded, label = decode(legacy * (50 * 2**20 // len(legacy) + 1))
    assert label == "cp1258"
    assert decoded.startswith(unicodedata.normalize("NFC", legacy.decode("cp1258")))
