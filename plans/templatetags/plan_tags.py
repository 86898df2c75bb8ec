"""Filters of the plans templates, mostly for the review JSON, whose dates are ISO
strings and whose statuses are bare codes."""
from __future__ import annotations

import datetime as dt

from django import template
from django.core.exceptions import FieldDoesNotExist

from plans.models import Activity, Mention

register = template.Library()


@register.filter
def isodate(value):
    """"2023-08-16" → a date, for |date:"d/m/Y"; anything else → None."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@register.filter
def mention_status(code: str) -> str:
    return Mention.Status(code).label if code in Mention.Status.values else code


@register.filter
def mention_role(code: str) -> str:
    return Mention.Role(code).label if code in Mention.Role.values else code


@register.filter
def activity_field(name: str) -> str:
    """The Vietnamese label of an Activity field, for the list of changes."""
    try:
        return Activity._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


@register.filter
def diff_value(value) -> str:
    """A value of plan_diff: names joined, ISO dates as dd/mm/yyyy, nothing as "—"."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    day = isodate(value) if isinstance(value, str) and len(value) == 10 else None
    return day.strftime("%d/%m/%Y") if day else str(value)
