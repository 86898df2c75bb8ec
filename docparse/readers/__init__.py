"""Readers turn bytes into a `Document`. Each reader module exposes

    EXTENSIONS: tuple[str, ...]          # lower-case, with the dot
    def read(data: bytes, name: str) -> Document

and is registered in READERS below, the one table that maps a file to its reader.
`read()` picks by extension, then by content sniffing when the extension is unknown.
"""
from __future__ import annotations

import importlib
from pathlib import PurePath

from ..errors import EmptyDocument, UnsupportedFormat
from ..model import Document

# extension -> module name inside docparse.readers
READERS: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".docx": "docx",
    ".pdf": "pdf",
    ".png": "ocr",
    ".jpg": "ocr",
    ".jpeg": "ocr",
    ".tif": "ocr",
    ".tiff": "ocr",
    ".bmp": "ocr",
    ".pnm": "ocr",
    ".pgm": "ocr",
    ".ppm": "ocr",
    ".doc": "doc",
}

_MAGIC = (
    (b"%PDF-", ".pdf"),
    (b"PK\x03\x04", ".docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc"),
    (b"\x89PNG", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
)


def sniff(data: bytes) -> str | None:
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    return None


def reader_for(name: str, data: bytes):
    ext = PurePath(name).suffix.lower()
    if ext not in READERS:
        ext = sniff(data) or (".txt" if ext in ("", ".text") else ext)
    if ext not in READERS:
        raise UnsupportedFormat(
            f"{name}: định dạng '{ext}' không được hỗ trợ (unsupported format); "
            f"supported: {', '.join(sorted(READERS))}"
        )
    return importlib.import_module(f"{__name__}.{READERS[ext]}")


def read(data: bytes, name: str) -> Document:
    if not data or not data.strip():
        raise EmptyDocument(f"{name}: tệp rỗng (the file is empty)")
    return reader_for(name, data).read(data, name)
