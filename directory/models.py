"""The directory of units: who can be assigned work, under which names, and when.

A unit exists from `valid_from` to `valid_to` (inclusive; open ends are null), so a plan
dated 2023 resolves against the units of 2023. Restructurings are `Succession` rows.
"""
from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from planwatch.lib.text import fold, normalize


def valid_on_q(on: dt.date | None, prefix: str = "") -> Q:
    """Rows valid on `on` (every row when `on` is None)."""
    if on is None:
        return Q()
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


class Province(models.Model):
    name = models.CharField(_("tên"), max_length=100)  # "Đắk Nông"
    code = models.SlugField(_("mã"), max_length=40, unique=True)  # "dak-nong"
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("sáp nhập vào"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    is_demo = models.BooleanField(_("dữ liệu mẫu"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tỉnh")
        verbose_name_plural = _("tỉnh")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        PROVINCE_COMMITTEE = "ubnd_tinh", _("UBND tỉnh")
        DEPARTMENT = "so_nganh", _("Sở, ban, ngành")
        PARTY = "dang", _("Cơ quan Đảng")
        MASS_ORG = "doan_the", _("Mặt trận, đoàn thể")
        DISTRICT = "ubnd_huyen", _("UBND cấp huyện")
        COMMUNE = "ubnd_xa", _("UBND cấp xã")
        PRESS_CENTRAL = "bao_chi_tw", _("Cơ quan báo chí Trung ương")
        PRESS_LOCAL = "bao_chi_dp", _("Cơ quan báo chí địa phương")
        BULLETIN = "ban_tin", _("Đơn vị xuất bản bản tin")
        ARMED = "luc_luong_vu_trang", _("Lực lượng vũ trang")
        CENTRAL = "trung_uong", _("Cơ quan Trung ương")
        ENTERPRISE = "doanh_nghiep", _("Doanh nghiệp")
        OTHER = "khac", _("Khác")

    name = models.CharField(_("tên đầy đủ"), max_length=300)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    kind = models.CharField(_("loại"), max_length=24, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="children",
    )
    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_demo = models.BooleanField(_("dữ liệu mẫu"), default=False)
    search_key = models.CharField(max_length=300, editable=False, db_index=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_valid_on(self, on: dt.date | None) -> bool:
        if on is None:
            return True
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)

    def save(self, *args, **kwargs):
        self.search_key = fold(self.name)
        super().save(*args, **kwargs)


class UnitGroup(models.Model):
    """A collective phrase and its members. Members are the explicit `members` plus,
    when `kinds` is set, every unit of those kinds in `province` valid on the date."""

    name = models.CharField(_("tên nhóm"), max_length=200)  # "Các Sở, Ban, ngành"
    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), null=True, blank=True, on_delete=models.CASCADE, related_name="groups"
    )
    kinds = models.JSONField(_("loại đơn vị thành viên"), default=list, blank=True)
    members = models.ManyToManyField(Unit, verbose_name=_("thành viên"), blank=True, related_name="groups")
    is_demo = models.BooleanField(_("dữ liệu mẫu"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nhóm đơn vị")
        verbose_name_plural = _("nhóm đơn vị")

    def __str__(self) -> str:
        return self.name

    def members_on(self, on: dt.date | None) -> models.QuerySet[Unit]:
        """The member units valid on `on`, by name."""
        q = Q(pk__in=self.members.values("pk"))
        if self.kinds:
            q |= Q(kind__in=self.kinds, province=self.province)
        return Unit.objects.filter(q).filter(valid_on_q(on)).distinct().order_by("name")


class Alias(models.Model):
    """Another way a unit or a group is written: "Sở TT&TT", "Báo Đắk Nông", "Các Sở,
    Ban, ngành". Exactly one of `unit` and `group` is set. `key` is `normalize(text)`."""

    text = models.CharField(_("cách viết"), max_length=300)
    key = models.CharField(max_length=300, editable=False, db_index=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases")
    group = models.ForeignKey(UnitGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name = _("tên gọi khác")
        verbose_name_plural = _("tên gọi khác")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False, group__isnull=True) | Q(unit__isnull=True, group__isnull=False)),
                name="alias_unit_xor_group",
            )
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        self.key = normalize(self.text)
        super().save(*args, **kwargs)


class Succession(models.Model):
    """`predecessor` passed its duties (all, or those in `note`) to `successor` on `effective`."""

    class Kind(models.TextChoices):
        MERGED = "merged", _("Sáp nhập")
        RENAMED = "renamed", _("Đổi tên")
        DUTIES = "duties", _("Chuyển giao nhiệm vụ")
        DISSOLVED = "dissolved", _("Giải thể")

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="inherited")
    effective = models.DateField(_("ngày hiệu lực"))
    kind = models.CharField(_("hình thức"), max_length=16, choices=Kind.choices, default=Kind.MERGED)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("dữ liệu mẫu"), default=False)

    class Meta:
        ordering = ["effective"]
        verbose_name = _("kế thừa")
        verbose_name_plural = _("kế thừa")

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor or '∅'} ({self.effective:%d/%m/%Y})"


class Website(models.Model):
    class Kind(models.TextChoices):
        PORTAL = "portal", _("Cổng/Trang thông tin điện tử")
        NEWS = "news", _("Trang tin tức")
        SOCIAL = "social", _("Mạng xã hội")
        OTHER = "other", _("Khác")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="websites")
    url = models.URLField(_("địa chỉ"), max_length=500)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices, default=Kind.PORTAL)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("dữ liệu mẫu"), default=False)

    class Meta:
        ordering = ["unit", "kind", "url"]
        verbose_name = _("trang web")
        verbose_name_plural = _("trang web")
        constraints = [models.UniqueConstraint(fields=["unit", "url"], name="website_unit_url_unique")]

    def __str__(self) -> str:
        return self.url
