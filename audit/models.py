"""The audit trail: every change to an assignment, a submission or a review, with who
made it, when, and the values before and after (issue 4, "Audit")."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Who acted, as shown: the user name, or "liên kết riêng: <unit>" for a token link.
    actor_label = models.CharField(max_length=300, blank=True)
    action = models.CharField(_("thao tác"), max_length=60)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    # Scope, so that the log filters through the same rules as the objects themselves.
    province = models.ForeignKey("directory.Province", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey("directory.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("sự kiện")
        verbose_name_plural = _("nhật ký thay đổi")

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"
