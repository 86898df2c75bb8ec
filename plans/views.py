"""Plans screens: the list, upload, the review of an import, the plan page and the
activity page.

Every object comes through accounts.permissions: a plan or activity the user may not
see is a 404, an edit the user may not make a 403. Review actions answer htmx requests
with the activity card alone and plain form posts with a redirect back to the review.
"""
from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import (
    can_edit_plans, visible_activities, visible_assignments, visible_plans,
)
from directory.models import Unit, UnitGroup, valid_on_q
from planwatch.lib.search import search_filter

from . import services
from .forms import MentionAddForm, MentionChoiceForm, MentionRemoveForm, PlanSearchForm, ReviewFieldsForm, UploadForm
from .models import Activity, Assignment, Mention, Plan, PlanImport

PLANS_PER_PAGE = 50


# --- helpers ------------------------------------------------------------------------


def _iso(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _source_lines(text: str, span, first: int = 1, last: int | None = None) -> list[dict]:
    """Lines `first`..`last` (1-based, inclusive) of `text`, each marked `hl` when it
    falls inside `span` (first, last) or None."""
    lines = text.split("\n")
    last = len(lines) if last is None else min(last, len(lines))
    lo, hi = (span[0], span[1]) if span else (0, -1)
    return [{"n": n, "text": lines[n - 1], "hl": lo <= n <= hi} for n in range(max(first, 1), last + 1)]


def _import_for_edit(request, pk) -> PlanImport:
    """The import, when the user may review it: officers of its province. A reader of
    the province (a leader) gets 403; anyone else must not learn that it exists."""
    plan_import = get_object_or_404(PlanImport.objects.select_related("province"), pk=pk)
    if can_edit_plans(request.user, plan_import.province_id):
        return plan_import
    if request.user.can_read_province(plan_import.province_id):
        raise PermissionDenied
    raise Http404


def _activity_by_key(review: dict, key: str | None) -> dict | None:
    return next((a for a in review.get("activities", []) if a.get("key") == key), None) if key else None


def _picker(plan_import: PlanImport) -> dict:
    """What the mention picker offers besides a mention's own candidates: the province's
    units valid on the plan's date, grouped by kind in the directory's order, and its
    unit groups."""
    on = _iso((plan_import.review.get("header") or {}).get("date"))
    units = list(
        Unit.objects.filter(province_id=plan_import.province_id).filter(valid_on_q(on)).only("id", "name", "kind")
    )
    order = {kind: i for i, kind in enumerate(Unit.Kind.values)}
    units.sort(key=lambda u: (order.get(u.kind, len(order)), u.name))
    labels = dict(Unit.Kind.choices)
    by_kind = [(labels.get(kind, kind), list(rows)) for kind, rows in groupby(units, key=lambda u: u.kind)]
    groups = list(
        UnitGroup.objects.filter(Q(province_id=plan_import.province_id) | Q(province__isnull=True)).only("id", "name")
    )
    return {"units_by_kind": by_kind, "groups": groups}


def _review_back(plan_import: PlanImport, activity_key: str | None):
    url = reverse("plans:review", args=[plan_import.pk])
    if not activity_key:
        return redirect(f"{url}#header")
    activity = _activity_by_key(plan_import.review, activity_key)
    if activity is None:
        return redirect(url)
    span = activity.get("span")
    # The anchor scrolls the source to the activity; review.html scrolls its card.
    anchor = f"#L{span[0]}" if span else f"#card-{activity['key']}"
    return redirect(f"{url}?{urlencode({'a': activity['key']})}{anchor}")


def _review_answer(request, plan_import: PlanImport, activity_key: str | None, error: str | None = None):
    """After a review action: for htmx the header or activity card alone (with the
    unresolved count out of band), else a redirect back to the review."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        return _review_back(plan_import, activity_key)
    plan_import.refresh_from_db()
    review = plan_import.review
    context = {
        "plan_import": plan_import,
        "unresolved": services.plan_review_unresolved(review),
        "error": error,
        "editable": plan_import.status == PlanImport.Status.PARSED,
    }
    if not activity_key:
        context.update(header=review.get("header", {}), peaks=review.get("peaks", []))
        return render(request, "plans/_review_header_answer.html", context)
    activity = _activity_by_key(review, activity_key)
    if activity is None:
        context["error"] = error or _("Không tìm thấy hoạt động này trong bản rà soát.")
        return render(request, "plans/_review_error.html", context)
    context.update(_picker(plan_import), act=activity, selected=activity)
    return render(request, "plans/_review_card_answer.html", context)


def _form_error(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- list and upload ----------------------------------------------------------------


@require_GET
@login_required
def plan_list(request):
    """Visible plans, newest first, with their activity counts; officers also see their
    province's imports waiting for review."""
    form = PlanSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    # Counting on a fresh queryset: the reporter's scope joins activities, and a count
    # over that join would count only the reporter's activities.
    plans = Plan.objects.filter(pk__in=visible_plans(request.user).values("pk"))
    plans = search_filter(plans, q)
    plans = plans.annotate(activity_count=Count("activities")).order_by("-date", "-created_at")
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))

    user = request.user
    can_upload = bool(user.province_id) and can_edit_plans(user, user.province_id)
    pending = []
    if can_upload:
        pending = list(
            PlanImport.objects.filter(province_id=user.province_id, status=PlanImport.Status.PARSED)
            .select_related("uploaded_by")
            .order_by("-created_at")
        )
    return render(request, "plans/plan_list.html", {
        "form": form, "q": q, "page": page, "can_upload": can_upload, "pending": pending,
    })


@require_http_methods(["GET", "POST"])
@login_required
def upload(request):
    """A plan document from an officer, parsed into an import for review."""
    user = request.user
    if not user.province_id or not can_edit_plans(user, user.province_id):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            plan_import = services.plan_import_upload(data=f.read(), filename=f.name, province=user.province, user=user)
        except services.PlanImportError as e:
            form.add_error("file", str(e))
        else:
            return redirect("plans:review", pk=plan_import.pk)
    return render(request, "plans/upload.html", {"form": form}, status=400 if form.errors else 200)


# --- review -------------------------------------------------------------------------


@require_GET
@login_required
def review(request, pk):
    """The source text beside the parser's reading, every field correctable."""
    plan_import = _import_for_edit(request, pk)
    data = plan_import.review or {}
    selected = _activity_by_key(data, request.GET.get("a"))
    context = {
        "plan_import": plan_import,
        "editable": plan_import.status == PlanImport.Status.PARSED,
        "header": data.get("header", {}),
        "peaks": data.get("peaks", []),
        "activities": data.get("activities", []),
        "selected": selected,
        "edit": request.GET.get("edit"),
        "lines": _source_lines((plan_import.parsed or {}).get("text", ""), selected.get("span") if selected else None),
        "unresolved": services.plan_review_unresolved(data) if data else 0,
    }
    ids = [i for i in (data.get("duplicate_of"), data.get("previous_id")) if i]
    found = {p.pk: p for p in visible_plans(request.user).filter(pk__in=ids)} if ids else {}
    context["duplicate"] = found.get(data.get("duplicate_of"))
    context["previous"] = found.get(data.get("previous_id"))
    if context["editable"]:
        context.update(_picker(plan_import))
    return render(request, "plans/review.html", context)


@require_POST
@login_required
def review_fields(request, pk):
    """Header fields (no activity_key) or one activity's fields; only changed values are
    written, so a card may post all its inputs."""
    plan_import = _import_for_edit(request, pk)
    form = ReviewFieldsForm(request.POST)
    if not form.is_valid():
        return _review_answer(request, plan_import, request.POST.get("activity_key"), _form_error(form))
    key = form.cleaned_data["activity_key"]
    current = _activity_by_key(plan_import.review, key) if key else plan_import.review.get("header", {})
    if current is None:
        missing = _("Không tìm thấy hoạt động này trong bản rà soát.")
        return _review_answer(request, plan_import, key, missing)
    changes = {}
    for field, value in form.values.items():
        old = current.get(field)
        old = ("1" if old else "") if field == "include" else ("" if old is None else str(old))
        if value != old:
            changes[field] = value
    try:
        if changes:
            services.plan_review_set_fields(plan_import=plan_import, user=request.user, activity_key=key, changes=changes)
    except services.PlanImportError as e:
        return _review_answer(request, plan_import, key, str(e))
    return _review_answer(request, plan_import, key)


def _review_action(request, pk, form_class, call):
    """The shape every mention action shares: check the form, call one review service
    as call(plan_import, activity_key, cleaned_data), answer with the card or a redirect."""
    plan_import = _import_for_edit(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _review_answer(request, plan_import, request.POST.get("activity_key"), _form_error(form))
    key = form.cleaned_data["activity_key"]
    try:
        call(plan_import, key, form)
    except services.PlanImportError as e:
        return _review_answer(request, plan_import, key, str(e))
    return _review_answer(request, plan_import, key)


@require_POST
@login_required
def review_mention(request, pk):
    """The picker: resolve a mention to a unit or a group, or ignore it."""
    return _review_action(
        request, pk, MentionChoiceForm,
        lambda imp, key, form: services.plan_review_set_mention(
            plan_import=imp, user=request.user, activity_key=key,
            mention_key=form.cleaned_data["mention_key"], **form.service_kwargs(),
        ),
    )


@require_POST
@login_required
def review_mention_add(request, pk):
    return _review_action(
        request, pk, MentionAddForm,
        lambda imp, key, form: services.plan_review_add_mention(
            plan_import=imp, user=request.user, activity_key=key,
            role=form.cleaned_data["role"], text=form.cleaned_data["text"],
        ),
    )


@require_POST
@login_required
def review_mention_remove(request, pk):
    return _review_action(
        request, pk, MentionRemoveForm,
        lambda imp, key, form: services.plan_review_remove_mention(
            plan_import=imp, user=request.user, activity_key=key, mention_key=form.cleaned_data["mention_key"]
        ),
    )


@require_POST
@login_required
def review_confirm(request, pk):
    plan_import = _import_for_edit(request, pk)
    try:
        plan = services.plan_confirm(plan_import=plan_import, user=request.user)
    except services.PlanImportError as e:
        messages.error(request, str(e))
        return redirect("plans:review", pk=plan_import.pk)
    name = plan.number or plan.title[:60]
    messages.success(request, _("Đã xác nhận kế hoạch %(number)s.") % {"number": name})
    return redirect("plans:detail", pk=plan.pk)


@require_POST
@login_required
def review_discard(request, pk):
    plan_import = _import_for_edit(request, pk)
    try:
        services.plan_import_discard(plan_import=plan_import, user=request.user)
    except services.PlanImportError as e:
        messages.error(request, str(e))
        return redirect("plans:review", pk=plan_import.pk)
    messages.success(request, _("Đã hủy lượt nhập “%(name)s”.") % {"name": plan_import.filename})
    return redirect("plans:list")


# --- plan and activity pages ----------------------------------------------------------


@require_GET
@login_required
def plan_detail(request, pk):
    """Header, changes from the previous version, activities and the timeline, in a
    fixed number of queries whatever the plan's size. A reporter sees the activities
    and assignments of their own units only."""
    user = request.user
    plans = Plan.objects.filter(pk__in=visible_plans(user).values("pk")).select_related("previous")
    plan = get_object_or_404(plans, pk=pk)
    today = timezone.localdate()
    peaks = list(plan.peaks.all())
    mentions = Mention.objects.select_related("unit", "group").order_by("role", "id")
    activities = list(
        plan.activities.filter(pk__in=visible_activities(user).values("pk"))
        .prefetch_related(Prefetch("mentions", queryset=mentions))
        .order_by("position", "pk")
    )
    counts = {
        row["activity_id"]: row
        for row in visible_assignments(user).filter(activity__plan=plan).values("activity_id").annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=Assignment.Status.DONE)),
            overdue=Count("pk", filter=Assignment.overdue_q(today)),
        )
    }
    for a in activities:
        a.leads = [m for m in a.mentions.all() if m.role == Mention.Role.LEAD]
        a.supports = [m for m in a.mentions.all() if m.role == Mention.Role.SUPPORT]
        a.counts = counts.get(a.pk, {"total": 0, "done": 0, "overdue": 0})

    diff = None
    if plan.previous_id and visible_plans(user).filter(pk=plan.previous_id).exists():
        diff = services.plan_diff(old=plan.previous, new=plan)
    return render(request, "plans/plan_detail.html", {
        "plan": plan,
        "peaks": peaks,
        "activities": activities,
        "diff": diff,
        "today": today,
        "can_edit": can_edit_plans(user, plan.province_id),
        "can_read_units": user.can_read_province(plan.province_id),
    })


@require_GET
@login_required
def activity_detail(request, pk):
    """All of an activity: fields, source excerpt, mentions and the assignments the user
    may see."""
    user = request.user
    activity = get_object_or_404(
        Activity.objects.filter(pk__in=visible_activities(user).values("pk")).select_related("plan"), pk=pk
    )
    assignments = list(
        visible_assignments(user).filter(activity=activity)
        .select_related("unit", "via_group")
        .order_by("role", "unit__name")
    )
    today = timezone.localdate()
    for a in assignments:
        a.overdue = a.is_overdue(today)
    excerpt = []
    if activity.span_start and activity.plan.text:
        excerpt = _source_lines(activity.plan.text, None, activity.span_start, activity.span_end or activity.span_start)
    return render(request, "plans/activity_detail.html", {
        "activity": activity,
        "plan": activity.plan,
        "mentions": list(activity.mentions.select_related("unit", "group").order_by("role", "id")),
        "assignments": assignments,
        "excerpt": excerpt,
        "can_read_units": user.can_read_province(activity.plan.province_id),
    })
