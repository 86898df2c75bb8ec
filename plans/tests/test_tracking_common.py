"""Fixtures and sample files shared by the tracking tests, which import them. This
module holds no tests of its own.

On `plan` (plans.tests.test_views_common):
- `mine`: unit_a's lead assignment of III.1.1, not started and overdue; the reporter's.
- `theirs`: unit_b's lead assignment of III.1.2, done; other_reporter's, hidden from
  the reporter.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from plans.tests.test_views_common import plan  # noqa: F401  (fixture)


@pytest.fixture
def mine(plan, unit_a):
    return plan.activities.get(ref="III.1.1").assignments.get(unit=unit_a)


@pytest.fixture
def theirs(plan, unit_b):
    return plan.activities.get(ref="III.1.2").assignments.get(unit=unit_b)


def pdf_bytes(text: str = "minh chung") -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + text.encode() + b"\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Báo cáo kết quả tuyên truyền")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def png_bytes() -> bytes:
    """A 1×1 white PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) \
        + chunk(b"IEND", b"")


def zip_named_docx() -> bytes:
    """A zip that is not an Office document (no word/document.xml)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("payload.txt", "không phải tài liệu Word")
    return buf.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
