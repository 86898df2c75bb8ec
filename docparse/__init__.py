"""docparse: read a Vietnamese plan document (TXT/MD, DOCX, PDF, scans, DOC) into a `Plan`.

    >>> from docparse import parse
    >>> plan = parse("529-KH-UBND.docx")          # a path
    >>> plan = parse(data, name="upload.pdf")      # or bytes plus a file name
    >>> plan.to_json()

`parse` raises `docparse.errors.ParseError` (or a subclass) with a message meant for a
user; it never lets a reader's internal exception escape.
"""
from __future__ import annotations

import os
from pathlib import Path

from . import readers
from .errors import ParseError, TooLarge
from .model import Activity, Document, Plan

__all__ = ["parse", "parse_document", "read_document", "Plan", "Activity", "Document", "ParseError"]

# A plan is a few hundred KB; anything far beyond this is not a plan and would only
# tie up a worker. Readers apply their own limits to what a file expands to.
MAX_INPUT_BYTES = int(os.environ.get("DOCPARSE_MAX_BYTES", 64 * 1024 * 1024))


def read_document(source: str | os.PathLike | bytes, name: str | None = None) -> Document:
    """Read a file into blocks without extracting the plan."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = name or "document.txt"
    else:
        path = Path(source)
        name = name or path.name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ParseError(f"{name}: không mở được tệp ({exc.strerror or exc})") from exc
        if size > MAX_INPUT_BYTES:
            raise TooLarge(f"{name}: tệp quá lớn ({size // 2**20} MB > {MAX_INPUT_BYTES // 2**20} MB)")
        data = path.read_bytes()
    if len(data) > MAX_INPUT_BYTES:
        raise TooLarge(f"{name}: tệp quá lớn ({len(data) // 2**20} MB > {MAX_INPUT_BYTES // 2**20} MB)")
    try:
        return readers.read(data, name)
    except ParseError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise TooLarge(f"{name}: tài liệu quá lớn hoặc lồng nhau quá sâu ({type(exc).__name__})") from exc
    except Exception as exc:  # a reader bug must still reach the user as one clear line
        raise ParseError(f"{name}: không đọc được tệp ({type(exc).__name__}: {exc})") from exc


def parse_document(doc: Document, name: str = "") -> Plan:
    from .extract import extract

    plan = extract(doc)
    plan.source.update(
        {
            "file": name,
            "format": doc.format,
            "ocr_pages": [{"page": p.page, "confidence": round(p.confidence, 1)} for p in doc.ocr_pages],
            "warnings": list(doc.warnings),
        }
    )
    return plan


def parse(source: str | os.PathLike | bytes, name: str | None = None) -> Plan:
    """Read and extract one document. Raises ParseError with a user-facing message."""
    if name is None and not isinstance(source, (bytes, bytearray, memoryview)):
        name = Path(source).name
    doc = read_document(source, name)
    return parse_document(doc, name or "")
