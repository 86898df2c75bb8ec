"""Banner monitoring screens: the list of specs, one spec's dashboard (every unit with
its status, since when and its last evidence), the spec editor, "check now" (the whole
spec or the units picked), one site's history with the page it is checked at, and a
check's screenshot.

Officers and leaders of the province read everything in it, officers edit; a reporter
sees the rows of their own units only; anyone else gets 404.
"""
from __future__ import annotations

from dataclasses import dataclass

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
from planwatch.lib.text import fold
from planwatch.lib.uploads import UploadRejected

from . import conf, services
from .forms import ImageForm, SitePageForm, SpecForm
from .models import BannerEvent, BannerSpec, Check, SiteSpec, SiteState, Verdict

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
    """Every spec the user may see, or those of one plan (?plan=, the plan page's link)."""
    plan = None
    specs = visible_specs(request.user)
    if request.GET.get("plan"):
        plan = get_object_or_404(visible_plans(request.user), pk=_int_or_404(request.GET["plan"]))
        specs = specs.filter(plan=plan)
    # counted over the units the user may see, as on the spec page (a reporter: their own)
    mine = Q(states__unit__in=visible_units(request.user).values("pk"))
    specs = specs.select_related("plan").annotate(
        n_present=Count("states", filter=mine & Q(states__banner="present")),
        n_absent=Count("states", filter=mine & Q(states__banner="absent")),
        n_error=Count("states", filter=mine & Q(states__status="error")),
    )
    can_create = request.user.role == "officer" and bool(request.user.province_id) or request.user.is_superuser
    return render(request, "monitoring/dashboard.html", {"specs": specs, "can_create": can_create, "plan": plan})


@dataclass
class _Row:
    """One line of the spec page: a unit's website (None: the unit has none), where it
    stands (None: never checked) and its page override (None: the home page)."""

    unit: object
    website: Website | None = None
    state: SiteState | None = None
    site: SiteSpec | None = None


def _rows(spec: BannerSpec, units) -> list[_Row]:
    """Every site the user may see for `spec`: the sites already checked, the other
    (non-social) websites of the spec's units, and the units with no website."""
    states = (SiteState.objects.filter(spec=spec, unit__in=units)
              .select_related("unit", "website", "last_check"))
    sites = {s.website_id: s for s in SiteSpec.objects.filter(spec=spec)}
    rows = [_Row(s.unit, s.website, s, sites.get(s.website_id)) for s in states]
    seen = {r.website.pk for r in rows}
    spec_units = services.spec_units(spec).filter(pk__in=units.values("pk"))
    websites = Website.objects.filter(unit__in=spec_units).exclude(kind=Website.Kind.SOCIAL).select_related("unit")
    rows += [_Row(w.unit, w, None, sites.get(w.pk)) for w in websites if w.pk not in seen]
    with_site = {r.unit.pk for r in rows}
    rows += [_Row(u) for u in spec_units.exclude(pk__in=with_site)]
    rows.sort(key=lambda r: (fold(r.unit.name), r.website.url if r.website else ""))
    return rows


@require_GET
@login_required
def spec_detail(request, pk):
    spec = _spec_for(request, pk)
    rows = _rows(spec, visible_units(request.user))
    # as the dashboard counts: the last known banner, and the sites whose last check failed
    states = [r.state for r in rows if r.website is not None]
    counts = {
        "present": sum(1 for s in states if s and s.banner == SiteState.Banner.PRESENT),
        "absent": sum(1 for s in states if s and s.banner == SiteState.Banner.ABSENT),
        "error": sum(1 for s in states if s and s.status == Verdict.ERROR),
        "unchecked": sum(1 for s in states if not (s and s.status)),
    }
    pending = SiteState.objects.filter(spec=spec, unit__in=visible_units(request.user),
                                       round__isnull=False, round__finished_at__isnull=True).count()
    return render(request, "monitoring/spec_detail.html", {
        "spec": spec, "rows": rows, "counts": counts, "pending": pending,
        "no_site": sum(1 for r in rows if r.website is None),
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
    """Open a round now: of the whole spec, or of the units the form names ("unit",
    repeated; "scope=units" says the form is the pick list, so that picking none does
    not check everything). Queue consumers split the round. Back to the spec page, or
    to the site history the form names ("website")."""
    from huey.contrib.djhuey import HUEY

    from .tasks import banners_work

    spec = _spec_for(request, pk, edit=True)
    back = redirect("monitoring:spec", spec.pk)
    if request.POST.get("website"):
        website = get_object_or_404(Website.objects.filter(unit__in=visible_units(request.user)),
                                    pk=_int_or_404(request.POST["website"]))
        back = redirect("monitoring:site", spec.pk, website.pk)
    ids = {_int_or_404(v) for v in request.POST.getlist("unit") if v}
    units = None
    if ids:
        units = list(visible_units(request.user).filter(pk__in=ids))
        if len(units) != len(ids):
            raise Http404
    elif request.POST.get("scope") == "units":
        messages.error(request, _("Chưa chọn đơn vị nào để kiểm tra."))
        return back
    who = request.user.get_username()
    rnd = services.round_open(spec=spec, units=units, label=f"kiểm tra ngay: {who}")
    if rnd.sites:
        for _n in range(max(1, conf.get_int("MONITOR_CONSUMERS", 2))):
            banners_work(rnd.pk)
        if HUEY.immediate:  # the consumers already ran, in this request
            messages.success(request, _("Đã kiểm tra %(n)s trang.") % {"n": rnd.sites})
        else:
            messages.success(request, _("Đã đưa %(n)s trang vào hàng đợi kiểm tra; tải lại trang sau ít phút để "
                                        "xem kết quả.") % {"n": rnd.sites})
    else:
        messages.info(request, _("Không có trang nào cần kiểm tra (hoặc đang được kiểm tra)."))
    return back


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _site_for(request, spec: BannerSpec, website_pk: int) -> Website:
    return get_object_or_404(Website.objects.filter(unit__in=visible_units(request.user)).select_related("unit"),
                             pk=website_pk)


def _site_page(request, spec: BannerSpec, website: Website, form: SitePageForm | None = None, status: int = 200):
    state = SiteState.objects.filter(spec=spec, website=website).select_related("last_check", "round").first()
    site = SiteSpec.objects.filter(spec=spec, website=website).first()
    can_edit = can_edit_plans(request.user, spec.province_id)
    if form is None and can_edit:
        form = SitePageForm(initial={"page_url": site.page_url if site else "",
                                     "enabled": site.enabled if site else True})
    checks = Check.objects.filter(spec=spec, website=website).order_by("-checked_at", "-pk")[:HISTORY_CHECKS]
    events = BannerEvent.objects.filter(spec=spec, website=website).select_related("check_row")
    return render(request, "monitoring/site_history.html", {
        "spec": spec, "website": website, "state": state, "site": site, "checks": checks, "events": events,
        "can_edit": can_edit, "form": form, "social": website.kind == Website.Kind.SOCIAL,
        "pending": bool(state and state.round_id and not state.round.finished_at),
    }, status=status)


@require_GET
@login_required
def site_history(request, pk, website_pk):
    spec = _spec_for(request, pk)
    return _site_page(request, spec, _site_for(request, spec, website_pk))


@require_POST
@login_required
def site_page(request, pk, website_pk):
    """Set which page of the website the spec checks (blank: the home page), and
    whether the website is checked at all (services.site_spec_save)."""
    spec = _spec_for(request, pk, edit=True)
    website = _site_for(request, spec, website_pk)
    form = SitePageForm(request.POST)
    if form.is_valid():
        try:
            services.site_spec_save(actor=request.user, spec=spec, website=website,
                                    page_url=form.cleaned_data["page_url"], enabled=form.cleaned_data["enabled"])
        except services.SpecInvalid as exc:
            form.add_error("page_url", str(exc))
        else:
            messages.success(request, _("Đã lưu trang cần kiểm tra."))
            return redirect("monitoring:site", spec.pk, website.pk)
    return _site_page(request, spec, website, form, status=400)


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
