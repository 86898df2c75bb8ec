from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. What they may see follows from `role`:

    - officer: a department officer; reads and edits everything in `province`;
    - reporter: a unit reporter; sees the work of the units in `units` only;
    - leader: reads everything in `province`, edits nothing.
    Superusers see everything (the back office)."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Cán bộ Sở")
        REPORTER = "reporter", _("Cán bộ đơn vị")
        LEADER = "leader", _("Lãnh đạo")

    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices, default=Role.REPORTER)
    province = models.ForeignKey(
        "directory.Province", verbose_name=_("tỉnh"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    units = models.ManyToManyField("directory.Unit", verbose_name=_("đơn vị"), blank=True, related_name="users")
    # Nonce of the private calendar feed link (planwatch.lib.tokens); empty = no feed.
    calendar_nonce = models.CharField(max_length=64, blank=True, editable=False)

    @property
    def is_officer(self) -> bool:
        return self.is_superuser or self.role == self.Role.OFFICER

    @property
    def is_leader(self) -> bool:
        return self.role == self.Role.LEADER

    @property
    def is_reporter(self) -> bool:
        return self.role == self.Role.REPORTER and not self.is_superuser

    def can_edit_province(self, province_id: int | None) -> bool:
        """Officers edit their own province's plans and directory; superusers any."""
        if self.is_superuser:
            return True
        return self.role == self.Role.OFFICER and province_id is not None and province_id == self.province_id

    def can_read_province(self, province_id: int | None) -> bool:
        if self.is_superuser:
            return True
        return self.role in (self.Role.OFFICER, self.Role.LEADER) and province_id == self.province_id


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token itself is
    shown once, when created (`manage.py createtoken`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)  # lets a user tell tokens apart
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Invite(models.Model):
    """An officer's invitation to a unit reporter. The email carries a one-time link
    whose SHA-256 alone is stored; following it lets the person set a password."""

    email = models.EmailField(_("thư điện tử"))
    province = models.ForeignKey("directory.Province", on_delete=models.PROTECT, related_name="+")
    units = models.ManyToManyField("directory.Unit", verbose_name=_("đơn vị"), related_name="+")
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invites")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lời mời")
        verbose_name_plural = _("lời mời")

    def __str__(self) -> str:
        return self.email
