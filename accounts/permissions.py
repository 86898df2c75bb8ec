"""Who may see and change what. Every view and API endpoint filters through these,
so that nothing leaks across provinces or units.

- superuser: everything;
- officer: reads and edits everything in their province;
- leader: reads everything in their province;
- reporter: reads the plans and activities in which one of their units has an
  assignment, and the pages of their own units only;
- anyone else (no role scope): nothing.
"""
from __future__ import annotations

from django.db.models import QuerySet


def _scoped(user, qs: QuerySet, *, province: str, unit: str, distinct: bool = False) -> QuerySet:
    """`qs` as `user` may see it: all for superusers; for officers and leaders the rows
    whose `province` lookup is their province; for reporters the rows whose `unit`
    lookup is one of their units (made distinct when that lookup crosses a to-many
    relation); nothing for anyone else."""
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("officer", "leader"):
        return qs.filter(**{province: user.province_id}) if user.province_id else qs.none()
    qs = qs.filter(**{f"{unit}__in": user.units.all()})
    return qs.distinct() if distinct else qs


def visible_plans(user) -> QuerySet:
    from plans.models import Plan

    return _scoped(user, Plan.objects.all(), province="province_id", unit="activities__assignments__unit",
                   distinct=True)


def visible_activities(user) -> QuerySet:
    from plans.models import Activity

    return _scoped(user, Activity.objects.all(), province="plan__province_id", unit="assignments__unit", distinct=True)


def visible_assignments(user) -> QuerySet:
    from plans.models import Assignment

    return _scoped(user, Assignment.objects.all(), province="activity__plan__province_id", unit="unit")


def visible_units(user) -> QuerySet:
    """Units whose page the user may open. Officers and leaders see their province's
    directory (and units with no province, such as central press agencies)."""
    from django.db.models import Q

    from directory.models import Unit

    qs = Unit.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("officer", "leader"):
        if not user.province_id:
            return qs.none()
        return qs.filter(Q(province_id=user.province_id) | Q(province__isnull=True))
    return qs.filter(pk__in=user.units.values("pk"))


def can_edit_plans(user, province_id: int | None) -> bool:
    """Import, review, confirm and correct plans of `province_id`."""
    return user.is_authenticated and user.can_edit_province(province_id)


def visible_requests(user) -> QuerySet:
    """Report requests: officers and leaders see their province's; a reporter sees the
    requests addressed to one of their units."""
    from reporting.models import ReportRequest

    return _scoped(user, ReportRequest.objects.all(), province="province_id", unit="targets__unit", distinct=True)


def visible_submissions(user) -> QuerySet:
    """Submissions: officers and leaders see their province's; a reporter only their units'."""
    from reporting.models import Submission

    return _scoped(user, Submission.objects.all(), province="request__province_id", unit="unit")


def visible_audit_events(user) -> QuerySet:
    """The audit trail: officers and leaders see their province's; a reporter sees the
    events about their own units."""
    from audit.models import AuditEvent

    return _scoped(user, AuditEvent.objects.all(), province="province_id", unit="unit")


def can_report_for(user, unit_id: int) -> bool:
    """Change an assignment's status, evidence and notes, or a submission, of `unit_id`:
    the unit's own reporters (officers act through review, not by reporting)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.role == "reporter" and user.units.filter(pk=unit_id).exists()
