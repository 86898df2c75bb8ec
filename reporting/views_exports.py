"""Export screens: the exports of a request (and the form that starts one), an export's
status page, its download, and the draft of a reminder letter.

Officers of the province start exports; officers and leaders of the province see and
download them. Anyone else gets a 404, so that nobody learns what exists elsewhere; a
leader who tries to start one gets a 403. The files are built by the queue job
(reporting.exports.export_build); the status page polls with htmx and, without
JavaScript, refreshes itself.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import can_edit_plans, visible_plans, visible_requests

from .exports import export_request
from .forms_exports import ExportForm, ReminderForm
from .models import Export, ReportRequest

RECENT_EXPORTS = 20
POLL_SECONDS = 3


def _letter_initial(user, province, plan) -> dict:
    unit = user.units.order_by("name").first()
    return {
        "issuer": unit.name if unit else "",
        "place": plan.place or (province.name if province else ""),
        "signer_position": _("GIÁM ĐỐC"),
    }


def _request_for(user, pk: int, *, edit: bool) -> ReportRequest:
    """The request when the user reads (officer or leader) or, with `edit`, exports it
    (officer) in its province. A leader asking to edit gets 403; anyone else 404."""
    req = get_object_or_404(visible_requests(user).select_related("province", "plan"), pk=pk)
    if edit and can_edit_plans(user, req.province_id):
        return req
    if not edit and user.can_read_province(req.province_id):
        return req
    if user.can_read_province(req.province_id):
        raise PermissionDenied
    raise Http404


def _export_for(user, pk: int) -> Export:
    export = get_object_or_404(Export.objects.select_related("request", "plan"), pk=pk)
    province_id = export.request.province_id if export.request_id else export.plan.province_id
    if not user.can_read_province(province_id):
        raise Http404
    return export


def _list_page(request, req: ReportRequest, form: ExportForm | None, status: int = 200):
    can_edit = can_edit_plans(request.user, req.province_id)
    if can_edit and form is None:
        form = ExportForm(initial=_letter_initial(request.user, req.province, req.plan))
    return render(request, "reporting/exports/list.html", {
        "req": req,
        "form": form if can_edit else None,
        "exports": req.exports.select_related("created_by")[:RECENT_EXPORTS],
    }, status=status)


@login_required
@require_GET
def export_list(request, pk: int):
    """The exports of a request, newest first, and (for officers) the form to start one."""
    return _list_page(request, _request_for(request.user, pk, edit=False), None)


@login_required
@require_POST
def export_create(request, pk: int):
    req = _request_for(request.user, pk, edit=True)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _list_page(request, req, form, status=400)
    export = export_request(kind=form.cleaned_data["kind"], request=req, user=request.user, params=form.params())
    return redirect("reporting:export_detail", export.pk)


@login_required
@require_GET
def export_detail(request, pk: int):
    export = _export_for(request.user, pk)
    pending = export.status in (Export.Status.QUEUED, Export.Status.RUNNING)
    context = {"export": export, "pending": pending, "poll_seconds": POLL_SECONDS}
    if request.htmx:
        return render(request, "reporting/exports/_status.html", context)
    return render(request, "reporting/exports/detail.html", context)


@login_required
@require_GET
def export_download(request, pk: int):
    export = _export_for(request.user, pk)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=export.filename or export.file.name.rsplit("/", 1)[-1])


@login_required
@require_http_methods(["GET", "POST"])
def reminder_draft(request, pk: int):
    """The form of a reminder letter for plan `pk`; ?request=<id> preselects a request."""
    plan = get_object_or_404(visible_plans(request.user).select_related("province"), pk=pk)
    if not can_edit_plans(request.user, plan.province_id):
        if request.user.can_read_province(plan.province_id):
            raise PermissionDenied
        raise Http404
    if request.method == "POST":
        form = ReminderForm(request.POST, plan=plan)
        if form.is_valid():
            d = form.cleaned_data
            export = export_request(
                kind=Export.Kind.REMINDER, user=request.user, params=form.params(),
                request=d["request"] if d["source"] == "request" else None,
                plan=plan if d["source"] == "activity" else None,
            )
            return redirect("reporting:export_detail", export.pk)
        status = 400
    else:
        initial = {**_letter_initial(request.user, plan.province, plan), "recipients": _("Như trên\nLưu: VT")}
        chosen = request.GET.get("request", "")
        if chosen.isdigit() and plan.report_requests.filter(pk=chosen).exists():
            initial["request"] = int(chosen)
        form, status = ReminderForm(initial=initial, plan=plan), 200
    return render(request, "reporting/exports/reminder_form.html", {"plan": plan, "form": form}, status=status)
