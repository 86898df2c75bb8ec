"""Forms of the assignment page and the dashboards. They check the shape of the input;
the rules (reason for 'not done', http(s) links, file types) live in plans.tracking."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Unit
from planwatch.lib.uploads import MAX_BYTES

from .models import Assignment
from .tracking import TEXT_MAX, TITLE_MAX, URL_MAX


ALL = [("", _("Tất cả"))]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": TEXT_MAX})


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), choices=Assignment.Status.choices)
    reason = forms.CharField(label=_("Lý do (bắt buộc khi không thực hiện)"), required=False,
                             max_length=TEXT_MAX, widget=_textarea(2))


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Ghi chú tiến độ"), max_length=TEXT_MAX, widget=_textarea())


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Nội dung trao đổi"), max_length=TEXT_MAX, widget=_textarea())


class LinkForm(forms.Form):
    # A CharField, not a URLField: plans.tracking says which addresses are accepted.
    url = forms.CharField(label=_("Liên kết bài viết"), max_length=URL_MAX,
                          widget=forms.URLInput(attrs={"placeholder": "https://"}))
    title = forms.CharField(label=_("Mô tả"), required=False, max_length=TITLE_MAX)


class FileForm(forms.Form):
    file = forms.FileField(label=_("Tệp (PDF, DOCX, XLSX, ảnh; tối đa 20 MB)"))
    title = forms.CharField(label=_("Mô tả"), required=False, max_length=TITLE_MAX)

    def clean_file(self):
        f = self.cleaned_data["file"]
        # Refused before it is read into memory; check_upload checks again.
        if f.size > MAX_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn %(max)s MB.") % {"max": MAX_BYTES // 2**20})
        return f


class AcceptForm(forms.Form):
    body = forms.CharField(label=_("Nhận xét (không bắt buộc)"), required=False, max_length=TEXT_MAX,
                           widget=_textarea(2))


class ReturnForm(forms.Form):
    body = forms.CharField(label=_("Lý do trả lại"), max_length=TEXT_MAX, widget=_textarea(2))


class MatrixFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=ALL + list(Assignment.Status.choices))
    kind = forms.ChoiceField(label=_("Loại đơn vị"), required=False, choices=ALL + list(Unit.Kind.choices))
    overdue = forms.BooleanField(label=_("Chỉ quá hạn"), required=False)


class OverdueFilterForm(forms.Form):
    SORTS = [("due", _("Hạn sớm nhất trước")), ("-due", _("Hạn muộn nhất trước"))]

    plan = forms.TypedChoiceField(label=_("Kế hoạch"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Loại đơn vị"), required=False, choices=ALL + list(Unit.Kind.choices))
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=SORTS)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = ALL + [
            (p.pk, f"{p.number or _('(chưa có số)')} — {p.title[:80]}") for p in plans
        ]


class MyWorkFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=ALL + [("open", _("Chưa xong"))] + list(Assignment.Status.choices))
