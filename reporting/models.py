"""Report requests (the "báo cáo kết quả" of seed 001), the units asked to answer them,
their submissions, and the exports built from them.

A ReportRequest belongs to a plan and lists Metrics. Each unit asked is a Target (chosen
directly or through a group); a Target also carries the unit's token link for units
without accounts. A unit has at most one Submission per request (a database constraint),
which moves draft → submitted → returned/approved and stays editable until the deadline.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Province, Unit, UnitGroup
from planwatch.lib import tokens

# Unambiguous characters for short links that are read aloud and typed from paper.
SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SLUG_LENGTH = 7
TOKEN_PURPOSE = "report-target"


def new_slug() -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


class ReportRequest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        OPEN = "open", _("Đang nhận báo cáo")
        CLOSED = "closed", _("Đã đóng")

    plan = models.ForeignKey("plans.Plan", verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="report_requests")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="report_requests")
    title = models.CharField(_("tiêu đề"), max_length=500)
    description = models.TextField(_("hướng dẫn"), blank=True)
    slug = models.CharField(_("mã liên kết ngắn"), max_length=16, unique=True, default=new_slug, editable=False)
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    # Online answers are accepted (and editable) until this moment; later ones are flagged late.
    deadline = models.DateTimeField(_("hạn báo cáo trực tuyến"))
    written_deadline = models.DateField(_("hạn gửi báo cáo bằng văn bản"), null=True, blank=True)
    # Reminder emails go this many days before the deadline (then again once overdue).
    remind_days = models.PositiveSmallIntegerField(_("nhắc trước (ngày)"), default=3)
    groups = models.ManyToManyField(UnitGroup, verbose_name=_("nhóm đơn vị"), blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # One more with every rewrite of its metrics: answers keep a request's metrics in
    # memory under (id, slug, this) (reporting.services.request_metrics).
    metrics_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("yêu cầu báo cáo")
        verbose_name_plural = _("yêu cầu báo cáo")

    def __str__(self) -> str:
        return self.title

    def is_past_deadline(self, now=None) -> bool:
        return (now or timezone.now()) > self.deadline

    def accepts_answers(self, now=None) -> bool:
        """Open and not past the deadline: reporters may save, submit and edit."""
        return self.status == self.Status.OPEN and not self.is_past_deadline(now)


class Metric(models.Model):
    class Kind(models.TextChoices):
        COUNT = "count", _("Số lượng")
        BOOLEAN = "boolean", _("Có/Không")
        DATE = "date", _("Ngày")
        TEXT = "text", _("Văn bản")
        URLS = "urls", _("Danh sách liên kết")
        FILE = "file", _("Tệp đính kèm")

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="metrics")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(_("chỉ tiêu"), max_length=500)
    kind = models.CharField(_("kiểu"), max_length=8, choices=Kind.choices)
    help = models.CharField(_("ghi chú"), max_length=500, blank=True)
    required = models.BooleanField(_("bắt buộc"), default=False)
    # The plan activity this metric reports on, when there is one (e.g. the banner).
    activity = models.ForeignKey("plans.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        # Not by request: a join on every read of a request's metrics (the rush path).
        ordering = ["position", "id"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        """The key of this metric's answer in Submission.values."""
        return str(self.pk)


class Target(models.Model):
    """A unit asked to answer a request, and its token link (planwatch.lib.tokens)."""

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="report_targets")
    via_group = models.ForeignKey(UnitGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_nonce = models.CharField(max_length=64, blank=True, default=tokens.new_nonce, editable=False)
    token_revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["request", "unit"], name="target_request_unit_unique")]
        verbose_name = _("đơn vị được yêu cầu")
        verbose_name_plural = _("đơn vị được yêu cầu")

    def __str__(self) -> str:
        return f"{self.request} · {self.unit}"

    @property
    def token(self) -> str | None:
        """The unit's current token, or None once revoked."""
        return tokens.make(TOKEN_PURPOSE, self.pk, self.token_nonce) if self.token_nonce else None

    def check_token(self, token: str) -> bool:
        return tokens.check(TOKEN_PURPOSE, token, self.pk, self.token_nonce)


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        SUBMITTED = "submitted", _("Đã gửi")
        RETURNED = "returned", _("Trả lại để sửa")
        APPROVED = "approved", _("Đã duyệt")

    # PROTECT: a request that has answers cannot be deleted (the admin says which)
    request = models.ForeignKey(ReportRequest, on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # {metric.key: value}: int for counts, bool, "YYYY-MM-DD", text, [url, ...];
    # file metrics list SubmissionFile ids.
    values = models.JSONField(default=dict, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Set when an answer arrived after the request's deadline (kept once set).
    is_late = models.BooleanField(_("nộp muộn"), default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via_token = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của Sở"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["request", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["request", "unit"], name="submission_request_unit_unique")]
        indexes = [models.Index(fields=["request", "status"])]
        verbose_name = _("báo cáo của đơn vị")
        verbose_name_plural = _("báo cáo của đơn vị")

    def __str__(self) -> str:
        return f"{self.unit} · {self.request}"

    @property
    def is_sent(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.APPROVED)


class SubmissionFile(models.Model):
    """A file answering a file metric; type checked from the content, stored with its hash."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="submissions/%Y/%m/")
    filename = models.CharField(max_length=255)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]


class Export(models.Model):
    """A document built in the background (queue job) for download."""

    class Kind(models.TextChoices):
        XLSX = "xlsx", _("Bảng tổng hợp (XLSX)")
        DOCX = "docx", _("Báo cáo (DOCX)")
        PDF = "pdf", _("Báo cáo (PDF)")
        REMINDER = "reminder", _("Công văn đôn đốc (DOCX)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")

    request = models.ForeignKey(ReportRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="exports")
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # What to build: e.g. the letter's number, signer, or the activity whose laggards it lists.
    params = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tệp xuất")
        verbose_name_plural = _("tệp xuất")


class Reminder(models.Model):
    """One reminder email sent; the constraint keeps the periodic job from sending the
    same reminder twice (used by reporting.reminders)."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Sắp đến hạn")
        OVERDUE = "overdue", _("Quá hạn")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    # What the reminder is about: a report target, or an assignment.
    target = models.ForeignKey(Target, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    assignment = models.ForeignKey("plans.Assignment", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "target", "user", "due"], name="reminder_target_once"),
            models.UniqueConstraint(fields=["kind", "assignment", "user", "due"], name="reminder_assignment_once"),
        ]
