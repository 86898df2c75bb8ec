"""Forms of the export screens: the letter fields every official document shares
(number, place, date, signer, recipients), the export of a request, and the reminder
letter. Each form turns its input into the Export's params (reporting.exports)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Export

MAX_RECIPIENT_LINES = 30


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class LetterForm(forms.Form):
    parent_body = forms.CharField(label=_("Cơ quan chủ quản"), max_length=200, required=False,
                                  help_text=_("Ví dụ: UBND TỈNH ĐẮK NÔNG"))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=300, required=False,
                             help_text=_("Ví dụ: Sở Thông tin và Truyền thông"))
    number = forms.CharField(label=_("Số"), max_length=20, required=False,
                             help_text=_("Để trống để văn thư điền khi phát hành."))
    symbol = forms.CharField(label=_("Ký hiệu"), max_length=60, required=False,
                             help_text=_("Ví dụ: BC-STTTT hoặc STTTT-TTBCXB"))
    place = forms.CharField(label=_("Địa danh"), max_length=100, required=False)
    date = forms.DateField(label=_("Ngày ban hành"), required=False,
                           help_text=_("Để trống để điền ngày khi ký."))
    signer_authority = forms.CharField(label=_("Thẩm quyền ký"), max_length=100, required=False,
                                       help_text=_("Ví dụ: KT. GIÁM ĐỐC, TM. ỦY BAN NHÂN DÂN"))
    signer_position = forms.CharField(label=_("Chức vụ người ký"), max_length=100, required=False)
    signer_name = forms.CharField(label=_("Họ và tên người ký"), max_length=100, required=False)
    recipients = forms.CharField(label=_("Nơi nhận (mỗi dòng một nơi)"), required=False, max_length=3000,
                                 widget=forms.Textarea(attrs={"rows": 4}))

    def clean_recipients(self) -> list[str]:
        lines = _lines(self.cleaned_data.get("recipients", ""))
        if len(lines) > MAX_RECIPIENT_LINES:
            raise forms.ValidationError(_("Tối đa %(n)s dòng.") % {"n": MAX_RECIPIENT_LINES})
        return lines

    def params(self) -> dict:
        """The letter fields as Export.params (JSON: the date as ISO text)."""
        d = self.cleaned_data
        params = {key: d[key] for key in ("parent_body", "issuer", "number", "symbol", "place") if d.get(key)}
        if d.get("date"):
            params["date"] = d["date"].isoformat()
        signer = {k: d[f"signer_{k}"] for k in ("authority", "position", "name") if d.get(f"signer_{k}")}
        if signer:
            params["signer"] = signer
        if d.get("recipients"):
            params["recipients"] = d["recipients"]
        return params


class ExportForm(LetterForm):
    KINDS = [(k, label) for k, label in Export.Kind.choices if k != Export.Kind.REMINDER]

    kind = forms.ChoiceField(label=_("Loại tệp"), choices=KINDS)
    field_order = ["kind"]


class ReminderForm(LetterForm):
    """The công văn đôn đốc of a plan: units that have not submitted one of its
    requests, or have not completed one of its activities."""

    SOURCES = [("request", _("Đơn vị chưa gửi báo cáo của một yêu cầu báo cáo")),
               ("activity", _("Đơn vị chưa hoàn thành một hoạt động của kế hoạch"))]

    source = forms.ChoiceField(label=_("Danh sách đôn đốc"), choices=SOURCES, widget=forms.RadioSelect,
                               initial="request")
    request = forms.ModelChoiceField(label=_("Yêu cầu báo cáo"), queryset=None, required=False,
                                     help_text=_("Mã QR và liên kết của biểu mẫu này được in trong công văn."))
    activity = forms.ModelChoiceField(label=_("Hoạt động"), queryset=None, required=False)
    addressees = forms.CharField(label=_("Kính gửi (mỗi dòng một nơi; để trống để tự điền)"), required=False,
                                 max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    due = forms.DateField(label=_("Hạn hoàn thành đề nghị"), required=False)
    # issue 5: the units banner monitoring found without the banner (seed 001, footnote 2)
    banner = forms.BooleanField(label=_("Chỉ các đơn vị chưa treo banner trên trang web (theo kết quả giám sát)"),
                                required=False)
    field_order = ["source", "request", "activity", "banner", "due", "addressees"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["request"].queryset = plan.report_requests.order_by("-created_at")
        self.fields["activity"].queryset = plan.activities.order_by("position")
        self.fields["activity"].label_from_instance = lambda a: f"{a.ref} {a.title}"[:150]

    def clean_addressees(self) -> list[str]:
        lines = _lines(self.cleaned_data.get("addressees", ""))
        if len(lines) > MAX_RECIPIENT_LINES:
            raise forms.ValidationError(_("Tối đa %(n)s dòng.") % {"n": MAX_RECIPIENT_LINES})
        return lines

    def clean(self):
        d = super().clean()
        if d.get("source") == "request" and not d.get("request"):
            self.add_error("request", _("Chọn yêu cầu báo cáo."))
        if d.get("source") == "activity" and not d.get("activity"):
            self.add_error("activity", _("Chọn hoạt động."))
        return d

    def params(self) -> dict:
        d = self.cleaned_data
        params = super().params()
        params["list"] = d["source"]
        if d.get("activity") and d["source"] == "activity":
            params["activity_id"] = d["activity"].pk
            if d.get("banner"):
                params["banner"] = True
        if d.get("request"):
            params["request_id"] = d["request"].pk
        if d.get("addressees"):
            params["addressees"] = d["addressees"]
        if d.get("due"):
            params["due"] = d["due"].isoformat()
        return params
