"""`python -m docparse FILE... [--json] [--out DIR]`: read plan documents and show what
was extracted, as a table for people or as JSON for the scorer and other programs.

Exit status: 0 when every file was read, 1 when at least one failed (the batch goes on
and lists the failures at the end, on stderr), 2 for a wrong command line.
No traceback reaches the user: an unexpected error in a file becomes its failure line.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
import unicodedata
from pathlib import Path

from . import parse
from .errors import ParseError
from .model import Activity, Plan

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_CELL_LINES = 3  # a table cell wraps to at most this many lines, then ends in "…"
DATE_WIDTH = 10  # YYYY-MM-DD
# The table's column names: Vietnamese on the first header line, English below.
HEADERS = (
    ("Mục", "Tên hoạt động", "Chủ trì", "Phối hợp", "Bắt đầu", "Kết thúc", "Hạn"),
    ("Ref", "Title", "Lead", "Support", "Start", "End", "Deadline"),
)
COMPACT_HEADERS = (
    ("Mục", "Tên hoạt động", "Chủ trì", "Phối hợp", "Thời gian"),
    ("Ref", "Title", "Lead", "Support", "Dates"),
)
WIDE_TABLE_MIN = 110  # columns; narrower terminals get the compact table


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (see the module docstring)."""
    _make_streams_safe()
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or --help already
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("\nĐã dừng / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `python -m docparse … | head`: the reader has gone
        _silence_stdout()
        return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m docparse",
        description="Đọc kế hoạch (TXT/MD, DOCX, PDF, ảnh quét, DOC) và in các hoạt động. "
        "/ Read plan documents and print their activities.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="tệp cần đọc / files to read")
    parser.add_argument(
        "--json",
        action="store_true",
        help="in JSON (một đối tượng, hoặc một mảng khi có nhiều tệp) / print JSON "
        "(one object, or an array for several files)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        help="ghi DIR/<tên>.json cho từng tệp (ngụ ý --json) / write DIR/<stem>.json per "
        "file (implies --json)",
    )
    return parser


def _run(args: argparse.Namespace) -> int:
    """Parse every file; print each table or write each JSON file as soon as it is
    ready (JSON for stdout is printed once, at the end); then list the failures."""
    if args.out is not None:
        try:
            args.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"Không tạo được thư mục / cannot create directory {args.out}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE  # a bad --out is a command-line error
    failures: list[tuple[str, str]] = []
    collected: list[dict] = []  # --json to stdout prints once, at the end
    written: set[str] = set()
    for index, file in enumerate(args.files, 1):
        try:
            plan = parse(file)
        except Exception as exc:  # ParseError and anything unexpected alike: one line
            failures.append((file, failure_reason(file, exc)))
            continue
        if args.out is not None:
            target = _unique_target(args.out, Path(file).stem, written)
            try:
                target.write_text(plan.to_json(include_text=False), encoding="utf-8")
            except OSError as exc:
                failures.append((file, f"không ghi được / cannot write {target}: {exc.strerror or exc}"))
                continue
            print(f"{file} -> {target} ({len(plan.activities)} hoạt động / activities)")
        elif args.json:
            collected.append(plan.to_dict(include_text=False))
        else:
            print(render_plan(plan, file, index, len(args.files), _terminal_width()))
    if args.json and args.out is None and collected:
        payload = collected[0] if len(args.files) == 1 else collected
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    sys.stdout.flush()
    _report_failures(failures)
    return EXIT_FAILED if failures else EXIT_OK


def failure_reason(file: str, exc: BaseException) -> str:
    """One line saying why `file` could not be read. A ParseError's message is meant for
    users already; it starts with the file name, which the caller prints, so that is cut."""
    if isinstance(exc, ParseError):
        message = str(exc)
        for prefix in (f"{file}: ", f"{Path(file).name}: "):
            if message.startswith(prefix):
                message = message[len(prefix):]
                break
    elif isinstance(exc, OSError):
        message = f"không mở được tệp / cannot open the file ({exc.strerror or exc})"
    else:
        message = f"lỗi ngoài dự kiến / unexpected error ({type(exc).__name__}: {exc})"
    return " ".join(message.split()) or type(exc).__name__


def _report_failures(failures: list[tuple[str, str]]) -> None:
    if not failures:
        return
    n = len(failures)
    lines = [f"{n} tệp lỗi / {n} file{'s' if n != 1 else ''} failed:"]
    lines += [f"{file}: {reason}" for file, reason in failures]
    print("\n".join(lines), file=sys.stderr)


def _unique_target(out: Path, stem: str, written: set[str]) -> Path:
    """DIR/<stem>.json, or DIR/<stem>-2.json … when two inputs share a stem in one batch."""
    name, n = stem, 1
    while name in written:
        n += 1
        name = f"{stem}-{n}"
    written.add(name)
    return out / f"{name}.json"


# ---------------------------------------------------------------------------------------
# The human-readable view.

def render_plan(plan: Plan, file: str, index: int, total: int, width: int) -> str:
    """The header fields and the activity table of one plan, fitted to `width` columns."""
    rule = "=" * min(width, 100)
    fields = (
        ("Số / Number", plan.number),
        ("Loại / Kind", plan.kind),
        ("Cơ quan / Issuer", plan.issuer),
        ("Ngày / Date", plan.date),
        ("Trích yếu / Title", plan.title),
    )
    label_width = max(display_width(label) for label, _ in fields)
    lines = [rule, f"[{index}/{total}] {file}", rule]
    for label, value in fields:
        text = " ".join((value or "—").split())
        wrapped = _wrap(text, max(20, width - label_width - 3), 3)
        lines.append(f"{pad(label, label_width)} : {wrapped[0]}")
        lines += [" " * (label_width + 3) + more for more in wrapped[1:]]
    lines.append(f"{len(plan.activities)} hoạt động / activities")
    if plan.activities:
        lines.append(render_activities(plan, width))
    return "\n".join(lines) + "\n"


def render_activities(plan: Plan, width: int) -> str:
    """An aligned table: ref | title | lead | support | start | end | deadline, with
    long cells wrapped (at most MAX_CELL_LINES lines each) to fit `width` columns.
    Below WIDE_TABLE_MIN columns the three dates share one column, a line each."""
    wide = width >= WIDE_TABLE_MIN
    headers = HEADERS if wide else COMPACT_HEADERS
    rows = [
        (a.ref, a.title, "; ".join(a.lead), "; ".join(a.support), *_date_cells(a, wide))
        for a in plan.activities
    ]
    widths = _column_widths(rows, width, wide)
    out = [_format_row([_truncate(h, w) for h, w in zip(names, widths)], widths) for names in headers]
    out.append("-+-".join("-" * w for w in widths))
    for row in rows:
        cells = [_wrap(c, w, MAX_CELL_LINES) for c, w in zip(row, widths)]
        for i in range(max(len(c) for c in cells)):
            out.append(_format_row([c[i] if i < len(c) else "" for c in cells], widths))
    return "\n".join(out)


def _date_cells(activity: Activity, wide: bool) -> tuple[str, ...]:
    """Start, end and deadline as three cells, or as one cell of labelled lines
    ("từ" from, "đến" to, "hạn" deadline)."""
    if wide:
        return activity.start or "", activity.end or "", activity.deadline or ""
    lines = [f"{word} {value}" for word, value in
             (("từ", activity.start), ("đến", activity.end), ("hạn", activity.deadline)) if value]
    return ("\n".join(lines),)


def _column_widths(rows: list[tuple[str, ...]], width: int, wide: bool) -> list[int]:
    """Ref as wide as its longest value (within reason), dates fixed, and what is left of
    `width` shared by title (half), lead and support (a quarter each)."""
    ref = min(16 if wide else 10, max([5] + [display_width(r[0]) for r in rows]))
    dates = [DATE_WIDTH] * 3 if wide else [len("hạn YYYY-MM-DD")]
    separators = 3 * (3 + len(dates))
    free = max(24, width - ref - sum(dates) - separators)
    title = free // 2
    lead = (free - title) // 2
    return [ref, title, lead, free - title - lead, *dates]


def _format_row(cells: list[str], widths: list[int]) -> str:
    return " | ".join(pad(c, w) for c, w in zip(cells, widths)).rstrip()


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """`text` (its own line breaks kept, other spacing collapsed) wrapped to `width`
    columns, at most `max_lines` lines, the last ending in "…" when something was cut.
    Always at least one (possibly empty) line."""
    lines = []
    for part in text.split("\n"):
        lines += textwrap.wrap(" ".join(part.split()), width=width, break_on_hyphens=False) or [""]
    lines = [_truncate(line, width) for line in lines]  # wide characters may still overflow
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _truncate(lines[-1] + " …", width)
    return lines


def _truncate(text: str, width: int) -> str:
    """`text` cut to `width` display columns, ending in "…" if it was cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = _char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` display columns."""
    return text + " " * max(0, width - display_width(text))


def display_width(text: str) -> int:
    """Columns a terminal uses for `text`: combining marks take none, East Asian wide
    characters two (NFC Vietnamese is one column per letter)."""
    return sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    if ch.isascii():
        return 1
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _terminal_width() -> int:
    """The terminal's width ($COLUMNS first), never under 60; 120 when not a terminal."""
    return max(60, shutil.get_terminal_size((120, 24)).columns)


# ---------------------------------------------------------------------------------------
# Streams.

def _make_streams_safe() -> None:
    """A console that cannot show Vietnamese (a cp1252 Windows console, LANG=C) gets "?"
    instead of a UnicodeEncodeError traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at devnull so the interpreter's final flush
    does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
