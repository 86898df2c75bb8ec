"""Forms of the plans screens: they check input only; the services do the work."""
from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Mention
from .services import ACTIVITY_FIELDS, HEADER_FIELDS

# What the upload form offers to pick; the parser decides what it can read.
UPLOAD_ACCEPT = ".docx,.doc,.pdf,.txt,.md,.png,.jpg,.jpeg,.tif,.tiff"

_KEY = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_CHOICE = re.compile(r"^(?:(unit|group):(\d+)|ignore|reset)$")


def _key(value: str, label) -> str:
    if not _KEY.match(value or ""):
        raise forms.ValidationError(_("%(label)s không hợp lệ."), params={"label": label})
    return value


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp kế hoạch"),
        help_text=_("Word (.docx, .doc), PDF, văn bản (.txt, .md) hoặc ảnh chụp."),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )

    def clean_file(self):
        # Checked before the view reads the file into memory; the service checks again.
        f = self.cleaned_data["file"]
        limit = settings.PLAN_UPLOAD_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(
                _("Tệp quá lớn (%(size).1f MB); giới hạn là %(limit).0f MB."),
                params={"size": f.size / 2**20, "limit": limit / 2**20},
            )
        return f


class ReviewFieldsForm(forms.Form):
    """The header (no activity_key) or one activity's fields. Only the fields present in
    the POST are applied, so a card may post one input (htmx) or all of them."""

    activity_key = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.values: dict[str, str] = {}

    def clean_activity_key(self):
        value = self.cleaned_data["activity_key"].strip()
        return _key(value, _("Mã hoạt động")) if value else None

    def clean(self):
        cleaned = super().clean()
        names = ACTIVITY_FIELDS if cleaned.get("activity_key") else HEADER_FIELDS
        for name in names:
            if name == "include":
                # A checkbox posts nothing when unticked; the hidden "include_shown"
                # says the checkbox was on the form.
                if "include_shown" in self.data:
                    self.values["include"] = "1" if self.data.get("include") else ""
            elif name in self.data:
                self.values[name] = self.data.get(name, "").strip()
        if not self.values:
            raise forms.ValidationError(_("Không có trường nào để lưu."))
        return cleaned


class MentionChoiceForm(forms.Form):
    """The picker: "unit:<id>", "group:<id>", "ignore", or "reset" (resolve the text
    again, undoing an earlier choice)."""

    activity_key = forms.CharField()
    mention_key = forms.CharField()
    choice = forms.CharField(label=_("Đơn vị"))

    def clean_activity_key(self):
        return _key(self.cleaned_data["activity_key"], _("Mã hoạt động"))

    def clean_mention_key(self):
        return _key(self.cleaned_data["mention_key"], _("Mã đơn vị được nêu"))

    def clean_choice(self):
        m = _CHOICE.match(self.cleaned_data["choice"].strip())
        if not m:
            raise forms.ValidationError(_("Hãy chọn một đơn vị, một nhóm hoặc “bỏ qua”."))
        return m

    def service_kwargs(self) -> dict:
        m = self.cleaned_data["choice"]
        kind, pk = m.group(1), m.group(2)
        if kind == "unit":
            return {"unit_id": int(pk)}
        if kind == "group":
            return {"group_id": int(pk)}
        return {"ignore": True} if m.group(0) == "ignore" else {}


class MentionAddForm(forms.Form):
    activity_key = forms.CharField()
    role = forms.ChoiceField(label=_("Vai trò"), choices=Mention.Role.choices)
    text = forms.CharField(label=_("Tên đơn vị"), max_length=500)

    def clean_activity_key(self):
        return _key(self.cleaned_data["activity_key"], _("Mã hoạt động"))


class MentionRemoveForm(forms.Form):
    activity_key = forms.CharField()
    mention_key = forms.CharField()

    def clean_activity_key(self):
        return _key(self.cleaned_data["activity_key"], _("Mã hoạt động"))

    def clean_mention_key(self):
        return _key(self.cleaned_data["mention_key"], _("Mã đơn vị được nêu"))


class PlanSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False, max_length=200)
