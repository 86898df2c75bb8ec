"""The test command itself: a run that executes no test must fail (CI would otherwise
count an empty suite as a pass)."""
import subprocess
import sys
import uuid

from .conftest import ROOT


def _pytest(*args):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def test_run_with_no_selected_test_fails():
    r = _pytest("docparse/tests/test_units.py", "-k", "no_test_has_this_name")
    assert r.returncode != 0, r.stdout


def test_run_where_everything_is_skipped_fails():
    path = ROOT / "docparse" / "tests" / f"test_tmp_skipped_{uuid.uuid4().hex}.py"
    path.write_text("import pytest\n\n@pytest.mark.skip(reason='x')\ndef test_a():\n    pass\n")
    try:
        r = _pytest(str(path.relative_to(ROOT)))
    finally:
        path.unlink()
    assert r.returncode != 0, r.stdout


def test_a_passing_run_passes():
    r = _pytest("docparse/tests/test_units.py", "-k", "test_is_group")
    assert r.returncode == 0, r.stdout + r.stderr
