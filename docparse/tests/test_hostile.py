"""Bad input gets a clear ParseError or a best-effort result, never a traceback:
empty files, huge files, random text, shuffled real paragraphs, odd Unicode."""
import random
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docparse import ParseError, parse
from docparse.errors import EmptyDocument, UnsupportedFormat

from .conftest import CORPUS, seed, seed_paths


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(EmptyDocument) as e:
        parse(p)
    assert "rỗng" in str(e.value) and "empty" in str(e.value)
    with pytest.raises(EmptyDocument):
        parse(b"   \n\n  ", name="blank.md")


def test_missing_file(tmp_path):
    with pytest.raises(ParseError) as e:
        parse(tmp_path / "nope.txt")
    assert "nope.txt" in str(e.value)


def test_unknown_extension():
    with pytest.raises(UnsupportedFormat):
        parse(b"\x00\x01binary", name="plan.xyz")


def test_fifty_megabyte_text_is_read_in_part(tmp_path):
    block = seed("000").read_bytes()
    p = tmp_path / "huge.txt"
    with p.open("wb") as f:
        for _ in range(50 * 2**20 // len(block) + 1):
            f.write(block)
    assert p.stat().st_size >= 50 * 2**20
    plan = parse(p)
    assert plan.number == "529/KH-UBND"
    assert plan.activities
    assert any("4 MB" in w for w in plan.source["warnings"])


def test_nfd_reads_like_nfc():
    text = seed("000").read_text(encoding="utf-8")
    nfc = parse(text.encode("utf-8"), name="nfc.txt")
    nfd = parse(unicodedata.normalize("NFD", text).encode("utf-8"), name="nfd.txt")
    assert [(a.ref, a.lead, a.start) for a in nfd.activities] == [(a.ref, a.lead, a.start) for a in nfc.activities]
    assert nfd.title == nfc.title


def test_every_corpus_document_parses():
    failures = []
    paths = sorted(CORPUS.glob("*.md"))
    assert len(paths) == 250
    for path in paths:
        try:
            parse(path)
        except ParseError as exc:  # a clear, expected error is fine; anything else is a bug
            failures.append(f"{path.name}: {exc}")
    assert not failures


_PARAGRAPHS = [
    p for path in seed_paths() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=3000))
def test_random_text_never_crashes(text):
    try:
        plan = parse(text.encode("utf-8", errors="surrogatepass"), name="random.txt")
    except (EmptyDocument, ParseError):
        return
    plan.to_json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=len(_PARAGRAPHS)))
def test_shuffled_real_paragraphs_never_crash(rnd, n):
    paras = rnd.sample(_PARAGRAPHS, n)
    text = "\n\n".join(paras)
    plan = parse(text.encode("utf-8"), name="shuffled.md")
    for a in plan.activities:
        assert a.ref and a.lead
        for d in (a.start, a.end, a.deadline):
            assert d is None or len(d) == 10
    plan.to_json()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["I.", "1.", "1.1.", "a)", "-", "+", "Điều 1.", "|", "**", "Số:", "ngày",
                                 "Sở Tài chính", "chủ trì", "phối hợp", "Thời gian:", "trước ngày 15/12/2023",
                                 "\n", "\n\n", "Quý IV/2025", "(", ")", ":", ";", "các Sở, Ban, ngành"]),
                min_size=1, max_size=200))
def test_fragment_soup_never_crashes(parts):
    text = " ".join(parts)
    try:
        parse(text.encode("utf-8"), name="soup.txt").to_json()
    except EmptyDocument:
        pass


_SITE_LINES = ["|", "", "Đang tải văn bản...", "**Tình trạng:**", "Đã biết", "**THE SOCIALIST", "MINISTRY OF",
               "Văn bản này chưa cập nhật nội dung Tiếng Anh", "Hãy đăng nhập hoặc đăng ký Thành viên Pro tại đây",
               "## Văn bản liên quan", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Nơi nhận:", "Số: 1/KH-UBND",
               "1. Sở Tài chính chủ trì thực hiện", "a) Giao UBND tỉnh", "*Căn cứ Luật;*", "**Điều 1.**", "- ý"]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(_SITE_LINES), min_size=1, max_size=150))
def test_site_text_and_layout_table_soup_never_crashes(lines):
    # the thuvienphapluat.vn markers and layout-table cells in any order and number
    try:
        plan = parse("\n".join(lines).encode("utf-8"), name="site.md")
    except EmptyDocument:
        return
    for a in plan.activities:
        assert a.span[0] <= a.span[1] <= len(lines)
    plan.to_json()
