"""Banner monitoring screens: the list of specs, one spec's dashboard (every unit with
its status, since when and its last evidence), the spec editor, "check now", one
site's history and a check's screenshot.

Officers and leaders of the province read everything in it, officers edit; a reporter
sees the rows of their own units only; anyone else gets 404.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import can_edit_plans, visible_plans, visible_units
from directory.models import Website
from planwatch.lib.uploads import UploadRejected

from . import conf, services
from .forms import ImageForm, SpecForm
from .models import BannerEvent, BannerSpec, Check, SiteState

HISTORY_CHECKS = 50


def visible_specs(user):
    """Specs of the user's province (officers, leaders), or of the provinces of the
    user's units (reporters)."""
    qs = BannerSpec.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in ("officer", "leader"):
        return qs.filter(province_id=user.province_id) if user.province_id else qs.none()
    return qs.filter(province__units__in=user.units.all()).distinct()


def _spec_for(request, pk, *, edit=False) -> BannerSpec:
    spec = get_object_or_404(visible_specs(request.user), pk=pk)
    if edit and not can_edit_plans(request.user, spec.province_id):
        if request.user.role in ("officer", "leader") or request.user.is_superuser:
            raise PermissionDenied
        raise Http404
    return spec


@require_GET
@login_required
def dashboard(request):
    specs = visible_specs(request.user).select_related("plan").annotate(
        n_present=Count("states", filter=Q(states__banner="present")),
        n_absent=Count("states", filter=Q(states__banner="absent")),
        n_error=Count("states", filter=Q(states__status="error")),
    )
    can_create = request.user.role == "officer" and bool(request.user.province_id) or request.user.is_superuser
    return render(request, "monitoring/dashboard.html", {"specs": specs, "can_create": can_create})


@require_GET
@login_required
def spec_detail(request, pk):
    spec = _spec_for(request, pk)
    units = visible_units(request.user)
    states = (SiteState.objects.filter(spec=spec, unit__in=units)
              .select_related("unit", "website", "last_check").order_by("unit__name", "website__url"))
    checked_units = {s.unit_id for s in states}
    without_site = services.spec_units(spec).filter(pk__in=units.values("pk")).exclude(pk__in=checked_units)
    return render(request, "monitoring/spec_detail.html", {
        "spec": spec, "states": states, "without_site": without_site,
        "can_edit": can_edit_plans(request.user, spec.province_id), "images": spec.images.all(),
        "image_form": ImageForm(),
    })


def _spec_form(request, spec: BannerSpec | None, province_id: int):
    plans = visible_plans(request.user).filter(province_id=province_id).order_by("-date", "-pk")[:200]
    initial = {"interval_minutes": 24 * 60, "peak_interval_minutes": 6 * 60, "obey_robots": True, "active": True}
    if spec is not None:
        initial = {"name": spec.name, "plan": spec.plan_id, "targets": "\n".join(spec.targets),
                   "keywords": "\n".join(spec.keywords), "interval_minutes": spec.interval_minutes,
                   "peak_interval_minutes": spec.peak_interval_minutes, "obey_robots": spec.obey_robots,
                   "render_js": spec.render_js, "active": spec.active}
    form = SpecForm(request.POST or None, plans=plans, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = next((p for p in plans if p.pk == d["plan"]), None)
        try:
            spec = services.spec_save(
                actor=request.user, province=(spec.province if spec else request.user.province), spec=spec, plan=plan,
                name=d["name"], targets=d["targets"], keywords=d["keywords"], interval_minutes=d["interval_minutes"],
                peak_interval_minutes=d["peak_interval_minutes"], obey_robots=d["obey_robots"],
                render_js=d["render_js"], active=d["active"])
        except services.SpecInvalid as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lưu yêu cầu treo banner."))
            return redirect("monitoring:spec", spec.pk)
    return render(request, "monitoring/spec_form.html", {"form": form, "spec": spec},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@login_required
def spec_new(request):
    if not (request.user.is_superuser or (request.user.role == "officer" and request.user.province_id)):
        raise PermissionDenied
    return _spec_form(request, None, request.user.province_id)


@require_http_methods(["GET", "POST"])
@login_required
def spec_edit(request, pk):
    spec = _spec_for(request, pk, edit=True)
    return _spec_form(request, spec, spec.province_id)


@require_POST
@login_required
def spec_image(request, pk):
    spec = _spec_for(request, pk, edit=True)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Chưa chọn tệp ảnh."))
        return redirect("monitoring:spec", spec.pk)
    upload = form.cleaned_data["image"]
    try:
        services.reference_image_add(actor=request.user, spec=spec, data=upload.read(), name=upload.name)
    except UploadRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã thêm ảnh banner mẫu."))
    return redirect("monitoring:spec", spec.pk)


@require_POST
@login_required
def check_now(request, pk):
    """Open a round now (for one unit when the form names it); queue consumers split it."""
    from .tasks import banners_work

    spec = _spec_for(request, pk, edit=True)
    unit = None
    if request.POST.get("unit"):
        unit = visible_units(request.user).filter(pk=request.POST["unit"]).first()
        if unit is None:
            raise Http404
    rnd = services.round_open(spec=spec, unit=unit, label=f"kiểm tra ngay: {request.user.get_username()}")
    if rnd.sites:
        for _n in range(max(1, conf.get_int("MONITOR_CONSUMERS", 2))):
            banners_work(rnd.pk)
        messages.success(request, _("Đã đưa %(n)s trang vào hàng đợi kiểm tra.") % {"n": rnd.sites})
    else:
        messages.info(request, _("Không có trang nào cần kiểm tra (hoặc đang được kiểm tra)."))
    return redirect("monitoring:spec", spec.pk)


@require_GET
@login_required
def site_history(request, pk, website_pk):
    spec = _spec_for(request, pk)
    website = get_object_or_404(Website.objects.filter(unit__in=visible_units(request.user)), pk=website_pk)
    state = SiteState.objects.filter(spec=spec, website=website).select_related("last_check").first()
    checks = Check.objects.filter(spec=spec, website=website).order_by("-checked_at", "-pk")[:HISTORY_CHECKS]
    events = BannerEvent.objects.filter(spec=spec, website=website).select_related("check_row")
    return render(request, "monitoring/site_history.html",
                  {"spec": spec, "website": website, "state": state, "checks": checks, "events": events})


@require_GET
@login_required
def screenshot(request, pk):
    check = get_object_or_404(
        Check.objects.filter(spec__in=visible_specs(request.user), unit__in=visible_units(request.user)), pk=pk)
    if not check.screenshot:
        raise Http404
    try:
        handle = check.screenshot.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response
