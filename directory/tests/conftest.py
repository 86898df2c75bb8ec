"""Fixtures of the directory tests: the demo directory and the shared seed documents."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("PLANWATCH_SHARED", ROOT.parent / "shared")).resolve()
SEEDS = SHARED / "seeds"
# The province each seed plan belongs to (its issuer), by file stem prefix.
SEED_PROVINCE = {"000": "dak-nong", "001": "dak-nong", "002": "dak-nong", "003": "dak-lak", "004": "kon-tum"}


@pytest.fixture(scope="module")
def demo_directory(django_db_setup, django_db_blocker):
    """The demo directory, loaded once for a test module (loading takes a second or
    two) and removed after it, so that no other module sees it. Tests change it only
    inside their own transaction, which is rolled back."""
    from directory.services import directory_load_demo

    with django_db_blocker.unblock():
        counts = directory_load_demo()
    yield counts
    with django_db_blocker.unblock():
        _remove_demo()


def _remove_demo():
    from directory.models import Province, Succession, Unit, UnitGroup

    Succession.objects.filter(is_demo=True).delete()
    UnitGroup.objects.filter(is_demo=True).delete()
    Unit.objects.filter(is_demo=True).update(parent=None)
    Unit.objects.filter(is_demo=True).delete()
    Province.objects.filter(is_demo=True).update(successor=None)
    Province.objects.filter(is_demo=True).delete()


@pytest.fixture
def demo(demo_directory, db):
    """The demo directory in a test with database access."""
    return demo_directory


@pytest.fixture
def gold():
    """[(stem, gold reading)] of the five seed plans."""
    files = sorted((SEEDS / "gold").glob("*.json"))
    if not files:
        pytest.fail(f"no gold files in {SEEDS / 'gold'} (set PLANWATCH_SHARED)")
    return [(f.stem, json.loads(f.read_text(encoding="utf-8"))) for f in files]
