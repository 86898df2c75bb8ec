"""Directory pages: the unit list with search, a unit's page with its assignments, and
the officers' import and export pages. Every query goes through accounts.permissions."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import visible_assignments, visible_units
from plans.models import Assignment

from .models import Province, Unit, valid_on_q
from .services import ImportReport, RowError, directory_export, directory_import, import_max_bytes, units_search

PAGE_SIZE = 50


def _directory_scope(user, province_id: str | None = None) -> tuple[bool, Province | None]:
    """(may import/export, province): an officer works on their own province; a
    superuser on the province they pick, or on the whole directory."""
    if not user.is_authenticated:
        return False, None
    if user.is_superuser:
        if province_id and province_id.isdigit():
            return True, Province.objects.filter(pk=int(province_id)).first()
        return True, None
    if user.province_id and user.can_edit_province(user.province_id):
        return True, user.province
    return False, None


@require_GET
@login_required
def unit_list(request):
    """Units the user may see, searched without diacritics (`?q=dak nong`), by kind."""
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    current = request.GET.get("current") == "1"
    units = visible_units(request.user).select_related("province")
    if q:
        units = units_search(units, q)
    if kind in Unit.Kind.values:
        units = units.filter(kind=kind)
    if current:
        units = units.filter(valid_on_q(timezone.localdate()))
    page = Paginator(units.order_by("province__name", "name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    can_edit, _province = _directory_scope(request.user)
    return render(request, "directory/unit_list.html", {
        "page": page, "q": q, "kind": kind, "current": current, "kinds": Unit.Kind.choices, "can_edit": can_edit,
        "today": timezone.localdate(),
    })


@require_GET
@login_required
def unit_detail(request, pk: int):
    """A unit's details and its assignments across all plans, overdue first, then by due date."""
    visible = visible_units(request.user)
    unit = get_object_or_404(visible.select_related("province", "parent"), pk=pk)
    today = timezone.localdate()
    # overdue as Assignment.is_overdue() has it, computed in the query so it can sort
    closed = [Assignment.Status.DONE, Assignment.Status.NOT_DONE]
    assignments = (
        visible_assignments(request.user)
        .filter(unit=unit)
        .select_related("activity__plan")
        .annotate(due_on=Coalesce("due", "end"))
        .annotate(overdue=Case(
            When(Q(due_on__lt=today) & ~Q(status__in=closed), then=Value(0)),
            default=Value(1), output_field=IntegerField(),
        ))
        .order_by("overdue", F("due_on").asc(nulls_last=True), "activity__plan_id", "activity__position", "pk")
    )
    page = Paginator(assignments, 100).get_page(request.GET.get("page"))
    successions = list(unit.successions.select_related("successor__province").order_by("effective", "pk"))
    inherited = list(unit.inherited.select_related("predecessor__province").order_by("effective", "pk"))
    related = {unit.parent_id} | {s.successor_id for s in successions} | {s.predecessor_id for s in inherited}
    # names of related units are shown to everyone who sees this unit; links only
    # where the user may open the other unit's page
    visible_ids = set(visible.filter(pk__in=related - {None}).values_list("pk", flat=True))
    return render(request, "directory/unit_detail.html", {
        "unit": unit,
        "aliases": unit.aliases.order_by("text"),
        "websites": unit.websites.all(),
        "successions": successions,
        "inherited": inherited,
        "children": visible.filter(parent=unit).order_by("name"),
        "groups": unit.groups.order_by("name"),
        "page": page,
        "today": today,
        "visible_ids": visible_ids,
    })


@require_http_methods(["GET", "POST"])
@login_required
def unit_import(request):
    """Officers upload a CSV/XLSX of units; nothing is written if any row is bad."""
    allowed, province = _directory_scope(request.user, request.POST.get("province") or request.GET.get("province"))
    if not allowed:
        raise PermissionDenied
    report: ImportReport | None = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            report = ImportReport(errors=[RowError(None, _("Chưa chọn tệp."))])
        elif upload.size > import_max_bytes():
            report = ImportReport(errors=[RowError(None, _("Tệp quá lớn (tối đa %(max)s MB).") % {
                "max": round(import_max_bytes() / 2**20, 1)})])
        else:
            report = directory_import(data=upload.read(), filename=upload.name, province=province)
        if report.ok:
            messages.success(request, _("Đã nhập %(rows)s dòng: %(created)s đơn vị mới, %(updated)s đơn vị cập nhật, "
                                        "%(unchanged)s không đổi.") % {
                "rows": report.rows, "created": report.created, "updated": report.updated,
                "unchanged": report.unchanged})
            return redirect("directory:unit_list")
    return render(request, "directory/import.html", {
        "report": report,
        "province": province,
        "provinces": Province.objects.all() if request.user.is_superuser else None,
        "max_mb": round(import_max_bytes() / 2**20, 1), "kinds": Unit.Kind.choices,
    }, status=400 if report is not None else 200)


@require_GET
@login_required
def unit_export(request):
    """Officers download their province's units as CSV or XLSX (`?fmt=csv|xlsx`)."""
    allowed, province = _directory_scope(request.user, request.GET.get("province"))
    if not allowed:
        raise PermissionDenied
    fmt = request.GET.get("fmt")
    if fmt in ("csv", "xlsx"):
        data = directory_export(fmt=fmt, province=province)
        content_type = "text/csv; charset=utf-8" if fmt == "csv" else (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = f"danh-ba-don-vi-{province.code if province else 'tat-ca'}-{timezone.localdate():%Y%m%d}.{fmt}"
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "directory/export.html", {
        "province": province, "provinces": Province.objects.all() if request.user.is_superuser else None,
        "bad_format": fmt is not None,
    }, status=400 if fmt is not None else 200)
