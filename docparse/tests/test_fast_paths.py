"""The parser's shortcuts must give exactly what the plain definitions give.

Each fast path below skips work with a cheaper test first. These tests compare it with
the straightforward version on real corpus text and on generated text built to hit the
edge cases (words glued together, odd spacing, dates next to numbers)."""
from __future__ import annotations

import random

import pytest

from docparse import encoding, header, tables

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
