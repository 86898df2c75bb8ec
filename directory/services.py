"""Directory services: resolving unit mentions, CSV/XLSX import and export, demo data."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .models import Province, Unit, UnitGroup


@dataclass
class Resolution:
    """What a unit mention refers to.

    status: "unit" (one unit), "group" (a collective phrase), "ambiguous" (several
    candidates, none chosen), or "unknown". Ambiguous and unknown mentions are never
    mapped to a unit silently."""

    mention: str
    status: str
    unit: Unit | None = None
    group: UnitGroup | None = None
    candidates: list[Unit] = field(default_factory=list)
    method: str = ""  # "alias", "abbreviation", "fuzzy"
    score: float = 0.0


def unit_resolve(*, mention: str, on: dt.date | None = None, province: Province | None = None) -> Resolution:
    raise NotImplementedError  # implemented by the directory work
