"""Writing the audit trail. Call `audit_record` inside the same transaction as the
change it describes, so that a rolled-back change leaves no event behind."""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from planwatch.lib.statements import insert_new

from .models import AuditEvent


def _plain(value: Any) -> Any:
    """JSON-safe copy of a before/after value (dates as ISO text, models as their pk)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def audit_record(
    *,
    actor=None,
    actor_label: str = "",
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
    unit=None,
    province=None,
) -> AuditEvent:
    """Record one change of `obj` (any model row). `actor` is the user, or None for a
    token link or a scheduled job, in which case `actor_label` says who it was.
    `unit` and `province` are rows or their ids."""
    event = audit_event(actor=actor, actor_label=actor_label, action=action, obj=obj, before=before, after=after,
                        unit=unit, province=province)
    insert_new(event)
    return event


def audit_event(*, actor=None, actor_label: str = "", action: str, obj, before: dict | None = None,
                after: dict | None = None, unit=None, province=None) -> AuditEvent:
    """The event audit_record writes, not yet written: for a caller that writes it in
    the same statement as `obj` itself (object_id is empty while obj has no id)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor_label or actor.get_username()
    else:
        actor, label = None, actor_label
    return AuditEvent(
        actor=actor,
        actor_label=label[:300],
        action=action,
        object_type=obj._meta.model_name,
        object_id="" if obj.pk is None else str(obj.pk),
        unit_id=getattr(unit, "pk", unit),
        province_id=getattr(province, "pk", province),
        before=_plain(before or {}),
        after=_plain(after or {}),
    )


def audit_changes(old: dict, new: dict) -> tuple[dict, dict]:
    """The before/after pair limited to the keys whose value changed."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}
