"""`python -m docparse`: the table, the JSON the scorer reads, and batches that go on
past bad files with one reason line each and never a traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from docparse import __main__ as cli
from docparse.errors import ParseError

from .conftest import GOLD, ROOT, gold, load_scorer, seed, seed_paths

SCHEMA_KEYS = {"number", "issuer", "date", "title", "activities"}
ACTIVITY_KEYS = {"ref", "title", "lead", "support", "start", "end", "deadline"}


def run(*args: str | os.PathLike, columns: int = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS=str(columns), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "docparse", *map(str, args)],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300,
    )


def assert_no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stdout and "Traceback" not in proc.stderr


def test_table_for_a_good_seed():
    path = seed("000")
    proc = run(path)
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    out = proc.stdout
    assert "Số / Number" in out and gold(path.stem)["number"] in out
    assert "Ngày / Date" in out and "2023-08-16" in out
    for column in ("Mục", "Chủ trì", "Phối hợp", "Ref", "Lead", "Support", "Deadline"):
        assert column in out
    assert any(a["ref"] in out for a in gold(path.stem)["activities"])
    assert proc.stderr == ""


@pytest.mark.parametrize("columns", [60, 80, 200])
def test_table_fits_the_terminal(columns):
    proc = run(*seed_paths(), columns=columns)
    assert proc.returncode == 0, proc.stderr
    assert max(cli.display_width(line) for line in proc.stdout.splitlines()) <= columns


def test_json_to_stdout():
    one = run("--json", seed("002"))
    assert one.returncode == 0, one.stderr
    plan = json.loads(one.stdout)
    assert SCHEMA_KEYS <= plan.keys() and "text" not in plan

    two = run("--json", seed("002"), seed("003"))
    plans = json.loads(two.stdout)
    assert isinstance(plans, list) and len(plans) == 2


def test_json_files_for_the_scorer(tmp_path):
    out = tmp_path / "out" / "nested"  # created on demand
    proc = run("--json", "--out", out, *seed_paths())
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    written = sorted(out.glob("*.json"))
    assert [p.stem for p in written] == [p.stem for p in seed_paths()]
    for path in written:
        plan = json.loads(path.read_text(encoding="utf-8"))
        assert SCHEMA_KEYS <= plan.keys() and "text" not in plan
        assert all(ACTIVITY_KEYS <= a.keys() for a in plan["activities"])
    # the project scorer reads the directory as it is
    result = load_scorer().score(GOLD, out)
    assert isinstance(result, dict)


def test_batch_goes_on_past_bad_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    garbage = tmp_path / "random.docx"
    garbage.write_bytes(os.urandom(4096))
    missing = tmp_path / "missing.txt"
    good = seed("001")
    out = tmp_path / "json"

    proc = run("--json", "--out", out, empty, garbage, missing, good, tmp_path)
    assert proc.returncode == 1
    assert_no_traceback(proc)
    assert (out / f"{good.stem}.json").is_file()
    assert not (out / "empty.json").exists()

    lines = proc.stderr.strip().splitlines()
    assert lines[0] == "4 tệp lỗi / 4 files failed:"
    failed = [str(p) for p in (empty, garbage, missing, tmp_path)]
    assert len(lines) == 1 + len(failed)
    for path, line in zip(failed, lines[1:]):
        assert line.startswith(f"{path}: ") and len(line) > len(path) + 3
    assert "rỗng" in lines[1]  # the reader's own message, without the repeated name
    assert lines[1].count(empty.name) == 1


def test_usage_errors_exit_2():
    assert run().returncode == 2
    proc = run("--bogus", seed("000"))
    assert proc.returncode == 2
    assert_no_traceback(proc)


def test_unexpected_error_is_reported_not_raised(monkeypatch, capsys, tmp_path):
    """A bug in a parser stage becomes a failure line, in-process too."""
    def broken(path):
        raise KeyError("boom")

    monkeypatch.setattr(cli, "parse", broken)
    status = cli.main([str(seed("000")), str(tmp_path / "x.txt")])
    captured = capsys.readouterr()
    assert status == 1
    assert "2 tệp lỗi / 2 files failed:" in captured.err
    assert "lỗi ngoài dự kiến / unexpected error (KeyError: 'boom')" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_failure_reason_strips_the_repeated_name():
    exc = ParseError("plan.pdf: tệp PDF bị hỏng (corrupt PDF)")
    assert cli.failure_reason("/tmp/plan.pdf", exc) == "tệp PDF bị hỏng (corrupt PDF)"
    assert cli.failure_reason("x", OSError(2, "No such file")).endswith("(No such file)")
