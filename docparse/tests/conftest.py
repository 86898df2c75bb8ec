"""Shared fixtures for docparse tests: where the seeds, gold and corpus live, and the
project scorer. The seeds and corpus stay in ../shared and are read from there."""
from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("PLANWATCH_SHARED", ROOT.parent / "shared")).resolve()
SEEDS = SHARED / "seeds"
GOLD = SEEDS / "gold"
CORPUS = SHARED / "corpus" / "plans"


def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def seed(prefix: str) -> Path:
    """seed("000") -> the path of seed 000."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def gold(stem: str) -> dict:
    return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))


def load_scorer():
    spec = importlib.util.spec_from_file_location("score_plans", SHARED / "tools" / "score_plans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score_plans(plans: dict[str, "object"], out_dir: Path) -> dict:
    """Write {stem: Plan} as JSON into out_dir and score them against the seed gold.
    Stems missing from `plans` count as empty predictions, so pass all five."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem, plan in plans.items():
        (out_dir / f"{stem}.json").write_text(plan.to_json(include_text=False), encoding="utf-8")
    return load_scorer().score(GOLD, out_dir)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"shared materials not found at {SHARED}; set PLANWATCH_SHARED")
    return SHARED
