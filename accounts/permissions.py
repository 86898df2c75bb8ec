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


def visible_plans(user) -> QuerySet:
    from plans.models import Plan

    qs = Plan.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("officer", "leader"):
        return qs.filter(province_id=user.province_id) if user.province_id else qs.none()
    return qs.filter(activities__assignments__unit__in=user.units.all()).distinct()


def visible_activities(user) -> QuerySet:
    from plans.models import Activity

    qs = Activity.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("officer", "leader"):
        return qs.filter(plan__province_id=user.province_id) if user.province_id else qs.none()
    return qs.filter(assignments__unit__in=user.units.all()).distinct()


def visible_assignments(user) -> QuerySet:
    from plans.models import Assignment

    qs = Assignment.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("officer", "leader"):
        return qs.filter(activity__plan__province_id=user.province_id) if user.province_id else qs.none()
    return qs.filter(unit__in=user.units.all())


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

    qs = ReportRequest.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("officer", "leader"):
        return qs.filter(province_id=user.province_id) if user.province_id else qs.none()
    return qs.filter(targets__unit__in=user.units.all()).distinct()


def visible_submissions(user) -> QuerySet:
    """Submissions: officers and leaders see their province's; a reporter only their units'."""
    from reporting.models import Submission

    qs = Submission.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("officer", "leader"):
        return qs.filter(request__province_id=user.province_id) if user.province_id else qs.none()
    return qs.filter(unit__in=user.units.all())


def visible_audit_events(user) -> QuerySet:
    """The audit trail: officers and leaders see their province's; a reporter sees the
    events about their own units."""
    from audit.models import AuditEvent

    qs = AuditEvent.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("officer", "leader"):
        return qs.filter(province_id=user.province_id) if user.province_id else qs.none()
    return qs.filter(unit__in=user.units.all())


def can_report_for(user, unit_id: int) -> bool:
    """Change an assignment's status, evidence and notes, or a submission, of `unit_id`:
    the unit's own reporters (officers act through review, not by reporting)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.role == "reporter" and user.units.filter(pk=unit_id).exists()
