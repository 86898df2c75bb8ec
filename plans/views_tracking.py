"""Tracking screens: the assignment page and its actions, evidence downloads, the
reporter's "my work", and the dashboards (a plan's units × activities matrix, its
progress chart, the province's overdue list).

Objects come through accounts.permissions: an assignment, evidence file or plan the
user may not see is a 404, so its existence does not leak; an action the user may see
but not take is a 403. Actions are plain form posts answered with a redirect back to
the assignment page; an htmx post gets the page itself, from which the form's
hx-select keeps the #assignment block (htmx does not swap 4xx answers, so errors
come back as 200 there and 400 otherwise).
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, CharField, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import (
    can_edit_plans, can_report_for, visible_activities, visible_assignments, visible_audit_events, visible_plans,
)
from audit.models import AuditEvent
from directory.models import Unit
from planwatch.lib import charts

from . import tracking
from .forms_tracking import (
    AcceptForm, CommentForm, FileForm, LinkForm, MatrixFilterForm, MyWorkFilterForm, NoteForm, OverdueFilterForm,
    ReturnForm, StatusForm,
)
from .models import Assignment, Evidence, Plan, PlanPeriod

ROWS_PER_PAGE = 100
# Statuses in the order the dashboards list them (and the chart stacks them).
STATUS_ORDER = [Assignment.Status.DONE, Assignment.Status.IN_PROGRESS, Assignment.Status.NOT_STARTED,
                Assignment.Status.NOT_DONE]
SYMBOLS = {"done": "✓", "in_progress": "◐", "todo": "○", "not_done": "✕"}


# --- the assignment page ----------------------------------------------------------------


def _assignment_for(request, pk) -> Assignment:
    qs = visible_assignments(request.user).select_related("activity__plan", "unit", "reviewed_by")
    return get_object_or_404(qs, pk=pk)


def _may(user, a: Assignment) -> dict:
    report = can_report_for(user, a.unit_id)
    review = can_edit_plans(user, a.activity.plan.province_id)
    return {"can_report": report, "can_review": review, "can_comment": report or review}


def _page(request, a: Assignment, *, bound: dict | None = None, error: str = "", notice: str = "", status: int = 200):
    user = request.user
    may = _may(user, a)
    peaks = list(a.activity.plan.peaks.all())
    frozen = a.review == Assignment.Review.ACCEPTED
    forms = {
        "status": StatusForm(initial={"status": a.status, "reason": a.status_reason}),
        "note": NoteForm(), "link": LinkForm(), "file": FileForm(), "comment": CommentForm(),
        "accept": AcceptForm(), "return": ReturnForm(),
    }
    forms.update(bound or {})
    history = list(
        visible_audit_events(user).filter(object_type="assignment", object_id=str(a.pk))
        .select_related("actor").order_by("at", "id")
    )
    return render(request, "plans/tracking/assignment.html", {
        "a": a,
        "plan": a.activity.plan,
        "activity": a.activity,
        "peaks": peaks,
        "in_peak": a.in_peak(peaks),
        "overdue": a.is_overdue(),
        "evidence": list(a.evidence.select_related("created_by")),
        "comments": list(a.comments.select_related("author")),
        "history": history,
        "forms": forms,
        "frozen": frozen,
        "error": error,
        "notice": notice,
        "can_read_units": user.can_read_province(a.activity.plan.province_id),
        **may,
    }, status=status)


@require_GET
@login_required
def assignment_detail(request, pk):
    """Status, notes, evidence, the thread, the department's verdict and the history."""
    return _page(request, _assignment_for(request, pk))


def _form_error(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@dataclass(frozen=True)
class _Action:
    """One action of the assignment page: who may take it (a key of _may), its form,
    where the page scrolls back to, the message when it is done, and the service it
    calls with (assignment, user, the form's cleaned data)."""

    who: str
    form_class: type
    anchor: str
    done: str
    call: Callable[[Assignment, object, dict], object]


def _add_file(a, user, d):
    f = d["file"]
    return tracking.assignment_add_file(assignment=a, user=user, data=f.read(), filename=f.name, title=d["title"])


# By the name in the URL (plans/urls.py: one route each, named "assignment_<name>") and
# of the form on the page.
ACTIONS: dict[str, _Action] = {
    "status": _Action("can_report", StatusForm, "#status", gettext_lazy("Đã cập nhật trạng thái."),
                      lambda a, user, d: tracking.assignment_set_status(assignment=a, user=user, status=d["status"],
                                                                        reason=d["reason"])),
    "note": _Action("can_report", NoteForm, "#thread", gettext_lazy("Đã ghi tiến độ."),
                    lambda a, user, d: tracking.assignment_add_note(assignment=a, user=user, body=d["body"])),
    "link": _Action("can_report", LinkForm, "#evidence", gettext_lazy("Đã thêm liên kết."),
                    lambda a, user, d: tracking.assignment_add_link(assignment=a, user=user, url=d["url"],
                                                                    title=d["title"])),
    "file": _Action("can_report", FileForm, "#evidence", gettext_lazy("Đã tải tệp lên."), _add_file),
    "comment": _Action("can_comment", CommentForm, "#thread", gettext_lazy("Đã gửi trao đổi."),
                       lambda a, user, d: tracking.assignment_comment(assignment=a, user=user, body=d["body"])),
    "accept": _Action("can_review", AcceptForm, "#review", gettext_lazy("Đã chấp nhận kết quả."),
                      lambda a, user, d: tracking.assignment_accept(assignment=a, user=user, body=d["body"])),
    "return": _Action("can_review", ReturnForm, "#review", gettext_lazy("Đã trả lại cho đơn vị."),
                      lambda a, user, d: tracking.assignment_return(assignment=a, user=user, body=d["body"])),
}


@require_POST
@login_required
def assignment_action(request, pk, action: str):
    """Every action shares this shape: check who acts (403), the form, call one service,
    answer with a redirect (htmx: the page) or the page with the error."""
    spec = ACTIONS[action]
    a = _assignment_for(request, pk)
    if not _may(request.user, a)[spec.who]:
        raise PermissionDenied
    form = spec.form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            spec.call(a, request.user, form.cleaned_data)
        except tracking.TrackingError as e:
            error = str(e)
        else:
            done = str(spec.done)
            if request.htmx:
                a.refresh_from_db()
                return _page(request, a, notice=done)
            messages.success(request, done)
            return redirect(reverse("plans:assignment", args=[a.pk]) + spec.anchor)
    else:
        error = _form_error(form)
    return _page(request, a, bound={action: form}, error=error, status=200 if request.htmx else 400)


def _evidence_for(request, pk, **filters) -> Evidence:
    visible = visible_assignments(request.user).values("pk")
    return get_object_or_404(Evidence.objects.filter(assignment__in=visible, **filters).select_related("assignment"),
                             pk=pk)


@require_POST
@login_required
def evidence_remove(request, pk):
    evidence = _evidence_for(request, pk)
    a = _assignment_for(request, evidence.assignment_id)
    if not _may(request.user, a)["can_report"]:
        raise PermissionDenied
    try:
        tracking.assignment_remove_evidence(evidence=evidence, user=request.user)
    except tracking.TrackingError as e:
        if request.htmx:
            return _page(request, a, error=str(e))
        messages.error(request, str(e))
    else:
        if request.htmx:
            a.refresh_from_db()
            return _page(request, a, notice=_("Đã xóa minh chứng."))
        messages.success(request, _("Đã xóa minh chứng."))
    return redirect(reverse("plans:assignment", args=[a.pk]) + "#evidence")


@require_GET
@login_required
def evidence_file(request, pk):
    """An evidence file, to those who may see its assignment. Always an attachment with
    the type found at upload and nosniff, so a browser never renders it as a page."""
    evidence = _evidence_for(request, pk, kind=Evidence.Kind.FILE)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    name = evidence.filename or evidence.file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type=evidence.mime or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-cache"
    return response


# --- my work ----------------------------------------------------------------------------


def _late_first(qs: QuerySet, today: dt.date) -> QuerySet:
    """Overdue first, then by due date (no date last), as the unit page sorts."""
    return qs.annotate(
        due_on=Coalesce("due", "end"),
        late=Case(When(Assignment.overdue_q(today), then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("late", F("due_on").asc(nulls_last=True), "activity__plan_id", "activity__position", "pk")


def _peaks_by_plan(plan_ids) -> dict[int, list[PlanPeriod]]:
    peaks = defaultdict(list)
    for p in PlanPeriod.objects.filter(plan_id__in=set(plan_ids)):
        peaks[p.plan_id].append(p)
    return peaks


@require_GET
@login_required
def my_work(request):
    """The assignments of the user's own units across all plans: overdue first, work
    in a peak period marked."""
    user = request.user
    form = MyWorkFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    today = timezone.localdate()
    qs = visible_assignments(user).filter(unit__in=user.units.all()).select_related("unit", "activity__plan")
    if status == "open":
        qs = qs.exclude(status__in=[Assignment.Status.DONE, Assignment.Status.NOT_DONE])
    elif status:
        qs = qs.filter(status=status)
    page = Paginator(_late_first(qs, today), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    peaks = _peaks_by_plan(a.activity.plan_id for a in page)
    for a in page:
        a.overdue = a.late == 0
        a.peak = a.in_peak(peaks.get(a.activity.plan_id, ()))
    return render(request, "plans/tracking/my_work.html", {
        "form": form, "page": page, "today": today, "has_units": user.units.exists(),
        "query": _query_without_page(request),
    })


def _query_without_page(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


# --- dashboards -------------------------------------------------------------------------


def _plan_for(request, pk) -> Plan:
    return get_object_or_404(Plan.objects.filter(pk__in=visible_plans(request.user).values("pk")), pk=pk)


def _kind_order() -> dict[str, int]:
    return {kind: i for i, kind in enumerate(Unit.Kind.values)}


@dataclass
class _Cell:
    """One assignment in the matrix: the row of the grid query, without a model."""

    pk: int
    status: str
    review: str
    role: str
    late: bool


@dataclass
class _Row:
    unit: dict
    cells: str = ""
    counts: list = field(default_factory=list)


@require_GET
@login_required
def matrix(request, pk):
    """A plan's units × activities, each cell coloured by the assignment's status and
    linking to it, with counts per status for every row and column. The grid is two
    queries (activities; assignments with their units, as plain rows) whatever its
    size; its cells are written here, not by a template loop, to stay fast at
    60 units × 100 activities."""
    user = request.user
    plan = _plan_for(request, pk)
    today = timezone.localdate()
    form = MatrixFilterForm(request.GET)
    f = form.cleaned_data if form.is_valid() else {}
    peaks = list(plan.peaks.all())
    activities = list(
        plan.activities.filter(pk__in=visible_activities(user).values("pk"))
        .only("id", "plan_id", "position", "ref", "title", "start", "end", "deadline").order_by("position", "pk")
    )
    qs = visible_assignments(user).filter(activity__plan=plan)
    filtered = bool(f.get("status") or f.get("kind") or f.get("overdue"))
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("kind"):
        qs = qs.filter(unit__kind=f["kind"])
    if f.get("overdue"):
        qs = qs.filter(Assignment.overdue_q(today))
    qs = qs.annotate(
        late=Case(When(Assignment.overdue_q(today), then=Value(True)), default=Value(False),
                  output_field=BooleanField())
    ).order_by().values_list("pk", "activity_id", "unit_id", "role", "status", "review", "late",
                             "unit__name", "unit__short_name", "unit__kind")

    units: dict[int, dict] = {}
    cells: dict[tuple[int, int], list[_Cell]] = defaultdict(list)
    for a_pk, activity_id, unit_id, role, status, review, late, name, short_name, kind in qs:
        units[unit_id] = {"pk": unit_id, "name": name, "short_name": short_name, "kind": kind}
        cells[(unit_id, activity_id)].append(_Cell(a_pk, status, review, role, bool(late)))

    if filtered:
        used = {act_id for (_u, act_id) in cells}
        activities = [act for act in activities if act.pk in used]
    for act in activities:
        act.peak = act.in_peak(peaks)
        act.counts = Counter()
    order = _kind_order()
    render_cell = _cell_renderer()
    rows = []
    for unit in sorted(units.values(), key=lambda u: (order.get(u["kind"], len(order)), u["name"])):
        counts = Counter()
        html = []
        for act in activities:
            items = cells.get((unit["pk"], act.pk), ())
            for c in items:
                counts[c.status] += 1
                act.counts[c.status] += 1
                if c.late:
                    counts["late"] += 1
                    act.counts["late"] += 1
            html.append('<td class="cell">' + "".join(render_cell(c) for c in items) + "</td>")
        # every piece of html is escaped by render_cell or a literal
        cells_html = mark_safe("".join(html))  # noqa: S308
        rows.append(_Row(unit, cells_html, [counts[s] for s in STATUS_ORDER] + [counts["late"]]))
    totals = Counter()
    for act in activities:
        totals.update(act.counts)
    labels = dict(Assignment.Status.choices)
    count_rows = [
        {"label": labels[s], "status": s, "values": [act.counts[s] for act in activities], "total": totals[s]}
        for s in STATUS_ORDER
    ] + [{"label": _("Quá hạn"), "status": "late", "values": [act.counts["late"] for act in activities],
          "total": totals["late"]}]
    return render(request, "plans/tracking/matrix.html", {
        "plan": plan, "form": form, "activities": activities, "rows": rows, "count_rows": count_rows,
        "statuses": [(s, labels[s], SYMBOLS[s]) for s in STATUS_ORDER], "peaks": peaks, "filtered": filtered,
    })


def _cell_renderer() -> Callable[[_Cell], str]:
    """cell → its link, escaped; the few distinct class/title pairs are built once."""
    url = reverse("plans:assignment", args=[0])[:-2] + "{}/"  # one reverse() for all cells
    labels = dict(Assignment.Status.choices)
    late_word, support_word = _("Quá hạn"), _("Phối hợp")

    @functools.cache
    def attrs(status: str, review: str, role: str, late: bool) -> str:
        classes = f"m-{status}" + (" m-late" if late else "") + (f" m-{review}" if review else "")
        title = str(labels.get(status, status)) + (f" · {late_word}" if late else "") \
            + (f" · {support_word}" if role == Assignment.Role.SUPPORT else "")
        return f'class="{escape(classes)}" title="{escape(title)}"'

    def render_cell(c: _Cell) -> str:
        symbol = SYMBOLS.get(c.status, "?")
        return f'<a {attrs(c.status, c.review, c.role, c.late)} href="{url.format(c.pk)}">{symbol}</a>'

    return render_cell


def status_history(assignments: QuerySet, *, until: dt.date) -> tuple[list[dt.date], dict[str, list[int]]]:
    """How many of `assignments` were in each status at the end of each day, from the
    first one's creation to `until`. The history is rebuilt from the audit trail: an
    assignment counts from its created_at in the status its first "assignment.status"
    event started from (its current status if it has none), and moves at each event.
    Work imported already finished therefore counts as finished from its creation."""
    rows = list(assignments.values_list("pk", "status", "created_at"))
    keys = [s.value for s in STATUS_ORDER]
    if not rows:
        return [until], {k: [0] for k in keys}
    events = (
        AuditEvent.objects.filter(object_type="assignment", action="assignment.status")
        .filter(object_id__in=assignments.annotate(sid=Cast("pk", output_field=CharField())).values("sid"))
        .order_by("at", "id").values_list("object_id", "at", "before", "after")
    )
    moves: dict[int, list] = defaultdict(list)
    for object_id, at, before, after in events:
        moves[int(object_id)].append((timezone.localdate(at), before.get("status"), after.get("status")))
    delta: dict[dt.date, Counter] = defaultdict(Counter)
    for pk, current, created in rows:
        history = moves.get(pk, [])
        state = (history[0][1] if history else None) or current
        delta[timezone.localdate(created)][state] += 1
        for day, _before, new in history:
            if new and new != state:
                delta[day][state] -= 1
                delta[day][new] += 1
                state = new
    first = min(delta)
    days = [first + dt.timedelta(days=i) for i in range(max((until - first).days, 0) + 1)]
    series = {k: [] for k in keys}
    running = Counter()
    for day in days:
        running.update(delta.get(day, Counter()))
        for k in keys:
            series[k].append(running[k])
    return days, series


@require_GET
@login_required
def progress_chart(request, pk):
    """The plan's progress over time as SVG (matplotlib), of the assignments the user
    may see."""
    plan = _plan_for(request, pk)
    days, series = status_history(visible_assignments(request.user).filter(activity__plan=plan),
                                  until=timezone.localdate())
    svg = charts.progress_chart(days, series, labels=dict(Assignment.Status.choices), fmt="svg")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_GET
@login_required
def overdue(request):
    """Overdue work in the user's scope: officers and leaders the whole province,
    reporters their own units; with days overdue, by plan and unit kind."""
    user = request.user
    today = timezone.localdate()
    base = visible_assignments(user).filter(Assignment.overdue_q(today))
    plans = Plan.objects.filter(pk__in=base.values("activity__plan_id")).only("id", "number", "title") \
        .order_by("-date", "-created_at")
    form = OverdueFilterForm(request.GET, plans=plans)
    f = form.cleaned_data if form.is_valid() else {}
    qs = base.select_related("unit", "activity__plan").annotate(due_on=Coalesce("due", "end"))
    if f.get("plan"):
        qs = qs.filter(activity__plan_id=f["plan"])
    if f.get("kind"):
        qs = qs.filter(unit__kind=f["kind"])
    due = F("due_on").desc() if f.get("sort") == "-due" else F("due_on").asc()
    qs = qs.order_by(due, "unit__name", "activity__position", "pk")
    page = Paginator(qs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    for a in page:
        a.days_late = (today - a.due_on).days
    return render(request, "plans/tracking/overdue.html", {
        "form": form, "page": page, "today": today, "query": _query_without_page(request),
        "sort": f.get("sort") or "due",
    })
