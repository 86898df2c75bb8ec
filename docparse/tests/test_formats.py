"""The seeds rebuilt as Word documents by the project's own builders still score on
the gold: one with Word's automatic numbering, one with the activities as a table."""
import json

import pytest

from docparse import parse

from .builders import build_numbered_docx, build_table_docx
from .conftest import GOLD, seed_paths, score_plans


@pytest.fixture(scope="session")
def docx_variants(tmp_path_factory, shared_dir):
    root = tmp_path_factory.mktemp("docx")
    out = {"numbered": {}, "table": {}}
    for path in seed_paths():
        gold = json.loads((GOLD / f"{path.stem}.json").read_text(encoding="utf-8"))
        out["numbered"][path.stem] = build_numbered_docx(path, root / f"{path.stem}-numbered.docx")
        out["table"][path.stem] = build_table_docx(path, gold, root / f"{path.stem}-table.docx")
    return out


@pytest.mark.parametrize("variant", ["numbered", "table"])
def test_docx_variant_scores(docx_variants, variant, tmp_path):
    plans = {stem: parse(path) for stem, path in docx_variants[variant].items()}
    result = score_plans(plans, tmp_path)
    assert result["activities"]["f1"] >= 0.97, result
    assert result["overall_f1"] >= 0.97, result
    assert all(p.source["format"] == "docx" for p in plans.values())


def test_numbered_docx_refs_come_from_word_numbering(docx_variants):
    plan = parse(docx_variants["numbered"]["000_29852cda548e02be"])
    refs = [a.ref for a in plan.activities]
    assert refs[:3] == ["III.1.1", "III.1.2", "III.1.3"] and "III.2.10" in refs


def test_table_docx_refs_are_appendix_rows(docx_variants):
    plan = parse(docx_variants["table"]["000_29852cda548e02be"])
    assert all(a.ref.startswith("PL.") for a in plan.activities)
    assert plan.issuer == "Ủy ban nhân dân tỉnh Đắk Nông"  # from "529/KH-UBND" and the place
