"""The parser's shortcuts must give exactly what the plain definitions give.

Each fast path below skips work with a cheaper test first. These tests compare it with
the straightforward version on real corpus text and on generated text built to hit the
edge cases (words glued together, odd spacing, dates next to numbers)."""
from __future__ import annotations

import random

import pytest

from docparse import encoding, extract, header, rx, tables
from docparse.readers import text as text_reader

from .conftest import CORPUS


def _corpus_texts(limit: int = 60) -> list[str]:
    paths = sorted(CORPUS.glob("*.md"))[:limit] if CORPUS.exists() else []
    return [encoding.decode(p.read_bytes())[0] for p in paths]


def _plain_references(text: str) -> list[tuple[str, str, str]]:
    out, seen = [], set()
    for m in header._REF_RE.finditer(text):
        num = m.group("num").rstrip(".,;")
        if num not in seen:
            seen.add(num)
            out.append((m.group("kind"), num, m.group(0).strip()))
    return out


_REF_PIECES = [
    "Kế hoạch", "số", "12/KH-UBND", " ", "  ", "\n", "Thông tư liên tịch", "ngày 01/02/2023",
    "5/2020/NĐ-CP", "Chương trình hành động", "của UBND tỉnh", "/", "Luật", "Quyết định số",
    "12.3-QĐ/UBND", "x", ",", "độngLuật", "ngày 15 tháng 3 năm 2024", "về việc",
]


def test_references_found_from_slashes_equal_a_plain_scan():
    rnd = random.Random(20261122)
    texts = _corpus_texts()
    texts += ["".join(rnd.choice(_REF_PIECES) + rnd.choice(["", " "]) for _ in range(40)) for _ in range(2000)]
    assert any(_plain_references(t) for t in texts)
    for t in texts:
        got = [(r.kind, r.number, r.text) for r in header.find_references(t)]
        assert got == _plain_references(t), t[:300]


def test_reference_glued_to_the_word_before():
    # _REF_RE has no word boundary in front of the kind, and the scan from "/" keeps that
    refs = header.find_references("theo Chương trình hành độngLuật 12/2020/QH14 ngày 01/02/2023")
    assert [(r.kind, r.number) for r in refs] == [("Luật", "12/2020/QH14")]


def _plain_may_hold_legacy(text: str) -> bool:
    sample = text[:encoding.PRECHECK_CHARS]
    latin1 = sum(1 for c in sample if "\u00a1" <= c <= "\u00ff")
    return latin1 >= 3 and latin1 > 1.5 * len(encoding._VIETNAMESE_ONLY.findall(sample))


@pytest.mark.parametrize("seed", range(3))
def test_legacy_precheck_equals_its_definition(seed):
    rnd = random.Random(seed)
    letters = "aàáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ ÀÁÂĐƯ"
    texts = _corpus_texts(30)
    texts += ["".join(rnd.choice(letters) for _ in range(rnd.randrange(1, 3000))) for _ in range(300)]
    texts += [encoding.tcvn3_to_unicode("ViÖt Nam") * 50, "Vieät Nam ñöôøng " * 40]
    for t in texts:
        assert encoding._may_hold_legacy(t) == _plain_may_hold_legacy(t)


def test_column_map_precheck_keeps_every_header_row():
    rows = [
        ["STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian"],
        ["TT", "Nhiệm vụ", "Đơn vị chủ\ntrì"],  # the words split over lines in a cell
        ["STT", "Tên\nhoạt động", "Đầu mối"],
        ["1", "Tổ chức hội nghị", "Sở Văn hóa", "Các sở", "Quý III"],
        ["Nội dung", "chủ", "trì"],  # "chủ trì" only across two cells: not a lead column
    ]
    got = [tables._map_columns(r) for r in rows]
    assert got[0] == {"stt": 0, "content": 1, "lead": 2, "support": 3, "time": 4}
    assert got[1] == {"stt": 0, "content": 1, "lead": 2}
    assert got[2] == {"stt": 0, "content": 1, "lead": 2}
    assert got[3] is None and got[4] is None


def test_blocks_are_made_nfc_when_any_paragraph_or_cell_is_not():
    import unicodedata

    from docparse.extract import _nfc_blocks
    from docparse.model import Paragraph, Table

    nfc = "Sở Văn hóa, Thể thao và Du lịch chủ trì"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    blocks = [Paragraph(nfc, (1, 1)), Paragraph(nfd, (2, 2)), Table([["STT", nfd]], (3, 3))]
    out = _nfc_blocks(blocks)
    assert [out[0].text, out[1].text, out[2].rows] == [nfc, nfc, [["STT", nfc]]]
    # all paragraphs NFC: a table's cells are still checked on their own
    out = _nfc_blocks([Paragraph(nfc, (1, 1)), Table([[nfd]], (2, 2))])
    assert out[1].rows == [[nfc]]


def _match_key(m):
    return None if m is None else (m.span(), m.groups())


_DATE_PIECES = [
    "Hà Nội", "Đắk Nông", ",", ", ", "ngày", "NGÀY", "Ngày", " 12 ", "05", "tháng", "THÁNG", " 3 ", "năm",
    "NĂM", " 2024", "2023", "\n", " ", "  ", "x" * 30, "a", "TP. Hồ Chí Minh",
]


def test_date_found_from_commas_equals_a_plain_search():
    rnd = random.Random(20260101)
    texts = []
    for t in _corpus_texts():
        texts.append(t[:20000])
        texts += t.split("\n")[:300]
    texts += ["".join(rnd.choice(_DATE_PIECES) for _ in range(rnd.randrange(3, 60))) for _ in range(5000)]

    def date() -> str:  # a whole date, with a place of any length before it
        return "".join([
            rnd.choice(["", ",", "\n", "x" * rnd.randrange(0, 70), "Hà Nội", " "]),
            rnd.choice([", ", ",", ",\n", " , "]), rnd.choice(["ngày", "NGÀY", "ngay"]),
            rnd.choice([" ", "", "  "]), rnd.choice(["12", "5", "", "123"]), " ",
            rnd.choice(["tháng", "THÁNG"]), " ", rnd.choice(["3", "12"]), " ", rnd.choice(["năm", "NĂM"]),
            " ", rnd.choice(["2024", "24"]),
        ])

    texts += ["".join(date() + rnd.choice(_DATE_PIECES) for _ in range(rnd.randrange(1, 4))) for _ in range(3000)]
    assert sum(header._DATE_RE.search(t) is not None for t in texts) > 100
    for t in texts:
        assert _match_key(header._search_date(t)) == _match_key(header._DATE_RE.search(t)), t[:300]


_ISSUER_PIECES = [
    "Ủy ban nhân dân", "Uỷ ban nhân dân", "UBND", "Sở Tài chính", "Sở ", "Ban ", "Bộ ", " tỉnh", " thành phố",
    " huyện", " Đắk Nông", " Gia", " ban hành ", "ban hành", " Kế hoạch", " Quyết định", "Chương trình", ",",
    ".", ";", " ", "  ", "\n", "x", "Căn cứ",
]


def test_issuer_found_from_ban_hanh_equals_a_plain_search():
    rnd = random.Random(20260102)
    texts = [t[:6000] for t in _corpus_texts()]
    texts += ["".join(rnd.choice(_ISSUER_PIECES) for _ in range(rnd.randrange(3, 60))) for _ in range(5000)]
    assert sum(header._ISSUER_IN_TEXT.search(t) is not None for t in texts) > 100
    for t in texts:
        assert _match_key(header._search_issuer(t)) == _match_key(header._ISSUER_IN_TEXT.search(t)), t[:300]


def _plain_is_upper_line(s: str) -> bool:
    if len(s) >= 90:
        return False
    letters = [c for c in s if c.isalpha()]
    return s.isupper() or (bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8)


def test_upper_line_precheck_equals_its_definition():
    rnd = random.Random(20260103)
    lines = [ln.strip() for t in _corpus_texts(30) for ln in t.split("\n")[:200]]
    pieces = ["ỦY BAN", "NHÂN DÂN", "Sở", "abc", "A", "b", " ", "-", "1", "ĐẮK NÔNG", "tỉnh", "Ω", "ß", ""]
    lines += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(0, 12))) for _ in range(5000)]
    # the borderline: capitals exactly 0.8 of the letters, and just over
    lines += ["ABCDe", "ABCDEFGHij", "ABCDEFGHIj", "ABCDEFGHIjk", "AAAA a", "AAAA", "1234 a"]
    assert any(map(_plain_is_upper_line, lines)) and not all(map(_plain_is_upper_line, lines))
    for ln in lines:
        assert header._is_upper_line(ln) == _plain_is_upper_line(ln), ln


def test_year_found_from_nam_equals_a_plain_search():
    rnd = random.Random(20260104)
    pieces = ["năm", "Năm", " ", "  ", "2024", "1999", "2100", "x", "_", "1", "\n", "các", "ănăm", "năm 2023"]
    texts = [t[:3000] for t in _corpus_texts()]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 40))) for _ in range(5000)]
    assert sum(extract._YEAR_RE.search(t) is not None for t in texts) > 100
    for t in texts:
        assert _match_key(extract._search_year(t)) == _match_key(extract._YEAR_RE.search(t)), t[:300]


def test_only_a_letter_and_a_bracket_or_dot_open_an_item_in_lower_case():
    # _plain_run tries _RAW_SPLIT_RE on a line starting with a lower-case letter only
    # when its second character is ")" or "."
    rnd = random.Random(20260105)
    lower = sorted(text_reader._SPLIT_LOWER)
    tails = [")", ".", " ", "\t", ") x", ". x", ")\tx", "a", "1", "-", "*", "**", "Kính gửi", "Số:", "Điều 1"]
    lines = [rnd.choice(lower) + "".join(rnd.choice(tails) for _ in range(rnd.randrange(0, 4))) for _ in range(5000)]
    lines += [ln.strip() for t in _corpus_texts(30) for ln in t.split("\n")]
    lines = [ln for ln in lines if ln[:1] in text_reader._SPLIT_LOWER]
    assert any(text_reader._RAW_SPLIT_RE.match(ln) for ln in lines)
    for ln in lines:
        if text_reader._RAW_SPLIT_RE.match(ln):
            assert len(ln) > 1 and ln[1] in ").", ln


def test_text_reader_says_paragraphs_are_nfc_only_when_they_are():
    # Document.paragraphs_nfc lets extract skip its NFC check of the paragraphs; the
    # text reader may set it only when every paragraph is NFC, markup removed and all
    import copy
    import dataclasses
    import unicodedata

    from docparse.model import Paragraph

    from .conftest import SEEDS

    rnd = random.Random(20260106)
    # markup between a letter and a combining mark: removing it makes a non-NFC pair
    pieces = ["e", "E", "a", "Sở", "ạ", "\u0301", "\u0323", "\u0302", "*", "**", "_", "__", "\\*", "\\_",
              " ", "  ", "\t", "\u00a0", "\n", "\n\n", "# ", "- ", "* ", "|", "| a |", "1. ", "a) ",
              "[x](http://a)", "<http://a>", "¹ ", "Điều 1", "."]
    datas = [p.read_bytes() for p in sorted(CORPUS.glob("*.md")) + sorted(SEEDS.glob("*.txt"))]
    datas += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 30))).encode() for _ in range(4000)]
    datas += ["e*\u0301".encode(), "**Sở**\u0301 x".encode(), "# a_\u0323".encode(), "x\ny*\u0302\nz".encode()]
    flagged = unflagged = 0
    for data in datas:
        doc = text_reader.read(data, "x.md")
        paras = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
        if doc.paragraphs_nfc:
            flagged += 1
            assert all(unicodedata.is_normalized("NFC", t) for t in paras), data[:300]
        else:
            unflagged += 1
        # the shortcut in extract gives what the plain check gives
        fast = extract._nfc_blocks(copy.deepcopy(doc.blocks), doc.paragraphs_nfc)
        plain = extract._nfc_blocks(copy.deepcopy(doc.blocks))
        assert fast == plain, data[:300]
    assert flagged > 1000 and unflagged > 100
    assert not text_reader.read("e*\u0301".encode(), "x.md").paragraphs_nfc
    # a hint for extraction, not part of the document's data
    assert "paragraphs_nfc" not in {f.name for f in dataclasses.fields(doc)}


def test_decode_returns_nfc_on_every_path():
    # the text reader's paragraphs_nfc rests on this, the cp1252 fallback included
    import unicodedata

    rnd = random.Random(20260107)
    datas = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 200))) for _ in range(3000)]
    datas += ["e\u0301 Sở".encode(), "e\u0301".encode("utf-16"), bytes(range(128, 256))]
    labels = set()
    for data in datas:
        text, label = encoding.decode(data)
        labels.add(label.split("+")[0])
        assert unicodedata.is_normalized("NFC", text), (data, label)
    assert "cp1252" in labels


_VERB_PIECES = [
    "thực hiện", "căn cứ", "căn cứ vào", "có", "có trách nhiệm", "ký", "là", "làm", "đăng", "đăng tải",
    "tổ chức", "/", " ", "  ", "\n", "x", "_", "1", "ó", "Sở", "(", ")", ",", "liên quan", "vào", "kýý",
]


def _word_start_cases(pieces: list[str], seed: int) -> list[str]:
    rnd = random.Random(seed)
    texts = [ln[:400] for t in _corpus_texts(40) for ln in t.split("\n") if len(ln) > 20]
    texts += ["".join(rnd.choice(pieces) + rnd.choice(["", "", " ", "/", "x"]) for _ in range(rnd.randrange(1, 12)))
              for _ in range(5000)]
    return texts


def _spans(matches) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group(0)) for m in matches]


def test_verbs_found_without_the_look_behind_equal_the_plain_pattern():
    # units._VERB_RE leaves "(?<![\w/])" to rx.word_matches and is factored by prefixes;
    # the plain pattern tries the verbs longest first
    import re

    from docparse import units

    plain = re.compile(
        r"(?<![\w/])(?:" + "|".join(sorted(map(re.escape, units._VERBS), key=len, reverse=True)) + r")(?!\w)"
    )
    texts = _word_start_cases(_VERB_PIECES, 20261123)
    assert sum(bool(plain.search(t)) for t in texts) > 1000
    for t in texts:
        assert _spans(rx.word_matches(units._VERB_RE, t, "/")) == _spans(plain.finditer(t)), t


def test_date_triggers_found_without_the_look_behind_equal_the_plain_pattern():
    import re

    from docparse import dates

    plain = re.compile(dates._FREE_TRIGGER.pattern)  # for lower-cased text, as scan_sentence_dates uses it
    pieces = list(dates._FREE_TRIGGER_WORDS) + ["x", "ư", "_", "1", " ", "  ", "\n", "/", "trongtrong", "hạnh"]
    texts = [t.lower() for t in _word_start_cases(pieces, 20261124)]
    assert sum(bool(plain.search(t)) for t in texts) > 1000
    for t in texts:
        assert _spans(rx.word_matches(dates._FREE_TRIGGER_LOW, t)) == _spans(plain.finditer(t)), t


def test_column_words_searched_in_lower_case_equal_the_case_insensitive_search():
    # _map_columns searches the lower-cased row with case-sensitive patterns when
    # rx.lowered allows it ("ı" and "İ" fall back to the case-insensitive ones)
    rnd = random.Random(20261125)
    pieces = ["CHỦ TRÌ", "Chủ trì", "chủ trì", "THỰC HIỆN", "thực hıện", "THỰC HİỆN", "Nội dung", "NỘI DUNG",
              "nhiệm vụ", "TÊN", "tên", "tênx", " ", "\x00", "x", "Đơn vị", "ĐẦU MỐI", "Tham mưu"]
    rows = ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 8))) for _ in range(5000)]
    hits = 0
    for whole in rows:
        plain = bool(tables._LEAD_COLUMN_RE.search(whole) and tables._CONTENT_COLUMN_RE.search(whole))
        low = rx.lowered(whole)
        if low is not None:
            assert bool(tables._LEAD_COLUMN_LOW.search(low) and tables._CONTENT_COLUMN_LOW.search(low)) == plain, whole
            hits += plain
    assert hits > 100
    # the case-sensitive patterns are the case-insensitive ones, which are in lower case
    assert tables._LEAD_COLUMN_LOW.pattern == tables._LEAD_COLUMN_LOW.pattern.lower()
    assert tables._CONTENT_COLUMN_LOW.pattern == tables._CONTENT_COLUMN_LOW.pattern.lower()


def _group_spans(matches) -> list[tuple]:
    return [(m.span(),) + tuple(m.span(g) for g in range(1, (m.re.groups or 0) + 1)) for m in matches]


_CASE_PIECES = [
    "chủ trì", "CHỦ TRÌ", "Chỉ trì", "phối hợp", "PHỐI HỢP", "với", " ", "  ", "\n", ",", "và", "Sở Y tế", "x",
    "tại khoản", "theo mục", "1.1", "2.6", " và ", "của", "mục III", "PHẦN iv", "ban hành kèm theo", "Có Hiệu Lực",
    "thi hành Quyết định này", "BÃI BỎ", "hıện", "İ", "nhiệm vụ", ".", ";",
    "Chủ trì triển khai nhiệm vụ tại khoản 1.1 và 2.6 mục III", "PHỐI HỢP thực hiện theo điểm 2, 3 của Phần ii",
]


@pytest.mark.parametrize("name", ["xref", "support", "promulgation"])
def test_case_insensitive_patterns_run_on_lower_case_text_find_the_same(name):
    from docparse import activities

    plain_rx, low_rx = {
        "xref": (extract._XREF_RE, extract._XREF_LOW),
        "support": (activities._SUPPORT_INLINE, activities._SUPPORT_INLINE_LOW),
        "promulgation": (activities._PROMULGATION, activities._PROMULGATION_LOW),
    }[name]
    rnd = random.Random(20261126)
    texts = [ln for t in _corpus_texts(40) for ln in t.split("\n") if len(ln) > 20]
    texts += ["".join(rnd.choice(_CASE_PIECES) for _ in range(rnd.randrange(1, 30))) for _ in range(5000)]
    hits = fallbacks = 0
    for t in texts:
        want = _group_spans(plain_rx.finditer(t))
        assert _group_spans(rx.finditer_lowered(plain_rx, low_rx, t)) == want, t
        first = rx.search_lowered(plain_rx, low_rx, t)  # groups are read by their spans, as the callers do
        assert _group_spans([first] if first else []) == want[:1], t
        hits += bool(want)
        fallbacks += rx.lowered(t) is None  # "ı", "İ": the case-insensitive pattern itself
    assert hits > 50 and fallbacks > 50


def test_date_atoms_with_the_look_ahead_equal_the_plain_pattern():
    # _ATOM opens with "(?=[qnt\d])" so that the search skips positions no alternative
    # can start at; the matches and their groups are those of the pattern without it
    import re

    from docparse import dates

    prefix = r"(?=[qnt\d])(?:"
    assert dates._ATOM.pattern.startswith(prefix) and dates._ATOM.pattern.endswith(")")
    plain = re.compile(dates._ATOM.pattern[len(prefix):-1], re.I)
    plain_low = re.compile(dates._ATOM_LOW.pattern[len(prefix):-1])
    rnd = random.Random(20261127)
    pieces = ["quý", "Quý", "QÚY", "I", "iv", " ", "  ", ",", "và", "-", "/", "năm", "NĂM", "ngày", "Ngày",
              "tháng", "THÁNG", "12", "3", "2024", "1999", "x", "a", "\n", ".", "T", "N", "Q"]
    texts = [t[i:i + 150] for t in _corpus_texts(30) for i in range(0, min(len(t), 20000), 131)]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 25))) for _ in range(5000)]
    hits = 0
    for t in texts:
        want = [(m.span(), m.groups()) for m in plain.finditer(t)]
        assert [(m.span(), m.groups()) for m in dates._ATOM.finditer(t)] == want, t
        low = t.lower()
        assert [(m.span(), m.groups()) for m in dates._ATOM_LOW.finditer(low)] == [
            (m.span(), m.groups()) for m in plain_low.finditer(low)
        ], t
        hits += bool(want)
    assert hits > 1000


def test_sentence_end_with_the_look_behind_after_the_mark_equals_the_plain_pattern():
    import re

    from docparse import activities

    plain = re.compile(r"(?<![A-ZĐ0-9])[.!?](?=\s+[A-ZĐÀ-Ỹ(\"“]|\s*$)")
    rnd = random.Random(20261128)
    pieces = [".", "!", "?", " ", "\n", "A", "Đ", "9", "a", "Sở", "(", "“", "x.y", "TP.", "1.", "  "]
    texts = [ln for t in _corpus_texts(30) for ln in t.split("\n")]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 20))) for _ in range(5000)]
    assert sum(plain.search(t) is not None for t in texts) > 1000
    for t in texts:
        assert _match_key(activities._SENTENCE_END_RE.search(t)) == _match_key(plain.search(t)), t


def test_quoc_hieu_precheck_equals_the_plain_search():
    rnd = random.Random(20261129)
    pieces = ["CỘNG", "Cộng", "cộng", "HÒA", "HOA", "XÃ", "HỘI", "Độc lập", "ĐỘC LẬP", "-", "–", "Tự do", "TỰ DO",
              " ", "\n", "x", "CHỦ NGHĨA", "CỘNG HÒA XÃ HỘI", "Cộng hoa\nxa hội", "Độc lập - Tự do", "ĐỘC LẬP–TỰ DO"]
    cells = ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 12))) for _ in range(5000)]
    cells += [c for t in _corpus_texts(30) for c in t.split("\n|\n")]
    assert sum(text_reader._QUOC_HIEU.search(c) is not None for c in cells) > 100
    for c in cells:
        assert text_reader._holds_quoc_hieu(c) == (text_reader._QUOC_HIEU.search(c) is not None), c


def test_markdown_heading_read_without_the_lazy_pattern_equals_it():
    rnd = random.Random(20261130)
    pieces = ["#", "##", "###", " ", "\t", "\u00a0", "\u2003", "a", "Sở", "#a", "x y", "# #", "*", "I."]
    lines = [ln.strip() for t in _corpus_texts() for ln in t.split("\n") if ln.strip().startswith("#")]
    lines += ["#" + "".join(rnd.choice(pieces) for _ in range(rnd.randrange(0, 10))) for _ in range(5000)]
    lines = [ln.strip() for ln in lines]
    assert len(lines) > 5000
    for ln in lines:
        m = text_reader._HEADING_RE.match(ln)
        assert text_reader._heading(ln) == (len(m.group(1)), m.group(2)), ln


def test_keywords_found_on_their_own_equal_the_pattern_with_the_space():
    from docparse import activities

    rnd = random.Random(20261131)
    pieces = ["chủ trì", "chỉ trì", "thực hiện", " ", "\n", "\t", "x", "Sở Y tế", ",", "chủ trìx", "thực hiệnthực hiện"]
    texts = [ln for t in _corpus_texts(40) for ln in t.split("\n") if "trì" in ln or "thực hiện" in ln]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 12))) for _ in range(5000)]
    assert sum(bool(activities._KEYWORD_RE.search(t)) for t in texts) > 1000
    for t in texts:
        assert activities._keyword_starts(t) == [m.start() for m in activities._KEYWORD_RE.finditer(t)], t


def _first_chars(pattern: str) -> set[str] | None:
    """Every character a match of `pattern` (case-sensitive) can start with, or None when
    the pattern can start with something other than a literal character or class."""
    from re import _constants as c
    from re import _parser

    def first(items) -> set[str] | None:
        out: set[str] = set()
        for op, av in items:
            if op is c.AT:
                continue  # "^" takes no character
            if op is c.LITERAL:
                return out | {chr(av)}
            if op is c.IN and all(o is c.LITERAL for o, _ in av):
                return out | {chr(v) for _, v in av}
            if op is c.SUBPATTERN:
                got = first(av[3].data)
                return None if got is None else out | got
            if op is c.BRANCH:
                for branch in av[1]:
                    got = first(branch.data)
                    if got is None:
                        return None
                    out |= got
                return out
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                got = first(av[2].data)
                if got is None:
                    return None
                out |= got
                if av[0] > 0:
                    return out
                continue  # optional: what follows can start the match too
            return None
        return None

    return first(_parser.parse(pattern).data)


def test_first_letter_gates_list_every_letter_their_patterns_start_with():
    from docparse import activities, outline

    assert _first_chars(outline._CLOSING_RE.pattern) == set(outline._CLOSING_FIRST)
    assert _first_chars(activities._CONDITIONAL.pattern) == set(activities._CONDITIONAL_FIRST)
    # _BULLET_STAR starts with optional spaces and then "*": strip_markup tries it only on those
    assert text_reader._BULLET_STAR.pattern.startswith(r"^\s*\*")


def test_squash_spaces_shortcut_equals_splitting_into_words():
    from docparse import units

    # the shortcut rests on this: the only printable whitespace character is " "
    assert [c for c in map(chr, range(0x110000)) if c.isspace() and c.isprintable()] == [" "]
    rnd = random.Random(20261132)
    pieces = [" ", "  ", "\t", "\n", "a", "Sở", "\xa0", "\u2003", "\x1c", "\x85", "\u2028", "b c", "\u200b", "\ufeff", ""]
    texts = [ln for t in _corpus_texts(20) for ln in t.split("\n")]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(0, 10))) for _ in range(20000)]
    for t in texts:
        assert units.squash_spaces(t) == " ".join(t.split()), repr(t)


def test_excluded_titles_matched_case_sensitively_on_upper_case_text():
    import re

    from docparse import activities

    letters = set("".join(activities._EXCLUDED_TITLES))
    lower = {c.lower() for c in letters}
    # every character an upper-cased text can hold that the case-insensitive pattern
    # takes for a title letter without being that letter
    upper_chars = {ch for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF for ch in chr(cp).upper()}
    candidates = [ch for ch in upper_chars if ch not in letters and (ch.lower()[:1] in lower or ch.casefold()[:1] in lower)]
    odd = {ch for ch in candidates for t in letters if re.fullmatch(re.escape(t), ch, re.I)}
    assert odd == set(activities._CASE_ONLY_EQUAL)
    rnd = random.Random(20261133)
    pieces = list(activities._EXCLUDED_TITLES) + ["Mục đích", "yêu cầu", ",", " ", "x", "İ", "\u212a", "ı", "1."]
    heads = [ln.strip()[:80] for t in _corpus_texts(40) for ln in t.split("\n") if ln.strip()]
    heads += ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 5))) for _ in range(5000)]
    hits = 0
    for h in heads:
        up = h[:activities._EXCLUDED_TITLE_MAX].upper()
        want = activities.EXCLUDED_SECTION.match(up)
        if not any(c in up for c in activities._CASE_ONLY_EQUAL):
            assert _match_key(activities._EXCLUDED_UPPER.match(up)) == _match_key(want), h
            hits += want is not None
    assert hits > 1000
