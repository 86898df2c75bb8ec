"""Plans in the REST API (mounted at /api/). Every list and object goes through
accounts.permissions, so a token sees exactly what its user sees in the browser."""

import datetime as dt
from typing import Literal

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from accounts.api_auth import api_auth
from accounts.permissions import can_edit_plans, visible_activities, visible_assignments, visible_plans
from directory.models import Province

from .models import Activity, Assignment, Mention, Plan
from .services import PlanImportError, plan_find_duplicate, plan_import_file, plan_review_unresolved

router = Router(auth=api_auth, tags=["plans"])


# --- Schemas --------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str


class PlanOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    issuer: str
    date: dt.date | None
    place: str
    province: str = Field(..., description="province code")
    window_start: dt.date | None
    window_end: dt.date | None
    version: int
    previous_id: int | None

    @staticmethod
    def resolve_province(obj) -> str:
        return obj.province.code


class PeriodOut(Schema):
    start: dt.date | None
    end: dt.date | None
    text: str


class PlanDetailOut(PlanOut):
    window_text: str
    signer: dict
    recipients: list
    references: list
    peaks: list[PeriodOut]
    activity_count: int

    @staticmethod
    def resolve_peaks(obj) -> list:
        return list(obj.peaks.all())

    @staticmethod
    def resolve_activity_count(obj) -> int:
        return obj.activities.count()


class AssignedUnit(Schema):
    id: int
    name: str
    role: str
    status: str


class ActivityOut(Schema):
    id: int
    plan_id: int
    position: int
    ref: str
    title: str
    time_text: str
    start: dt.date | None
    end: dt.date | None
    deadline: dt.date | None
    units: list[AssignedUnit] = Field(..., description="assignments the caller may see")

    @staticmethod
    def resolve_units(obj) -> list[dict]:
        return [
            {"id": a.unit_id, "name": a.unit.name, "role": a.role, "status": a.status}
            for a in obj.visible_assignments
        ]


class MentionOut(Schema):
    role: str
    text: str
    status: str
    unit_id: int | None
    group_id: int | None
    method: str


class ActivityDetailOut(ActivityOut):
    content: str
    form: str
    location: str
    duration: str
    audience: str
    funding: str
    recurrence: dict | None
    notes: list
    mentions: list[MentionOut]

    @staticmethod
    def resolve_mentions(obj) -> list:
        return list(obj.mentions.all())


class AssignmentOut(Schema):
    id: int
    activity_id: int
    plan_id: int
    activity_ref: str
    activity_title: str
    unit: UnitRef
    role: str
    status: str
    status_reason: str
    start: dt.date | None
    end: dt.date | None
    due: dt.date | None
    via_group_id: int | None
    overdue: bool

    @staticmethod
    def resolve_plan_id(obj) -> int:
        return obj.activity.plan_id

    @staticmethod
    def resolve_activity_ref(obj) -> str:
        return obj.activity.ref

    @staticmethod
    def resolve_activity_title(obj) -> str:
        return obj.activity.title

    @staticmethod
    def resolve_unit(obj) -> dict:
        return {"id": obj.unit_id, "name": obj.unit.name}

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


class AssignmentFilters(Schema):
    plan: int | None = None
    unit: int | None = None
    status: Literal["todo", "in_progress", "done", "not_done"] | None = None
    overdue: bool | None = None


class ImportOut(Schema):
    status: Literal["confirmed", "duplicate", "parsed"]
    plan_id: int | None
    import_id: str | None
    activities: int
    assignments: int
    unresolved: int = Field(..., description="mentions still ambiguous or unknown")


# --- Endpoints ------------------------------------------------------------------------


def _activities_for(user):
    return visible_activities(user).prefetch_related(
        Prefetch("assignments", queryset=visible_assignments(user).select_related("unit"),
                 to_attr="visible_assignments")
    )


@router.get("/plans", response=list[PlanOut])
@paginate(LimitOffsetPagination)
def plan_list(request):
    return visible_plans(request.user).select_related("province").order_by("-date", "-pk")


@router.get("/plans/{int:plan_id}", response=PlanDetailOut)
def plan_detail(request, plan_id: int):
    return get_object_or_404(visible_plans(request.user).select_related("province"), pk=plan_id)


@router.get("/plans/{int:plan_id}/activities", response=list[ActivityOut])
def plan_activities(request, plan_id: int):
    plan = get_object_or_404(visible_plans(request.user), pk=plan_id)
    return list(_activities_for(request.user).filter(plan=plan).order_by("position"))


@router.get("/activities/{int:activity_id}", response=ActivityDetailOut)
def activity_detail(request, activity_id: int):
    qs = _activities_for(request.user).prefetch_related(
        Prefetch("mentions", queryset=Mention.objects.order_by("role", "pk"))
    )
    return get_object_or_404(qs, pk=activity_id)


@router.get("/assignments", response=list[AssignmentOut])
@paginate(LimitOffsetPagination)
def assignment_list(request, filters: Query[AssignmentFilters]):
    qs = visible_assignments(request.user).select_related("unit", "activity")
    if filters.plan is not None:
        qs = qs.filter(activity__plan_id=filters.plan)
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue is not None:
        # the query form of Assignment.is_overdue
        today = timezone.localdate()
        late = (Q(due__lt=today) | Q(due__isnull=True, end__lt=today)) & ~Q(
            status__in=[Assignment.Status.DONE, Assignment.Status.NOT_DONE]
        )
        qs = qs.filter(late) if filters.overdue else qs.exclude(late)
    return qs.order_by("due", "activity__plan_id", "activity__position", "pk")


@router.post("/plans/import", response={200: ImportOut, 201: ImportOut})
def plan_import(request, file: File[UploadedFile], province: Form[str], confirm: bool = True):
    """Import a plan file into a province (officers of that province). With
    `?confirm=false` the file is only read and waits for review in the web UI."""
    province_row = Province.objects.filter(code=province).first()
    if province_row is None:
        raise HttpError(404, "Không có tỉnh với mã này.")
    if not can_edit_plans(request.user, province_row.pk):
        raise HttpError(403, "Bạn không có quyền nhập kế hoạch của tỉnh này.")
    if file.size and file.size > settings.PLAN_UPLOAD_MAX_BYTES:
        raise HttpError(400, f"Tệp quá lớn; giới hạn là {settings.PLAN_UPLOAD_MAX_BYTES / 2**20:.0f} MB.")
    data = file.read()
    existing = plan_find_duplicate(data=data, province=province_row)
    try:
        result = plan_import_file(
            data=data, filename=file.name or "upload", province=province_row, user=request.user, confirm=confirm
        )
    except PlanImportError as exc:
        raise HttpError(400, exc.message)
    if isinstance(result, Plan):
        counts = Activity.objects.filter(plan=result).aggregate(
            activities=Count("pk", distinct=True), assignments=Count("assignments", distinct=True)
        )
        unresolved = Mention.objects.filter(
            activity__plan=result, status__in=[Mention.Status.AMBIGUOUS, Mention.Status.UNKNOWN]
        ).count()
        out = {
            "status": "duplicate" if existing else "confirmed", "plan_id": result.pk, "import_id": None,
            "activities": counts["activities"], "assignments": counts["assignments"], "unresolved": unresolved,
        }
        return Status(200 if existing else 201, out)
    return Status(201, {
        "status": "parsed", "plan_id": None, "import_id": str(result.pk),
        "activities": len(result.review["activities"]), "assignments": 0,
        "unresolved": plan_review_unresolved(result.review),
    })
