"""Repository-wide pytest settings.

A run that executes no test must fail (CI treats "0 tests" as a broken suite), and
pytest only does that when nothing was collected: a run where everything is skipped or
deselected would exit 0. The hook below turns that into a failure too.
"""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("PLANWATCH_SHARED", ROOT.parent / "shared")).resolve()


def pytest_sessionfinish(session, exitstatus):
    if exitstatus != 0 or getattr(session.config, "workerinput", None) is not None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    passed = len(reporter.stats.get("passed", [])) if reporter else 0
    if passed == 0:
        session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED


pytest_plugins = ["planwatch.testing"]
