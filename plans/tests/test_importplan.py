"""manage.py importplan: a batch of real files, a bad one among them, the exit code."""
from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from plans.models import Plan, PlanImport
from plans.tests.test_services_common import directory, small_plan_bytes  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("importplan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_batch_imports_good_files_and_lists_bad_ones(tmp_path, directory, province, officer):
    good = tmp_path / "ke-hoach-12.txt"
    good.write_bytes(small_plan_bytes())
    other = tmp_path / "ke-hoach-13.txt"
    other.write_bytes(small_plan_bytes(number="13/KH-STTTT", extra=" Khác."))
    broken = tmp_path / "hong.docx"
    broken.write_bytes(os.urandom(4000))
    missing = tmp_path / "khong-co.txt"

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 tệp không nhập được") as exc:
        call_command("importplan", str(broken), str(good), str(missing), str(other),
                     "--province", province.code, "--user", officer.username, stdout=out, stderr=err)
    assert exc.value.returncode == 1
    assert sorted(Plan.objects.values_list("number", flat=True)) == ["12/KH-STTTT", "13/KH-STTTT"]
    assert set(Plan.objects.values_list("created_by", flat=True)) == {officer.pk}
    assert "ke-hoach-12.txt: kế hoạch" in out.getvalue() and "3 hoạt động" in out.getvalue()
    lines = err.getvalue()
    assert "Không nhập được 2/4 tệp" in lines
    assert f"{broken}: " in lines and "hỏng" in lines
    assert f"{missing}: không đọc được tệp" in lines

    # the same file again is not imported twice
    out, _ = run(str(good), "--province", province.code)
    assert "đã có" in out and Plan.objects.count() == 2


def test_no_confirm_leaves_imports_for_review(tmp_path, directory, province):
    path = tmp_path / "kh.txt"
    path.write_bytes(small_plan_bytes())
    out, _ = run(str(path), "--province", province.code, "--no-confirm")
    imp = PlanImport.objects.get()
    assert imp.status == PlanImport.Status.PARSED and not Plan.objects.exists()
    assert "chờ rà soát" in out and "1 đơn vị chưa xác định" in out


def test_unknown_province_or_user_is_an_error(tmp_path, province):
    path = tmp_path / "kh.txt"
    path.write_bytes(small_plan_bytes())
    with pytest.raises(CommandError, match="Không có tỉnh"):
        run(str(path), "--province", "khong-co")
    with pytest.raises(CommandError, match="Không có người dùng"):
        run(str(path), "--province", province.code, "--user", "ai-do")


def test_exit_status_from_the_shell(tmp_path):
    """manage.py exits non-zero when a file fails (argument errors need no database)."""
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"not a zip")
    result = subprocess.run(
        [sys.executable, "manage.py", "importplan", str(bad)], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "PLANWATCH_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode != 0 and "--province" in result.stderr
