"""Plans, their activities, the unit mentions read from them, and assignments.

An import goes through `PlanImport`: the parser's reading is kept there, the officer
reviews and corrects it, and confirming writes Plan, Activities, Mentions and
Assignments in one transaction (plans.services.plan_confirm).
"""
from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from directory.models import Province, Unit, UnitGroup
from planwatch.lib.text import fold


class Role(models.TextChoices):
    """A unit's part in an activity, for mentions and assignments alike."""

    LEAD = "lead", _("Chủ trì")
    SUPPORT = "support", _("Phối hợp")


class PlanImport(models.Model):
    """An uploaded document and the parser's reading of it, until it is confirmed."""

    class Status(models.TextChoices):
        PARSED = "parsed", _("Chờ rà soát")
        FAILED = "failed", _("Lỗi đọc tệp")
        CONFIRMED = "confirmed", _("Đã xác nhận")
        DISCARDED = "discarded", _("Đã hủy")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.PARSED)
    error = models.TextField(_("lỗi"), blank=True)
    # The parser's Plan as JSON (docparse.Plan.to_json), untouched.
    parsed = models.JSONField(default=dict, blank=True)
    # The reading under review: header fields and activities, each mention with its
    # resolution; the officer's corrections are written here until confirmation.
    review = models.JSONField(default=dict, blank=True)
    plan = models.ForeignKey("Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="imports")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lượt nhập kế hoạch")
        verbose_name_plural = _("lượt nhập kế hoạch")

    def __str__(self) -> str:
        return self.filename


class Plan(models.Model):
    province = models.ForeignKey(Province, verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="plans")
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    kind = models.CharField(_("loại văn bản"), max_length=100, blank=True)
    title = models.TextField(_("trích yếu"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=300, blank=True)
    issuer_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị ban hành"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    signer = models.JSONField(_("người ký"), default=dict, blank=True)
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)
    references = models.JSONField(_("căn cứ"), default=list, blank=True)
    window_start = models.DateField(_("thực hiện từ"), null=True, blank=True)
    window_end = models.DateField(_("thực hiện đến"), null=True, blank=True)
    window_text = models.TextField(_("thời gian (nguyên văn)"), blank=True)
    text = models.TextField(_("toàn văn"), blank=True)
    source_name = models.CharField(_("tệp gốc"), max_length=255, blank=True)
    source_format = models.CharField(max_length=16, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    file = models.FileField(upload_to="plans/%Y/%m/", blank=True)
    previous = models.ForeignKey(
        "self", verbose_name=_("phiên bản trước"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="next_versions",
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(_("dữ liệu mẫu"), default=False)
    search_key = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")

    def __str__(self) -> str:
        return f"{self.number} {self.title[:80]}".strip()

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.number} {self.title} {self.issuer}")
        super().save(*args, **kwargs)


class PlanPeriod(models.Model):
    """A peak period (cao điểm) of a plan; shaded on the timeline."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="peaks")
    start = models.DateField(_("từ"), null=True, blank=True)
    end = models.DateField(_("đến"), null=True, blank=True)
    text = models.TextField(_("nguyên văn"), blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("đợt cao điểm")
        verbose_name_plural = _("đợt cao điểm")


def overlaps_peak(start: dt.date | None, end: dt.date | None, peaks) -> bool:
    """Whether the days start..end overlap one of `peaks` (PlanPeriods). An open end
    counts as the single known day; no date at all overlaps nothing."""
    start, end = start or end, end or start
    if start is None:
        return False
    for p in peaks:
        p_start, p_end = p.start or p.end, p.end or p.start
        if p_start is not None and start <= p_end and p_start <= end:
            return True
    return False


class Activity(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveIntegerField(default=0)
    ref = models.CharField(_("mục"), max_length=60)
    title = models.TextField(_("tên hoạt động"))
    content = models.TextField(_("nội dung"), blank=True)
    form = models.TextField(_("hình thức"), blank=True)
    location = models.TextField(_("địa điểm"), blank=True)
    duration = models.TextField(_("thời lượng"), blank=True)
    audience = models.TextField(_("đối tượng"), blank=True)
    funding = models.TextField(_("kinh phí"), blank=True)
    time_text = models.TextField(_("thời gian (nguyên văn)"), blank=True)
    start = models.DateField(_("bắt đầu"), null=True, blank=True)
    end = models.DateField(_("kết thúc"), null=True, blank=True)
    deadline = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    recurrence = models.JSONField(_("định kỳ"), null=True, blank=True)
    span_start = models.PositiveIntegerField(null=True, blank=True)  # lines of plan.text, 1-based
    span_end = models.PositiveIntegerField(null=True, blank=True)
    notes = models.JSONField(default=list, blank=True)
    search_key = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")

    def __str__(self) -> str:
        return f"{self.ref} {self.title[:80]}"

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.ref} {self.title} {self.content[:2000]}")
        super().save(*args, **kwargs)

    @property
    def due(self) -> dt.date | None:
        return self.deadline or self.end

    def in_peak(self, peaks) -> bool:
        """Whether the activity's days overlap one of its plan's peak periods."""
        return overlaps_peak(self.start, self.end or self.deadline, peaks)


class Mention(models.Model):
    """A unit as written in an activity ("UBND các huyện, thành phố") and what it resolved to."""

    Role = Role

    class Status(models.TextChoices):
        UNIT = "unit", _("Đã xác định đơn vị")
        GROUP = "group", _("Nhóm đơn vị")
        AMBIGUOUS = "ambiguous", _("Chưa rõ (nhiều khả năng)")
        UNKNOWN = "unknown", _("Không tìm thấy")
        IGNORED = "ignored", _("Bỏ qua")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="mentions")
    role = models.CharField(max_length=8, choices=Role.choices)
    text = models.CharField(_("nguyên văn"), max_length=500)
    status = models.CharField(max_length=12, choices=Status.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="mentions")
    group = models.ForeignKey(UnitGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="mentions")
    method = models.CharField(max_length=16, blank=True)  # alias, abbreviation, fuzzy, manual

    class Meta:
        ordering = ["activity", "role", "id"]


class Assignment(models.Model):
    """One unit's part in one activity, as lead or as support."""

    Role = Role

    class Status(models.TextChoices):
        NOT_STARTED = "todo", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Hoàn thành")
        NOT_DONE = "not_done", _("Không thực hiện")

    class Review(models.TextChoices):
        NONE = "", _("Chưa xem xét")
        ACCEPTED = "accepted", _("Đã chấp nhận")
        RETURNED = "returned", _("Trả lại")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("vai trò"), max_length=8, choices=Role.choices)
    start = models.DateField(_("bắt đầu"), null=True, blank=True)
    end = models.DateField(_("kết thúc"), null=True, blank=True)
    due = models.DateField(_("hạn"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    status_reason = models.TextField(_("lý do"), blank=True)
    # The department's verdict on the reported work (accept, or return with a comment).
    review = models.CharField(_("nghiệm thu"), max_length=10, choices=Review.choices, default=Review.NONE, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    via_group = models.ForeignKey(UnitGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mention = models.ForeignKey(Mention, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due", "activity__position"]
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.UniqueConstraint(fields=["activity", "unit", "role"], name="assignment_activity_unit_role_unique")
        ]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["due"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.activity}"

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.NOT_DONE)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Past its due date (or the end of its window) and not closed."""
        today = today or timezone.localdate()
        due = self.due or self.end
        return due is not None and due < today and not self.is_closed

    @classmethod
    def overdue_q(cls, today: dt.date) -> models.Q:
        """is_overdue() as a filter, for lists that sort or count overdue work."""
        late = models.Q(due__lt=today) | models.Q(due__isnull=True, end__lt=today)
        return late & ~models.Q(status__in=[cls.Status.DONE, cls.Status.NOT_DONE])

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """The days the work spans: its own dates, else its activity's (load `activity`
        with the assignment, or this costs a query)."""
        start = self.start or self.activity.start
        end = self.end or self.due or self.activity.end or self.activity.deadline
        if start and end and end < start:
            start, end = end, start
        return start, end

    def in_peak(self, peaks) -> bool:
        """Whether the work's window overlaps one of `peaks` (its plan's PlanPeriods):
        such work is marked "cao điểm"."""
        return overlaps_peak(*self.window(), peaks)


class Evidence(models.Model):
    """Proof of an assignment's work: a link to a published article or post, or an
    uploaded file (PDF, DOCX, XLSX, image) whose type was checked from its content."""

    class Kind(models.TextChoices):
        LINK = "link", _("Liên kết")
        FILE = "file", _("Tệp")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    url = models.URLField(_("liên kết"), max_length=2000, blank=True)
    title = models.CharField(_("mô tả"), max_length=500, blank=True)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    filename = models.CharField(_("tên tệp"), max_length=255, blank=True)
    mime = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.url or self.filename


class Comment(models.Model):
    """The thread of an assignment: the unit's progress notes, the department's
    comments, and its accept/return verdicts (which carry their comment here)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", pgettext_lazy("progress note", "Tiến độ")
        COMMENT = "comment", _("Trao đổi")
        ACCEPT = "accept", _("Chấp nhận")
        RETURN = "return", _("Trả lại")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("trao đổi")
        verbose_name_plural = _("trao đổi")
