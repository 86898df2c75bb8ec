"""Old Word (.doc) reader: LibreOffice converts the file to DOCX headless, then the DOCX
reader reads it. LibreOffice is a system package, not a Python dependency; without it
the reader says how to install it."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import CorruptFile, MissingTool
from ..model import Document
from . import docx

EXTENSIONS = (".doc",)

# A plan converts in a few seconds; a fresh LibreOffice profile adds a few more.
TIMEOUT_SECONDS = float(os.environ.get("DOCPARSE_SOFFICE_TIMEOUT", 120))
INSTALL_HINT = "apt-get install --no-install-recommends libreoffice-writer-nogui"

# What LibreOffice may open as "a .doc", and with which import filters: Word 97-2003
# and Word 6/95 (OLE2), RTF saved as .doc, HTML and Word 2003 XML saved as .doc by some
# office systems. The filter is forced because LibreOffice's own detection falls back
# to importing unreadable bytes as plain text, which would come back as garbage.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FILTERS = (
    (_OLE_MAGIC, ("MS Word 97", "MS Word 95")),
    (b"{\\rtf", ("Rich Text Format",)),
    (b"<html", ("HTML (StarWriter)",)),
    (b"<!doctype html", ("HTML (StarWriter)",)),
    (b"<?xml", ("MS Word 2003 XML",)),
)


def find_soffice() -> str:
    """Path of soffice/libreoffice on PATH. Raises MissingTool with the install command."""
    for program in ("soffice", "libreoffice"):
        path = shutil.which(program)
        if path:
            return path
    raise MissingTool(
        "Không tìm thấy LibreOffice (soffice) để đọc tệp .doc; cài đặt: "
        f"{INSTALL_HINT} (LibreOffice is needed to read .doc files)"
    )


def convert(source: Path, fmt: str, outdir: Path, timeout: float = TIMEOUT_SECONDS,
            infilter: str | None = None) -> Path:
    """Convert `source` with headless LibreOffice into `outdir` as `fmt` ("docx", "doc" …)
    and return the new file; `infilter` forces LibreOffice's import filter. Each call has
    its own LibreOffice profile so parallel conversions do not lock each other out.
    Raises MissingTool, or CorruptFile when LibreOffice fails, times out or writes nothing."""
    soffice = find_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="docparse-lo-") as profile:
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck"]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", fmt, "--outdir", str(outdir), str(source)]
        # Own session, so a timeout can stop soffice.bin and its helpers, not just the
        # wrapper script that started them.
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                env={**os.environ, "HOME": profile})
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise CorruptFile(
                f"{source.name}: LibreOffice không chuyển đổi xong sau {timeout:.0f} giây "
                f"(conversion timed out)"
            ) from None
    target = outdir / f"{source.stem}.{fmt.split(':')[0]}"
    if proc.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        errors = [line for line in err.decode("utf-8", "replace").splitlines() if line.startswith("Error")]
        detail = errors[-1] if errors else f"exit {proc.returncode}"
        raise CorruptFile(
            f"{source.name}: LibreOffice không chuyển đổi được tệp, có thể tệp hỏng hoặc đặt mật khẩu "
            f"(conversion failed: {detail})"
        )
    return target


def read(data: bytes, name: str) -> Document:
    """Read a .doc through LibreOffice. Raises MissingTool (no LibreOffice), CorruptFile
    (not a Word file, or conversion failed) and whatever the DOCX reader raises."""
    if data.startswith(b"PK\x03\x04"):  # a DOCX that was renamed .doc
        return docx.read(data, name)
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    filters = next((names for magic, names in _FILTERS if head.startswith(magic.lower())), None)
    if filters is None:
        raise CorruptFile(f"{name}: không phải tệp Word .doc (not a Word .doc file)")
    find_soffice()
    with tempfile.TemporaryDirectory(prefix="docparse-doc-") as tmp:
        source = Path(tmp) / "input.doc"  # fixed name: the upload's name may be anything
        source.write_bytes(data)
        for i, infilter in enumerate(filters):
            try:
                converted = convert(source, "docx", Path(tmp) / "out", infilter=infilter)
                break
            except CorruptFile as exc:
                if i == len(filters) - 1:
                    raise CorruptFile(str(exc).replace("input.doc", name, 1)) from exc
        document = docx.read(converted.read_bytes(), name)
    document.format = "doc"
    return document
