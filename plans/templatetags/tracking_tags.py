"""Filters of the tracking screens and the audit log: an audit event's before/after as
labelled rows, and the labels of its action and object type."""
from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from plans.models import Assignment, Evidence
from plans.tracking import ACTIONS

register = template.Library()

FIELDS = {
    "status": _("Trạng thái"),
    "status_reason": _("Lý do"),
    "review": _("Nghiệm thu"),
    "body": _("Nội dung"),
    "comment": _("Trao đổi"),
    "evidence": _("Minh chứng"),
    "kind": _("Loại"),
    "url": _("Liên kết"),
    "title": _("Mô tả"),
    "filename": _("Tên tệp"),
    "mime": _("Kiểu tệp"),
    "size": _("Dung lượng (byte)"),
    "sha256": "SHA-256",
    # banner specs (monitoring.services)
    "targets": _("Địa chỉ đích"),
    "keywords": _("Từ khóa"),
    "website": pgettext_lazy("one website", "Trang web"),
    "page_url": _("Trang cần kiểm tra"),
    "enabled": _("Được kiểm tra"),
    "phash": "pHash",
}
OBJECT_TYPES = {
    "assignment": _("Phân công"),
    "submission": _("Bài báo cáo"),
    "reportrequest": _("Yêu cầu báo cáo"),
    "reporttarget": _("Đơn vị nhận yêu cầu"),
    "bannerspec": _("Yêu cầu treo banner"),
}
_CODES = {
    "status": dict(Assignment.Status.choices),
    "review": dict(Assignment.Review.choices),
    "kind": dict(Evidence.Kind.choices),
}


def _value(key: str, value) -> str:
    if key in _CODES and value in _CODES[key]:
        return str(_CODES[key][value])
    if value is None or value == "":
        return "—"
    if key in ("comment", "evidence"):  # ids of rows the event made or removed
        return f"#{value}"
    if isinstance(value, (list, dict)):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


@register.filter
def change_rows(event) -> list[dict]:
    """One row per key of the event's before or after: label, before, after (text)."""
    before, after = event.before or {}, event.after or {}
    keys = list(before) + [k for k in after if k not in before]
    return [
        {"key": k, "label": FIELDS.get(k, k), "before": _value(k, before.get(k)) if k in before else "",
         "after": _value(k, after.get(k)) if k in after else ""}
        for k in keys
    ]


# Actions written by reporting.services and monitoring.services, labelled here so the
# one log reads alike.
OTHER_ACTIONS = {
    "request.create": _("Tạo yêu cầu báo cáo"),
    "request.update": _("Sửa yêu cầu báo cáo"),
    "request.status": _("Đổi trạng thái yêu cầu"),
    "target.token_revoke": _("Thu hồi liên kết riêng"),
    "target.token_renew": _("Cấp lại liên kết riêng"),
    "submission.save": _("Lưu nháp báo cáo"),
    "submission.submit": _("Gửi báo cáo"),
    "submission.approve": _("Duyệt báo cáo"),
    "submission.return": _("Trả lại báo cáo"),
    "banner_spec.create": _("Tạo yêu cầu treo banner"),
    "banner_spec.update": _("Sửa yêu cầu treo banner"),
    "banner_spec.image_add": _("Thêm ảnh banner mẫu"),
    "banner_spec.site_update": _("Đổi trang cần kiểm tra banner"),
}


@register.filter
def audit_action(code: str) -> str:
    return str(ACTIONS.get(code) or OTHER_ACTIONS.get(code, code))


@register.filter
def object_type(code: str) -> str:
    return str(OBJECT_TYPES.get(code, code))
