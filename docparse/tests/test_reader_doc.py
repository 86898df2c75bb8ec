""".doc reader: seeds built as DOCX, turned into Word 97-2003 files by LibreOffice, then
read back through LibreOffice and the DOCX reader. Also: no LibreOffice on PATH, and
files that are not Word documents."""
from __future__ import annotations

import shutil

import pytest

import docparse
from docparse.errors import CorruptFile, MissingTool
from docparse.model import Paragraph, Table
from docparse.readers import doc as reader
from docparse.readers import docx as docx_reader
from docparse.tests.builders import build_numbered_docx
from docparse.tests.conftest import seed

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                                   reason="LibreOffice is not installed (make sysdeps)")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """{"000": (DOCX Document, .doc path)} for seeds 000 and 001."""
    out = tmp_path_factory.mktemp("doc")
    result = {}
    for prefix in ("000", "001"):
        source = build_numbered_docx(seed(prefix), out / f"{prefix}.docx")
        result[prefix] = (docx_reader.read(source.read_bytes(), source.name), reader.convert(source, "doc", out / "doc"))
    return result


def contents(doc) -> list:
    return [b.text if isinstance(b, Paragraph) else b.rows for b in doc.blocks]


@needs_soffice
def test_doc_reads_like_the_docx_it_came_from(converted):
    original, path = converted["001"]
    data = path.read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # a real Word 97-2003 file
    doc = reader.read(data, path.name)
    assert doc.format == "doc"
    assert contents(doc) == contents(original)
    assert doc.footnotes == original.footnotes
    assert [b.bold for b in doc.blocks if isinstance(b, Paragraph)] == [
        b.bold for b in original.blocks if isinstance(b, Paragraph)]
    header = doc.blocks[0]
    assert isinstance(header, Table) and header.rows[1] == ["Số: /STTTT-TTBCXB", "Đắk Nông, ngày tháng 12 năm 2023"]


@needs_soffice
def test_doc_keeps_word_numbering(converted):
    _, path = converted["000"]
    doc = docparse.read_document(path)  # picked by extension, read through LibreOffice
    assert doc.format == "doc"
    labels = {b.text: b.label for b in doc.blocks if isinstance(b, Paragraph)}
    assert labels["CÁC HOẠT ĐỘNG THÔNG TIN, TUYÊN TRUYỀN CỤ THỂ"] == "III."
    assert labels["Xây dựng đề cương tuyên truyền, triển khai định hướng nội dung, công tác tuyên truyền "
                  "Kỷ niệm 20 năm Ngày tái lập tỉnh"] == "1.1."
    # LibreOffice stores a "+" bullet as U+F02B in the Symbol font; it still reads "+".
    assert labels["Đài Truyền thanh cấp xã: Đảm bảo thực hiện công tác tiếp sóng Đài huyện, Đài tỉnh; "
                  "thông tin tuyên truyền các hoạt động chào mừng Kỷ niệm tại địa phương."] == "+"


def test_missing_libreoffice_says_how_to_install(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(MissingTool, match="apt-get install --no-install-recommends libreoffice-writer-nogui"):
        reader.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), "ke-hoach.doc")


def test_not_a_word_file(tmp_path):
    with pytest.raises(CorruptFile, match="không phải tệp Word"):
        reader.read(b"Ke hoach so 46/KH-STTTT, plain text with a .doc name", "ke-hoach.doc")


@needs_soffice
def test_broken_word_file_is_corrupt():
    # OLE2 magic followed by nothing LibreOffice can read.
    with pytest.raises(CorruptFile, match="LibreOffice"):
        reader.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 16, "hong.doc")


def test_docx_renamed_doc_is_read_directly(tmp_path, monkeypatch):
    path = build_numbered_docx(seed("002"), tmp_path / "plan.docx")
    monkeypatch.setenv("PATH", str(tmp_path))  # no LibreOffice needed for a renamed DOCX
    doc = reader.read(path.read_bytes(), "plan.doc")
    assert doc.format == "docx" and doc.blocks


@needs_soffice
def test_rtf_saved_as_doc():
    # Office systems often save RTF under a .doc name; "KẾ HOẠCH" / "Sở Tài chính".
    rtf = (r"{\rtf1\ansi\uc1{\fonttbl{\f0 Times New Roman;}}\f0 K\u7870? HO\u7840?CH\par "
           r"S\u7903? T\u224?i ch\u237?nh\par}")
    doc = reader.read(rtf.encode("ascii"), "ke-hoach.doc")
    assert [b.text for b in doc.blocks] == ["KẾ HOẠCH", "Sở Tài chính"] and doc.format == "doc"
