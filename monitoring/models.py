"""Banner monitoring: what to look for (BannerSpec), where (SiteSpec, default the
website's home page), what each check found (Check) and where each site stands now
(SiteState).

History: a BannerEvent row is written whenever a site's banner presence changes
(placed / removed). Errors do not change presence: a site that was down yesterday
keeps its last known presence, so a flaky server does not produce removed/placed
pairs. The full evidence trail is the list of Check rows.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.models import Province, Unit, Website
from plans.models import Plan


class BannerSpec(models.Model):
    """The banner of one plan or campaign, checked on every unit's website."""

    province = models.ForeignKey(Province, verbose_name=_("tỉnh"), on_delete=models.CASCADE, related_name="banner_specs")
    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), null=True, blank=True, on_delete=models.CASCADE, related_name="banner_specs"
    )
    name = models.CharField(_("tên"), max_length=200)
    targets = models.JSONField(_("địa chỉ đích (URL hoặc tiền tố)"), default=list)
    keywords = models.JSONField(_("từ khóa (alt, title)"), default=list, blank=True)
    interval_minutes = models.PositiveIntegerField(_("chu kỳ kiểm tra (phút)"), default=24 * 60)
    peak_interval_minutes = models.PositiveIntegerField(_("chu kỳ trong đợt cao điểm (phút)"), default=6 * 60)
    max_distance = models.PositiveSmallIntegerField(_("ngưỡng sai khác ảnh (bit)"), default=10)
    obey_robots = models.BooleanField(_("tuân theo robots.txt"), default=True)
    render_js = models.BooleanField(_("dựng trang bằng trình duyệt khi trang trống"), default=False)
    active = models.BooleanField(_("đang theo dõi"), default=True)
    last_round_at = models.DateTimeField(_("lượt kiểm tra gần nhất"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("yêu cầu treo banner")
        verbose_name_plural = _("yêu cầu treo banner")

    def __str__(self) -> str:
        return self.name

    def interval_on(self, day) -> int:
        """Minutes between rounds on `day`: shorter during one of the plan's peaks."""
        if self.plan_id is None:
            return self.interval_minutes
        from plans.models import overlaps_peak

        return self.peak_interval_minutes if overlaps_peak(day, day, self.plan.peaks.all()) else self.interval_minutes


class ReferenceImage(models.Model):
    spec = models.ForeignKey(BannerSpec, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("ảnh banner mẫu"), upload_to="banners/%Y/")
    phash = models.CharField(max_length=32)  # hex pHash (imagehash), compared by Hamming distance
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ảnh banner mẫu")
        verbose_name_plural = _("ảnh banner mẫu")


class SiteSpec(models.Model):
    """Which page of a website to check for a spec, when it is not the home page."""

    spec = models.ForeignKey(BannerSpec, on_delete=models.CASCADE, related_name="site_specs")
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="+")
    page_url = models.URLField(_("trang cần kiểm tra"), max_length=500, blank=True)
    enabled = models.BooleanField(_("kiểm tra"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["spec", "website"], name="sitespec_spec_website_unique")]


class Verdict(models.TextChoices):
    PRESENT = "present", _("Đã treo banner")
    ABSENT = "absent", _("Chưa treo banner")
    ERROR = "error", _("Lỗi kiểm tra")


class Round(models.Model):
    """One pass over the sites of a selection; consumers split it by claiming
    SiteState rows (see services.banners_check)."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    label = models.CharField(max_length=200, blank=True)
    sites = models.PositiveIntegerField(default=0)


class Check(models.Model):
    """The evidence of one check of one page."""

    class Method(models.TextChoices):
        STATIC = "static", _("HTML tĩnh")
        RENDERED = "rendered", _("Trình duyệt")

    spec = models.ForeignKey(BannerSpec, on_delete=models.CASCADE, related_name="checks")
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks")
    checked_at = models.DateTimeField(_("thời điểm"), db_index=True)
    page_url = models.URLField(max_length=1000)
    final_url = models.URLField(_("địa chỉ cuối"), max_length=1000, blank=True)
    http_status = models.PositiveSmallIntegerField(_("mã HTTP"), null=True, blank=True)
    verdict = models.CharField(_("kết quả"), max_length=8, choices=Verdict.choices)
    reason = models.CharField(_("lý do"), max_length=32, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    snippet = models.TextField(_("đoạn HTML"), blank=True)  # bounded by checker.SNIPPET_CHARS
    href = models.URLField(max_length=1000, blank=True)
    src = models.URLField(max_length=1000, blank=True)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.STATIC)
    screenshot = models.FileField(upload_to="banner-shots/%Y/%m/", blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=80, blank=True)  # which consumer ran it (host:pid)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["spec", "website", "-checked_at"])]

    REASONS = {
        "link": _("Có liên kết tới trang đích"),
        "redirect_link": _("Có liên kết rút gọn chuyển tới trang đích"),
        "image": _("Có ảnh banner trùng ảnh mẫu"),
        "frame_link": _("Có liên kết trong khung nhúng"),
        "frame_image": _("Có ảnh banner trong khung nhúng"),
        "frame_redirect_link": _("Có liên kết rút gọn trong khung nhúng"),
        "timeout": _("Quá thời gian chờ"),
        "dns": _("Không phân giải được tên miền"),
        "tls": _("Lỗi chứng chỉ TLS"),
        "connect": _("Không kết nối được"),
        "http_4xx": _("Trang trả lỗi 4xx"),
        "http_5xx": _("Máy chủ lỗi 5xx"),
        "too_large": _("Trang quá lớn"),
        "too_many_redirects": _("Chuyển hướng quá nhiều lần"),
        "blocked_address": _("Địa chỉ bị chặn (mạng nội bộ)"),
        "robots": _("robots.txt không cho phép"),
        "bad_url": _("Địa chỉ không hợp lệ"),
        "unsupported_scheme": _("Chuyển tới địa chỉ không phải http(s)"),
        "bad_redirect": _("Chuyển hướng không có địa chỉ đích"),
        "candidate_unverified": _("Không tải được ảnh hoặc liên kết nghi là banner"),
        "internal": _("Lỗi của chương trình kiểm tra"),
    }

    @property
    def reason_label(self) -> str:
        if self.verdict == Verdict.ABSENT:
            return str(_("Không thấy banner"))
        return str(self.REASONS.get(self.reason, self.reason))


class SiteState(models.Model):
    """Where one website stands for one spec: the last verdict, the last known
    presence and since when; also the round claim of the consumer checking it."""

    class Banner(models.TextChoices):
        UNKNOWN = "", _("Chưa rõ")
        PRESENT = "present", _("Đã treo banner")
        ABSENT = "absent", _("Chưa treo banner")

    spec = models.ForeignKey(BannerSpec, on_delete=models.CASCADE, related_name="states")
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("kết quả gần nhất"), max_length=8, choices=Verdict.choices, blank=True)
    banner = models.CharField(_("banner"), max_length=8, choices=Banner.choices, blank=True, default="")
    since = models.DateTimeField(_("từ"), null=True, blank=True)  # when `banner` took its value
    last_check = models.ForeignKey(Check, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_checked_at = models.DateTimeField(null=True, blank=True)
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="pending")
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["spec", "website"], name="sitestate_spec_website_unique")]
        indexes = [models.Index(fields=["round", "claimed_at"])]


class BannerEvent(models.Model):
    """The banner appeared on (placed) or disappeared from (removed) a site."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("Treo banner")
        REMOVED = "removed", _("Gỡ banner")

    spec = models.ForeignKey(BannerSpec, on_delete=models.CASCADE, related_name="events")
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    at = models.DateTimeField()
    check_row = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-at"]
