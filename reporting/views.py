"""Report request screens: the officer builds a request, opens it, follows the answers
and reviews them; a reporter answers for their units; a unit without an account answers
through its token link; anyone with the short link lands on the request's public page.

Objects come through accounts.permissions: out of scope is a 404, a forbidden change 403.
"""
from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import can_edit_plans, visible_plans, visible_requests, visible_submissions
from planwatch.lib.qr import qr_png, qr_svg

from . import services
from .forms import AnswerForm, MetricFormSet, RequestForm, ReviewForm, answer_from_post
from .models import ReportRequest, Submission, SubmissionFile, Target


def short_url(req: ReportRequest) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("report_short", args=[req.slug])


def token_url(target: Target) -> str | None:
    token = target.token
    return settings.SITE_URL.rstrip("/") + reverse("report_token", args=[token]) if token else None


def _request_for(request, pk, *, edit: bool = False) -> ReportRequest:
    req = get_object_or_404(visible_requests(request.user).select_related("plan", "province"), pk=pk)
    if edit and not can_edit_plans(request.user, req.province_id):
        raise PermissionDenied
    return req


def _metric_initial(req: ReportRequest) -> list[dict]:
    return [{"label": m.label, "kind": m.kind, "help": m.help, "required": m.required, "activity": m.activity_id}
            for m in req.metrics.all()]


def _apply_errors(form, err: services.ReportError) -> None:
    for key, msgs in err.errors.items():
        for msg in msgs:
            form.add_error(key if key in form.fields else None, msg)


# --- officer: build and follow a request ------------------------------------------


@require_GET
@login_required
def request_list(request):
    reqs = visible_requests(request.user).select_related("plan").order_by("-created_at")
    plan_id = request.GET.get("plan", "")
    if plan_id.isdigit():
        reqs = reqs.filter(plan_id=int(plan_id))
    return render(request, "reporting/request_list.html", {"reqs": reqs[:200]})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def request_create(request):
    plan_id = request.GET.get("plan", "")
    plan = get_object_or_404(visible_plans(request.user), pk=int(plan_id)) if plan_id.isdigit() else None
    if plan is None:
        raise Http404
    if not can_edit_plans(request.user, plan.province_id):
        raise PermissionDenied
    activities = list(plan.activities.all())
    form = RequestForm(request.POST or None, province_id=plan.province_id, plan_date=plan.date,
                       initial={"title": _("Báo cáo kết quả thực hiện %(p)s") % {"p": (plan.number or plan.title[:80])}})
    metrics = MetricFormSet(request.POST or None, prefix="m", form_kwargs={"activities": activities})
    if request.method == "POST" and form.is_valid() and metrics.is_valid():
        try:
            req = services.request_create(user=request.user, plan=plan, data=form.request_data(metrics.specs()))
        except services.ReportError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("Đã tạo yêu cầu báo cáo (đang soạn)."))
            return redirect("reporting:detail", pk=req.pk)
    return render(request, "reporting/request_form.html", {"form": form, "metrics": metrics, "plan": plan})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def request_edit(request, pk):
    req = _request_for(request, pk, edit=True)
    draft = req.status == ReportRequest.Status.DRAFT and not req.submissions.exists()
    activities = list(req.plan.activities.all())
    initial = {"title": req.title, "description": req.description, "deadline": req.deadline,
               "written_deadline": req.written_deadline, "remind_days": req.remind_days,
               "units": list(req.targets.values_list("unit_id", flat=True)), "groups": list(req.groups.all())}
    form = RequestForm(request.POST or None, province_id=req.province_id, plan_date=req.plan.date, initial=initial)
    metrics = MetricFormSet(request.POST or None, prefix="m", initial=_metric_initial(req),
                            form_kwargs={"activities": activities}) if draft else None
    if request.method == "POST" and form.is_valid() and (metrics is None or metrics.is_valid()):
        try:
            services.request_update(user=request.user, request=req,
                                    data=form.request_data(metrics.specs() if metrics is not None else None))
        except services.ReportError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("Đã lưu yêu cầu báo cáo."))
            return redirect("reporting:detail", pk=req.pk)
    return render(request, "reporting/request_form.html", {"form": form, "metrics": metrics, "plan": req.plan, "req": req})


@require_GET
@login_required
def request_detail(request, pk):
    req = _request_for(request, pk)
    user = request.user
    if user.is_reporter:
        targets = req.targets.filter(unit__in=user.units.all()).select_related("unit")
        subs = {s.unit_id: s for s in req.submissions.filter(unit__in=user.units.all())}
        return render(request, "reporting/request_reporter.html", {
            "req": req, "rows": [(t, subs.get(t.unit_id)) for t in targets],
        })
    subs = {s.unit_id: s for s in req.submissions.all()}
    status = request.GET.get("status", "")
    rows = []
    for t in req.targets.select_related("unit").order_by("unit__kind", "unit__name"):
        s = subs.get(t.unit_id)
        state = s.status if s else "none"
        if status == "late" and not (s and s.is_late):
            continue
        if status and status != "late" and state != status:
            continue
        rows.append({"target": t, "sub": s, "state": state, "link": token_url(t)})
    return render(request, "reporting/request_detail.html", {
        "req": req, "rows": rows, "progress": services.request_progress(req), "status": status,
        "short_url": short_url(req), "metrics": list(req.metrics.all()),
        "can_edit": can_edit_plans(user, req.province_id),
        "status_choices": [("none", _("Chưa báo cáo"))] + list(Submission.Status.choices) + [("late", _("Nộp muộn"))],
    })


@require_POST
@login_required
def request_status(request, pk):
    req = _request_for(request, pk, edit=True)
    try:
        services.request_set_status(user=request.user, request=req, status=request.POST.get("status", ""))
    except services.ReportError as e:
        messages.error(request, str(e))
    return redirect("reporting:detail", pk=req.pk)


@require_GET
@login_required
def request_qr(request, pk, fmt):
    if fmt not in ("png", "svg"):
        raise Http404
    req = _request_for(request, pk)
    url = short_url(req)
    if fmt == "svg":
        resp = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    else:
        resp = HttpResponse(qr_png(url), content_type="image/png")
    if request.GET.get("download"):
        resp["Content-Disposition"] = f'attachment; filename="qr-{req.slug}.{fmt}"'
    return resp


@require_POST
@login_required
def target_token(request, pk, target_id):
    req = _request_for(request, pk, edit=True)
    target = get_object_or_404(req.targets, pk=target_id)
    revoke = request.POST.get("action") == "revoke"
    services.target_token_renew(user=request.user, target=target, revoke=revoke)
    messages.success(request, _("Đã thu hồi liên kết riêng của %(u)s.") % {"u": target.unit.name} if revoke
                     else _("Đã tạo liên kết riêng mới cho %(u)s.") % {"u": target.unit.name})
    return redirect("reporting:detail", pk=req.pk)


# --- answering -----------------------------------------------------------------------


# After a save the page is fetched again (POST, redirect, GET) with ?saved=<one of these>;
# the page confirms it only when the stored answer agrees, so a copied link states nothing.
# A flash message would do the same at the cost of a signed cookie on every answer of a
# deadline rush (bench/rush.py).
_SAVED = {"sent": gettext_noop("Đã gửi báo cáo. Cảm ơn đơn vị."), "draft": gettext_noop("Đã lưu bản nháp.")}


def _answer(request, req: ReportRequest, target: Target, *, via_token: bool, template_ctx: dict):
    """The answer form of one unit, for a reporter or a token link holder."""
    metrics = services.request_metrics(req)

    def save(answer: services.Answer):
        services.submission_save(request=req, unit=target.unit, answer=answer, submit=submit, user=request.user,
                                 via_token=via_token, target=target, metrics=metrics)
        return HttpResponseRedirect(f"{request.path}?saved={'sent' if submit else 'draft'}")

    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        refused = None
        if not request.FILES:
            # Values only, the usual answer: submission_save checks each value itself
            # (clean_value, as AnswerForm does), so the form is built only to show errors.
            try:
                return save(answer_from_post(request.POST, metrics))
            except services.ReportError as e:
                refused = e
        form = AnswerForm(request.POST, request.FILES or None, metrics=metrics)
        if form.is_valid():
            if refused is None:
                try:
                    return save(services.Answer(values=form.values, files=form.uploads,
                                                remove_file_ids=form.remove_ids()))
                except services.ReportError as e:
                    refused = e
            for key, msgs in refused.errors.items():
                for msg in msgs:
                    form.add_error(f"m{key}" if f"m{key}" in form.fields else None, msg)
        status = 400
    else:
        status = 200
    submission = Submission.objects.filter(request=req, unit=target.unit).order_by().first()
    if request.method != "POST":
        form = AnswerForm(metrics=metrics, submission=submission)
    else:
        form.attach(submission)
    saved = request.GET.get("saved") if request.method != "POST" and submission else None
    if saved == "sent" and not submission.is_sent:
        saved = None
    ctx = {"req": req, "target": target, "form": form, "submission": submission,
           "saved_message": _(_SAVED[saved]) if saved in _SAVED else "",
           "open": req.status == ReportRequest.Status.OPEN, "past": req.is_past_deadline(),
           "editable": req.status == ReportRequest.Status.OPEN and not (
               submission and (submission.status == Submission.Status.APPROVED
                               or (submission.is_sent and req.is_past_deadline()))),
           **template_ctx}
    return render(request, "reporting/answer.html", ctx, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def answer_unit(request, pk, unit_id):
    req = _request_for(request, pk)
    if not request.user.units.filter(pk=unit_id).exists():
        raise Http404
    target = get_object_or_404(req.targets.select_related("unit"), unit_id=unit_id)
    return _answer(request, req, target, via_token=False,
                   template_ctx={"file_url": lambda f: reverse("reporting:file", args=[f.pk])})


# The token in the URL is the credential, and a forged cross-site post cannot know it,
# so CSRF protection adds nothing here; exempting it lets a unit answer from a browser
# that blocks cookies.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def answer_token(request, token):
    target = services.target_by_token(token)
    if target is None:
        return render(request, "reporting/token_invalid.html", status=404)
    return _answer(request, target.request, target, via_token=True, template_ctx={"token": token})


@require_GET
def token_file(request, token, file_id):
    target = services.target_by_token(token)
    if target is None:
        raise Http404
    f = get_object_or_404(SubmissionFile, pk=file_id, submission__request=target.request, submission__unit=target.unit)
    return _serve(f)


@require_GET
def short_link(request, slug):
    req = get_object_or_404(ReportRequest.objects.select_related("plan"), slug=slug)
    user = request.user
    if user.is_authenticated:
        if visible_requests(user).filter(pk=req.pk).exists():
            if user.is_reporter:
                units = list(req.targets.filter(unit__in=user.units.all()).values_list("unit_id", flat=True))
                if len(units) == 1:
                    return redirect("reporting:answer", pk=req.pk, unit_id=units[0])
            return redirect("reporting:detail", pk=req.pk)
    return render(request, "reporting/public.html", {"req": req})


# --- review and files --------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def submission_detail(request, pk):
    sub = get_object_or_404(visible_submissions(request.user).select_related("request", "unit", "request__plan"), pk=pk)
    can_review = can_edit_plans(request.user, sub.request.province_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.submission_review(user=request.user, submission=sub,
                                           approve=form.cleaned_data["decision"] == "approve",
                                           comment=form.cleaned_data["comment"])
            except services.ReportError as e:
                _apply_errors(form, e)
            else:
                messages.success(request, _("Đã ghi nhận ý kiến."))
                return redirect("reporting:submission", pk=sub.pk)
    metrics = list(sub.request.metrics.all())
    files = {}
    for f in sub.files.all():
        files.setdefault(str(f.metric_id), []).append(f)
    answers = [(m, sub.values.get(m.key), files.get(m.key, [])) for m in metrics]
    return render(request, "reporting/submission.html", {
        "sub": sub, "answers": answers, "form": form, "can_review": can_review,
    }, status=400 if request.method == "POST" else 200)


def _serve(f: SubmissionFile):
    try:
        handle = f.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404
    resp = FileResponse(handle, as_attachment=True, filename=f.filename,
                        content_type=f.mime or mimetypes.guess_type(f.filename)[0] or "application/octet-stream")
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@require_GET
@login_required
def submission_file(request, file_id):
    f = get_object_or_404(SubmissionFile.objects.filter(
        Q(submission__in=visible_submissions(request.user))), pk=file_id)
    return _serve(f)
