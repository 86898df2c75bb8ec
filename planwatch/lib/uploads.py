"""Checking uploaded evidence and report files: the type comes from the content, never
from the name, and every stored file keeps its SHA-256. Used by plans.tracking (evidence)
and reporting.services (file answers)."""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

import filetype

MAX_BYTES = 20 * 2**20

# What may be uploaded: the detected MIME type → the extension the stored copy gets.
ALLOWED = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
}
# The part an Office file must contain; filetype only looks at the first bytes of the zip.
OFFICE_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


class UploadRejected(ValueError):
    """The file is too big, empty, or not of an allowed type; str() is for the user."""


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    mime: str
    ext: str
    sha256: str
    size: int


def check_upload(data: bytes, *, max_bytes: int = MAX_BYTES) -> CheckedFile:
    """The checked file. Raises UploadRejected with a Vietnamese message."""
    if not data:
        raise UploadRejected("Tệp rỗng.")
    if len(data) > max_bytes:
        raise UploadRejected(f"Tệp lớn hơn {max_bytes // 2**20} MB.")
    kind = filetype.guess(data[:8192])
    mime = kind.mime if kind else ""
    ext = ALLOWED.get(mime)
    if ext is None and mime == "application/zip":
        ext, mime = _office_kind(data)
    if ext is None:
        raise UploadRejected("Chỉ nhận tệp PDF, DOCX, XLSX hoặc ảnh (JPEG, PNG, GIF, WebP); nội dung tệp không thuộc các loại này.")
    if ext in OFFICE_PART and not _has_part(data, OFFICE_PART[ext]):
        raise UploadRejected("Tệp Office bị hỏng hoặc không đúng định dạng.")
    return CheckedFile(data=data, mime=mime, ext=ext, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _office_kind(data: bytes) -> tuple[str | None, str]:
    for ext, part in OFFICE_PART.items():
        if _has_part(data, part):
            mime = next(m for m, e in ALLOWED.items() if e == ext)
            return ext, mime
    return None, ""


def _has_part(data: bytes, part: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return part in z.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
