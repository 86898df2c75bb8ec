"""Read-only REST API of the directory, mounted at /api/units/: the units the caller may
see (accounts.permissions.visible_units), searchable like the unit list."""
from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from accounts.api_auth import api_auth
from accounts.permissions import visible_units

from .models import Unit
from .services import units_search

router = Router(auth=api_auth, tags=["units"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    province_id: int | None
    province: str | None
    parent_id: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    is_demo: bool

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_province(obj: Unit) -> str | None:
        return obj.province.name if obj.province else None


class WebsiteOut(Schema):
    url: str
    kind: str
    is_demo: bool


class SuccessionOut(Schema):
    unit_id: int | None
    unit: str | None
    kind: str
    effective: dt.date
    note: str


class UnitDetailOut(UnitOut):
    email: str
    aliases: list[str]
    websites: list[WebsiteOut]
    successors: list[SuccessionOut]
    predecessors: list[SuccessionOut]

    @staticmethod
    def resolve_aliases(obj: Unit) -> list[str]:
        return sorted(a.text for a in obj.aliases.all())

    @staticmethod
    def resolve_websites(obj: Unit) -> list[dict]:
        return [{"url": w.url, "kind": w.kind, "is_demo": w.is_demo} for w in obj.websites.all()]

    @staticmethod
    def resolve_successors(obj: Unit) -> list[dict]:
        return [
            {"unit_id": s.successor_id, "unit": s.successor.name if s.successor else None, "kind": s.kind,
             "effective": s.effective, "note": s.note}
            for s in obj.successions.select_related("successor")
        ]

    @staticmethod
    def resolve_predecessors(obj: Unit) -> list[dict]:
        return [
            {"unit_id": s.predecessor_id, "unit": s.predecessor.name, "kind": s.kind, "effective": s.effective,
             "note": s.note}
            for s in obj.inherited.select_related("predecessor")
        ]


@router.get("/", response=list[UnitOut])
@paginate(LimitOffsetPagination)
def unit_list(request, q: str = "", kind: str = ""):
    """Units the caller may see; `q` matches names without diacritics, `kind` filters."""
    units = visible_units(request.user).select_related("province")
    if q.strip():
        units = units_search(units, q.strip()[:200])
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("province__name", "name", "pk")


@router.get("/{int:pk}", response=UnitDetailOut)
def unit_detail(request, pk: int):
    """One unit with aliases, websites and successions; 404 if the caller may not see it."""
    return get_object_or_404(
        visible_units(request.user).select_related("province").prefetch_related("aliases", "websites"), pk=pk
    )
